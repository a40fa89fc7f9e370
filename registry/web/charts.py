"""Bar charts drawn on the server as inline SVG: no script, readable when printed.

Labels are never cut: a long one (a rule's name in Vietnamese) wraps onto as many lines as it
needs, and its row grows to hold them.
"""

from __future__ import annotations

import textwrap
from html import escape

from markupsafe import Markup

BAR = 22
GAP = 8
LINE = 14
LABEL_WIDTH = 250
LABEL_CHARS = 36  # about what fits in LABEL_WIDTH at 12px
PLOT_WIDTH = 280


def _lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARS, break_long_words=True) or [""]


def bar_chart(title: str, items: list[tuple[str, int]], *, empty: str) -> Markup:
    """Horizontal bars, one per (label, value), each bar labelled with its value."""
    rows = [(label, value, _lines(label)) for label, value in items]
    heights = [max(BAR, LINE * len(lines) + 6) for _, _, lines in rows]
    height = sum(h + GAP for h in heights) + GAP if rows else BAR + 2 * GAP
    width = LABEL_WIDTH + PLOT_WIDTH + 50
    top = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    if not items:
        parts.append(f'<text x="4" y="{BAR}" font-size="13">{escape(empty)}</text>')
    y = GAP
    for (label, value, lines), row_height in zip(rows, heights, strict=True):
        w = round(PLOT_WIDTH * value / top)
        first = y + (row_height - LINE * len(lines)) / 2 + LINE - 3
        spans = "".join(
            f'<tspan x="{LABEL_WIDTH - 6}" y="{first + n * LINE}">{escape(text)}</tspan>'
            for n, text in enumerate(lines)
        )
        bar_y = y + (row_height - BAR) / 2
        parts.append(
            f'<text font-size="12" text-anchor="end">{spans}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{w}" height="{BAR}" fill="#8b1a1a">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{LABEL_WIDTH + w + 4}" y="{bar_y + BAR * 0.7}" font-size="12" '
            f'class="value">{value}</text>'
        )
        y += row_height + GAP
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
