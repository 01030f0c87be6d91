"""What the terminal can show, decided once at start-up: the colours (palette) and the glyphs.

Textual already reads the environment for part of this: ``NO_COLOR`` (any value) makes it strip
colours with its ``Monochrome`` line filter, ``TEXTUAL_COLOR_SYSTEM`` overrides Rich's detection
from ``COLORTERM``/``TERM``, and Rich downgrades every colour to what the terminal has. What that
gave was unreadable or alarming (grey 237 on 234 under NO_COLOR, the demo panel's orange border
as bright red in 16 colours, ``▔▁▊▎╭ ⏎ 🔎`` on a Linux console), so this module decides instead,
from the same variables, and :meth:`Terminal.apply` sets the app up accordingly:

* **truecolor / 256 colours**: the ``ebok-dark`` theme (Textual's dark theme with a darker blue
  and red, so text on them reads at WCAG AA, 4.5:1) and an ANSI palette whose red reads on the
  dark surfaces. A :class:`ReadableFilter` is the safety net: any text drawn below 4.5:1 (a
  ``dim`` style, a colour a screen chose) is moved towards white or black until it reads.
* **16 colours** (``TERM=xterm``, ``screen``, ``linux``…): Textual's ``ansi-dark`` theme with the
  terminal's own ANSI colours (``ansi_color``), so nothing is approximated into a colour it is
  not: red is only an alarm.
* **NO_COLOR**: greys only, and emphasis by bold, reverse and underline: the same filter, turning
  every colour to grey and keeping 4.5:1 (Textual's plain ``Monochrome`` is replaced).
* **glyphs**: ``unicode`` normally; ``console`` on a Linux console (``TERM=linux``: its fonts have
  the box-drawing and half-block characters of code page 437, not ``▔▁▊▎╭⏎✎🔎``); ``ascii`` in a
  locale that is not UTF-8 (only what its character set has). :class:`GlyphFilter` replaces what
  cannot be shown, cell for cell, in everything drawn, Textual's own widgets included.

Screens need not know any of it; the balance screen asks :attr:`Terminal.glyphs` whether its QR
code can be drawn at all.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal, NamedTuple

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter, Monochrome, NoColor
from textual.theme import BUILTIN_THEMES, Theme

Colors = Literal["truecolor", "256", "16", "none"]
Glyphs = Literal["unicode", "console", "ascii"]

#: WCAG 2 AA for normal text.
MIN_CONTRAST = 4.5


class Terminal(NamedTuple):
    colors: Colors
    glyphs: Glyphs
    encoding: str = "utf-8"

    @property
    def no_color(self) -> bool:
        return self.colors == "none"

    def filters(self) -> list[LineFilter]:
        """Line filters to run after Textual's ANSI-to-truecolour conversion (and instead of its
        NO_COLOR filters, :data:`TEXTUAL_NO_COLOR_FILTERS`)."""
        filters: list[LineFilter] = []
        if self.colors in ("truecolor", "256", "none"):
            filters.append(ReadableFilter(monochrome=self.no_color))
        if self.glyphs != "unicode":
            filters.append(GlyphFilter(self.glyphs, self.encoding))
        return filters

    def apply(self, app: App) -> None:
        """Theme and ANSI palette for ``app`` (call from its ``__init__``, after ``App.__init__``).

        Set as Textual sets its own defaults, without the watchers: assigning ``app.theme`` or
        ``app.ansi_theme_dark`` queues a CSS refresh each (every stylesheet parsed again, every
        widget styled again) that ran while the login screen mounted, for nothing, before the first
        frame (issue 11). What ``App.__init__`` made from its default theme is made again from
        ours instead: the CSS variables and the ANSI-to-truecolour filter."""
        app.register_theme(EBOK_DARK)
        if self.colors == "16":
            app.set_reactive(App.theme, "ansi-dark")
            # the terminal's own colours, not approximations of ours
            app.set_reactive(App.ansi_color, True)
        else:
            app.set_reactive(App.theme, EBOK_DARK.name)
            app.set_reactive(App.ansi_theme_dark, EBOK_ANSI)
        app.stylesheet.set_variables(app.get_css_variables())
        app._refresh_truecolor_filter(app.ansi_theme)  # what the theme's watcher does (8.2.8)


def detect(environ: Mapping[str, str] | None = None, stdout_encoding: str | None = None) -> Terminal:
    """The terminal described by ``environ`` (default: this process's environment), written to
    through ``stdout_encoding`` (default: the real stdout's)."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    colors: Colors
    forced = env.get("TEXTUAL_COLOR_SYSTEM", "auto")
    if "NO_COLOR" in env:  # as Textual: present at all, even empty
        colors = "none"
    elif forced in ("truecolor", "256"):
        colors = forced  # type: ignore[assignment]
    elif forced in ("standard", "windows"):
        colors = "16"
    elif term in ("dumb", "unknown"):
        colors = "none"  # Rich sends no colour to these at all
    elif env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        colors = "truecolor"
    elif term.endswith("256color"):
        colors = "256"
    elif term:
        colors = "16"  # xterm, screen, linux, vt100...: Rich's "standard"
    else:
        colors = "truecolor"  # not a terminal we can ask (tests, headless): draw the design
    encoding = _locale_encoding(env, stdout_encoding)
    glyphs: Glyphs
    if encoding not in ("utf-8", "utf-16", "utf-32"):
        glyphs = "ascii"
    elif term == "linux":
        glyphs = "console"
    else:
        glyphs = "unicode"
    return Terminal(colors, glyphs, encoding)


def _locale_encoding(env: Mapping[str, str], stdout_encoding: str | None) -> str:
    """The character set text can be written in: the locale's (``LC_ALL``, ``LC_CTYPE``, ``LANG``)
    when it names one that is not UTF-8 (``pl_PL.ISO-8859-2``, or a bare ``pl_PL``, which glibc
    takes as ISO-8859-2), else UTF-8. ``C``/``POSIX`` and no locale at all count as UTF-8:
    Python writes UTF-8 there (PEP 538/540) and the terminal is not told otherwise."""
    if stdout_encoding is not None and _normal(stdout_encoding) != "utf-8":
        return _normal(stdout_encoding)
    value = next((env[name] for name in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(name)), "")
    base = value.split("@", 1)[0]
    if base in ("", "C", "POSIX") or base.startswith("C."):
        return "utf-8"
    if "." in base:
        return _normal(base.split(".", 1)[1])
    return "iso8859-2" if base.startswith("pl") else "iso8859-1"


def _normal(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "ascii"


# --- palette -------------------------------------------------------------------------------------
#: Textual's dark theme with a primary and an error colour dark enough for light text on them
#: (4.5:1), and placeholders as readable as muted text.
EBOK_DARK = Theme(
    name="ebok-dark",
    primary="#0162AE",
    secondary="#004578",
    accent="#ffa62b",
    warning="#ffa62b",
    error="#A83652",
    success="#4EBF71",
    foreground="#e0e0e0",
    dark=True,
    variables={"text-disabled": "auto 60%"},
)
assert "ansi-dark" in BUILTIN_THEMES  # the 16-colour theme is Textual's own

#: Textual's default ANSI palette (Rich's MONOKAI) with a red and a blue that read on the dark
#: surfaces (the red 244,0,95 was 3.98:1 on #1e1e1e).
EBOK_ANSI = TerminalTheme(
    (12, 12, 12),
    (217, 217, 217),
    [
        (26, 26, 26),
        (255, 95, 135),
        (152, 224, 36),
        (253, 151, 31),
        (157, 121, 255),
        (244, 90, 160),
        (88, 209, 235),
        (196, 197, 181),
        (128, 124, 106),
    ],
    [
        (255, 95, 135),
        (152, 224, 36),
        (224, 213, 97),
        (157, 121, 255),
        (244, 90, 160),
        (88, 209, 235),
        (246, 246, 239),
    ],
)


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


_WHITE = Color(255, 255, 255)
_BLACK = Color(0, 0, 0)
_NO_DIM = Style(dim=False)


def readable(foreground: Color, background: Color, minimum: float = MIN_CONTRAST) -> Color:
    """``foreground``, or the nearest colour towards white or black (whichever is further from
    ``background``) that reads on ``background`` at ``minimum``."""
    if contrast(foreground, background) >= minimum:
        return foreground
    target = _WHITE if contrast(_WHITE, background) >= contrast(_BLACK, background) else _BLACK
    for step in range(1, 11):
        candidate = foreground.blend(target, step / 10)
        if contrast(candidate, background) >= minimum:
            return candidate
    return target


class ReadableFilter(LineFilter):
    """Every run of text at 4.5:1 or better against what is under it; with ``monochrome`` (NO_COLOR)
    in greys only, reversed runs as near-white with black text. Runs after Textual's
    ``ANSIToTruecolor`` (which has already turned ``dim`` into a colour), so colours are RGB."""

    def __init__(self, monochrome: bool = False, enabled: bool = True) -> None:
        super().__init__(enabled=enabled)
        self.monochrome = monochrome

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        fix = self._style
        back = background.rich_color
        return [Segment(text, None if style is None else fix(style, back), None) for text, style, _ in segments]

    @lru_cache(4096)  # noqa: B019 - one filter per app, styles are few
    def _style(self, style: Style, background: RichColor) -> Style:
        fg_rich, bg_rich = style.color, style.bgcolor or background
        if bg_rich is None or bg_rich.triplet is None:
            return style  # the terminal's own background: nothing to measure against
        bg = Color.from_rich_color(bg_rich)
        fg = None if fg_rich is None or fg_rich.triplet is None else Color.from_rich_color(fg_rich)
        if self.monochrome:
            bg = bg.monochrome
            fg = None if fg is None else fg.monochrome
            if style.reverse:
                # a badge: light block, black text, whatever the colours were
                fg, bg = Color(224, 224, 224), _BLACK
        if fg is None:
            return style + Style.from_color(None, bg.rich_color) if self.monochrome else style
        if style.reverse:
            shown = readable(bg, fg)  # reversed: the background colour is the text's
            return style + _NO_DIM + Style.from_color(fg.rich_color, shown.rich_color)
        return style + _NO_DIM + Style.from_color(readable(fg, bg).rich_color, bg.rich_color)


# --- glyphs --------------------------------------------------------------------------------------
#: What a Linux console font (code page 437 plus Latin letters) lacks, as what it has, cell for
#: cell: rounded and heavy corners as plain ones, eighth blocks as half blocks or full blocks.
_CONSOLE = {
    "╭": "┌", "╮": "┐", "╰": "└", "╯": "┘",
    "┏": "┌", "┓": "┐", "┗": "└", "┛": "┘", "━": "─", "┃": "│",
    "╍": "─", "╏": "│", "┅": "─", "┇": "│", "╌": "─", "╎": "│",
    "▔": "▀", "▁": "▄", "▂": "▄", "▃": "▄", "▅": "▄", "▆": "█", "▇": "█",
    "▏": "▌", "▎": "▌", "▍": "▌", "▋": "▌", "▊": "▌", "▉": "█", "▕": "▐",
    "✎": "*", "●": "*", "✓": "v", "✔": "v", "✗": "x", "•": "*", "…": ".",
    "„": '"', "”": '"', "“": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "−": "-",
    "⏎": "<", "🔎": "> ", "⌫": "<",
}  # fmt: skip
#: Beyond that, for a non-UTF-8 locale: ASCII lines and blocks.
_ASCII = {
    **{c: "-" for c in "─━═╌╍┄┅┈┉"},
    **{c: "|" for c in "│┃║╎╏┆┇┊┋"},
    **{c: "+" for c in "┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬╒╓╕╖╘╙╛╜╞╟╡╢╤╥╧╨╪╫┏┓┗┛╭╮╰╯"},
    **{c: "#" for c in "█▉▊▋▌▍▎▏▐▕▀▄▆▇░▒▓■"},
    **{c: "_" for c in "▁▂▃▅"},
    "▔": "-",
    "↑": "^", "↓": "v", "←": "<", "→": ">", "·": ".",
}  # fmt: skip


class GlyphFilter(LineFilter):
    """Replace the characters the terminal cannot show, keeping every cell where it was."""

    def __init__(self, glyphs: Glyphs, encoding: str = "utf-8", enabled: bool = True) -> None:
        super().__init__(enabled=enabled)
        self.glyphs = glyphs
        self.encoding = encoding
        table = dict(_CONSOLE)
        if glyphs == "ascii":
            table = {k: _ASCII.get(v, v) for k, v in table.items()} | _ASCII
        self._table = str.maketrans(table)

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        text_of = self.text
        return [Segment(text_of(text), style, control) for text, style, control in segments]

    @lru_cache(4096)  # noqa: B019
    def text(self, text: str) -> str:
        text = text.translate(self._table)
        if self.glyphs != "ascii":
            return text
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            from rich.cells import cell_len

            text = "".join(c if _encodable(c, self.encoding) else "?" * cell_len(c) for c in text)
        return text

    def can_show(self, text: str) -> bool:
        """Whether ``text`` is shown as it is (the QR code's half blocks, say)."""
        return self.text(text) == text


@lru_cache(1024)
def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def can_show(terminal: Terminal, text: str) -> bool:
    """Whether ``terminal`` shows ``text`` as it is."""
    if terminal.glyphs == "unicode":
        return True
    return GlyphFilter(terminal.glyphs, terminal.encoding).can_show(text)


#: Textual's own NO_COLOR filters, which :class:`ReadableFilter` replaces.
TEXTUAL_NO_COLOR_FILTERS = (Monochrome, NoColor)
