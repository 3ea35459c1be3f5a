"""Server-side SVG bar charts. Accessible: role="img", a <title> and a <desc>, and the page shows
the same numbers in a table beside the chart. Colours are presentation attributes (the CSP forbids
inline styles). A pure module."""
from markupsafe import Markup, escape

BAR_COLOUR = "#1d4f91"  # contrast 8.6:1 on white
TEXT_COLOUR = "#1b1b1b"
ROW_HEIGHT = 28
LABEL_WIDTH = 260
BAR_AREA = 300
VALUE_GAP = 8
LABEL_CHARS = 34


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def bar_chart(rows: list[tuple[str, float]], *, title: str, description: str, chart_id: str,
              unit: str = "", max_value: float | None = None) -> Markup:
    """A horizontal bar chart: one bar per (label, value), in the given order."""
    top = max([max_value or 0] + [value for _, value in rows]) or 1
    height = ROW_HEIGHT * max(len(rows), 1) + 8
    width = LABEL_WIDTH + BAR_AREA + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="13">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        bar = round(BAR_AREA * value / top, 1)
        shown = f"{value:g}{unit}"
        parts.append(
            f'<g><text x="{LABEL_WIDTH - VALUE_GAP}" y="{y + 18}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f'{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{bar}" height="{ROW_HEIGHT - 10}" fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + bar + VALUE_GAP}" y="{y + 18}" fill="{TEXT_COLOUR}">{escape(shown)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every value above is escaped
