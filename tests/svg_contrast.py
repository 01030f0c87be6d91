"""Text contrast read from a Rich/Textual SVG screenshot (what the snapshot tests store): every run
of text with its foreground (the CSS class's ``fill``) over the background cell drawn under it
(the ``<rect>`` at that line and column), as a WCAG 2 contrast ratio.

Runs made only of box-drawing and block characters (borders, scroll bars, the QR code, chart
bars) are not text and are left out; so are spaces."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

_CLASS = re.compile(r"\.(terminal-[\w-]+)\s*\{\s*fill:\s*(#[0-9a-fA-F]{6})")
_RECT = re.compile(
    r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" shape-rendering'
)
_TEXT = re.compile(
    r'<text class="(terminal-[\w-]+)" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
    r'clip-path="url\(#terminal-line-(\d+)\)">([^<]*)</text>'
)
_LINE_TOP, _LINE_HEIGHT = 1.5, 24.4
#: Not text: box drawing, blocks, geometric shapes used as bars and marks.
_GRAPHIC = re.compile(r"^[\s\u2500-\u259f\u25a0-\u25ff]*$")


def relative_luminance(hex_color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Run:
    line: int
    column: int
    text: str
    foreground: str
    background: str

    @property
    def ratio(self) -> float:
        return contrast(self.foreground, self.background)


def text_runs(svg: str) -> list[Run]:
    fills = dict(_CLASS.findall(svg))
    rects: dict[int, list[tuple[float, float, str]]] = {}
    for fill, x, y, width in _RECT.findall(svg):
        line = round((float(y) - _LINE_TOP) / _LINE_HEIGHT)
        rects.setdefault(line, []).append((float(x), float(x) + float(width), fill.lower()))
    cell = _cell_width(svg)
    runs = []
    for css_class, x, _length, line_no, raw in _TEXT.findall(svg):
        text = html.unescape(raw).replace("\xa0", " ")
        if _GRAPHIC.match(text):
            continue
        line, start = int(line_no), float(x)
        # the text's first visible character decides which cell's background to read
        offset = len(text) - len(text.lstrip(" "))
        probe = start + offset * cell + cell / 2
        background = next((fill for left, right, fill in rects.get(line, ()) if left <= probe < right), None)
        if background is None:
            raise ValueError(f"no background under {text!r} on line {line}")
        runs.append(Run(line, round(start / cell), text.strip(), fills[css_class].lower(), background))
    return runs


def _cell_width(svg: str) -> float:
    # Rich: char width 0.61 of the 20 px font
    return 12.2


def low_contrast(path: Path, minimum: float = 4.5) -> list[Run]:
    return [run for run in text_runs(path.read_text(encoding="utf-8")) if run.ratio < minimum]
