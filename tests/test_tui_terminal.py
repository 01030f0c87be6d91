"""Colours and glyphs by terminal (``ebok_tui.ui.terminal``): what is decided from the environment,
what the glyph filter lets through, and WCAG AA contrast (4.5:1) of every text run in the stored
snapshots of the default theme and of NO_COLOR, read from the SVGs' own colours."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.color import Color

from ebok_tui.ui.terminal import GlyphFilter, ReadableFilter, Terminal, can_show, contrast, detect
from tests.svg_contrast import low_contrast, text_runs

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


@pytest.mark.parametrize(
    ("environ", "colors", "glyphs"),
    [
        ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "pl_PL.UTF-8"}, "truecolor", "unicode"),
        ({"TERM": "xterm-256color", "LANG": "C.UTF-8"}, "256", "unicode"),
        ({"TERM": "xterm"}, "16", "unicode"),
        ({"TERM": "screen", "LANG": "C"}, "16", "unicode"),
        ({"TERM": "linux", "LANG": "pl_PL.UTF-8"}, "16", "console"),
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, "none", "unicode"),
        ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, "none", "unicode"),
        ({"TERM": "xterm-256color", "LANG": "pl_PL.ISO-8859-2"}, "256", "ascii"),
        ({"TERM": "xterm", "LC_ALL": "pl_PL"}, "16", "ascii"),
        ({"TERM": "xterm", "LC_ALL": "pl_PL.UTF-8", "LANG": "pl_PL.ISO-8859-2"}, "16", "unicode"),
        ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, "truecolor", "unicode"),
        ({"TERM": "dumb"}, "none", "unicode"),
    ],
)
def test_detect(environ, colors, glyphs):
    terminal = detect(environ, stdout_encoding="utf-8")
    assert (terminal.colors, terminal.glyphs) == (colors, glyphs)


def test_a_stdout_that_cannot_write_utf8_means_ascii():
    assert detect({"TERM": "xterm-256color", "LANG": "pl_PL.UTF-8"}, stdout_encoding="ISO-8859-2").glyphs == "ascii"


def test_console_glyphs_keep_every_cell():
    glyph = GlyphFilter("console")
    line = "╭─ Klienci ─╮ ▔▁▊▎ ⏎ Zaloguj ✎ 🔎 Szukaj… ▀▄█ ┌┐"
    shown = glyph.text(line)
    assert not set("╭╮▔▁▊▎⏎✎🔎…") & set(shown), shown
    assert "▀▄█" in shown and "┌┐" in shown and "Zaloguj" in shown  # what the console has stays
    from rich.cells import cell_len

    assert cell_len(shown) == cell_len(line)
    assert can_show(Terminal("16", "console"), "▀▄█")


def test_ascii_glyphs_in_a_latin2_locale():
    glyph = GlyphFilter("ascii", "iso8859-2")
    shown = glyph.text("┌─ Zażółć gęślą jaźń ─┐ │█▀▄│ ✎ 🔎 ⏎ 日")
    assert shown == "+- Zażółć gęślą jaźń -+ |###| * >  < ??"
    shown.encode("iso8859-2")
    assert not can_show(Terminal("16", "ascii", "iso8859-2"), "▀▄█")


def test_readable_filter_lifts_faint_text_and_keeps_readable_text():
    background = Color.parse("#1e1e1e")
    faint = Style(color="#3a3a3a", bgcolor="#1e1e1e")
    fine = Style(color="#e0e0e0", bgcolor="#1e1e1e")
    out = ReadableFilter().apply([Segment("faint", faint), Segment("fine", fine)], background)
    lifted = Color.from_rich_color(out[0].style.color)
    assert contrast(lifted, background) >= 4.5
    assert out[1].style == fine + Style(dim=False) or out[1].style.color == fine.color


def test_no_color_badges_are_light_blocks_with_black_text():
    background = Color.parse("#1e1e1e")
    badge = Style(color="#ff5f87", bgcolor="#1e1e1e", bold=True, reverse=True)
    (out,) = ReadableFilter(monochrome=True).apply([Segment(" DO ZAPŁATY ", badge)], background)
    shown_fg, shown_bg = out.style.bgcolor, out.style.color  # reversed
    assert out.style.bold and out.style.reverse
    assert contrast(Color.from_rich_color(shown_fg), Color.from_rich_color(shown_bg)) >= 7
    for color in (out.style.color, out.style.bgcolor):
        c = Color.from_rich_color(color)
        assert c.r == c.g == c.b  # grey


def _default_theme_snapshots() -> list[Path]:
    """Every stored snapshot of the default theme (the other terminals' module has its own)."""
    return sorted(p for p in SNAPSHOTS.rglob("*.svg") if p.parent.name != "test_snapshots_terminals")


def test_the_contrast_reader_finds_low_contrast(tmp_path):
    """The reader is not blind: the default theme before this check (textual-dark: #ddedf9 on
    #0178d4, 3.78:1) fails it."""
    svg = (SNAPSHOTS / "test_snapshots_core" / "test_screen[login_pl].svg").read_text(encoding="utf-8")
    old = tmp_path / "old.svg"
    old.write_text(svg.replace('fill="#0162ae"', 'fill="#0178d4"'), encoding="utf-8")
    assert any(run.text.startswith("eBOK") for run in low_contrast(old))


@pytest.mark.parametrize("path", _default_theme_snapshots(), ids=lambda p: p.stem)
def test_default_theme_text_contrast(path):
    # the SVG was read (a screen that is a full-size QR code has one line of text: its caption)
    assert len(text_runs(path.read_text(encoding="utf-8"))) > (
        0 if path.stem.startswith("test_screen[ksef_code") else 5
    )
    assert low_contrast(path) == []


@pytest.mark.parametrize("name", ["test_login[no_color]", "test_balance[no_color]"])
def test_no_color_text_contrast(name):
    path = SNAPSHOTS / "test_snapshots_terminals" / f"{name}.svg"
    runs = text_runs(path.read_text(encoding="utf-8"))
    # the balance's amount due (drawn with the server's reply; the overdue details are below the
    # fold for 10001, under the news since the last visit and the failure notice)
    assert any("DO ZAPŁATY" in run.text for run in runs) or "login" in name
    assert low_contrast(path) == []
    # greys only
    for run in runs:
        for hex_color in (run.foreground, run.background):
            assert hex_color[1:3] == hex_color[3:5] == hex_color[5:7], run
