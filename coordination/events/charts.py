"""Server-side SVG bar charts. Accessible: role="img", a <title> and a <desc>, and the page shows
the same numbers in a table beside the chart. Colours are presentation attributes (the CSP forbids
inline styles). A pure module.

Readable at any width: the chart is drawn in CSS pixels, not scaled (no viewBox), so its text keeps
FONT_SIZE px on a phone as on a desktop; each row is its label, wrapped over as many lines as it needs
(never cut), with the value at the end of its last line, then the bar, in per cent of the width."""
import textwrap

from markupsafe import Markup, escape

BAR_COLOUR = "#1d4f91"  # contrast 8.6:1 on white
TEXT_COLOUR = "#1b1b1b"
FONT_SIZE = 14  # px, never scaled
LINE_HEIGHT = 18
BAR_HEIGHT = 14
ROW_GAP = 12
# characters of a label's line: fits a 360 px phone's column (328 px) beside the value, at FONT_SIZE
LABEL_CHARS = 34


def _lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARS, break_long_words=True, break_on_hyphens=False) or [""]


def bar_chart(rows: list[tuple[str, float]], *, title: str, description: str, chart_id: str,
              unit: str = "", max_value: float | None = None) -> Markup:
    """A horizontal bar chart: one bar per (label, value), in the given order."""
    top = max([max_value or 0] + [value for _, value in rows]) or 1
    body, y = [], 0
    for label, value in rows:
        lines = _lines(label)
        texts = "".join(f'<tspan x="0" y="{y + (index + 1) * LINE_HEIGHT - 4}">{escape(line)}</tspan>'
                        for index, line in enumerate(lines))
        y += len(lines) * LINE_HEIGHT
        share = round(100 * value / top, 1)
        body.append(
            f'<g><text fill="{TEXT_COLOUR}">{texts}</text>'
            f'<text x="100%" y="{y - 4}" text-anchor="end" fill="{TEXT_COLOUR}" font-weight="bold">'
            f'{escape(f"{value:g}{unit}")}</text>'
            f'<rect x="0" y="{y + 2}" width="{share}%" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/></g>')
        y += 2 + BAR_HEIGHT + ROW_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" class="bar-chart" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" width="100%" height="{max(y, 8)}" '
        f'font-family="sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
        *body, "</svg>",
    ]
    return Markup("".join(parts))  # every value above is escaped
