"""Bar charts drawn on the server as inline SVG: no script, readable when printed."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR = 22
GAP = 6
LABEL_WIDTH = 190
PLOT_WIDTH = 300


def bar_chart(title: str, items: list[tuple[str, int]], *, empty: str) -> Markup:
    """Horizontal bars, one per (label, value), each bar labelled with its value."""
    height = max(len(items), 1) * (BAR + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + 50
    top = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    if not items:
        parts.append(f'<text x="4" y="{BAR}" font-size="13">{escape(empty)}</text>')
    for i, (label, value) in enumerate(items):
        y = GAP + i * (BAR + GAP)
        w = round(PLOT_WIDTH * value / top)
        text_y = y + BAR * 0.7
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{text_y}" font-size="12" text-anchor="end">'
            f"{escape(label[:32])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{BAR}" fill="#8b1a1a">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{LABEL_WIDTH + w + 4}" y="{text_y}" font-size="12" '
            f'class="value">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
