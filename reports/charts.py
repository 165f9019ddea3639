"""Charts drawn on the server as SVG, so the page and the PDF show the same picture.

Pure Python, no JavaScript and no CSS: presentation is in SVG attributes (the pages' content
security policy forbids inline styles). Every chart has a <title> and a <desc> pointing to the
data table that follows it, which carries the same numbers for screen-reader users.

Series never differ by colour alone (WCAG 1.4.1): each has its own line style and marker
shape in a line chart, and its own fill pattern in a bar chart; the legend shows the same
style, and a line chart also names each series at the end of its line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 72
FONT = 'font-family="Arial, Helvetica, sans-serif" font-size="12" fill="#0b0c0c"'
BLUE, RED, GREEN, ORANGE, PURPLE = "#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # None: no data for that point (a gap, not a zero)
    colour: str = BLUE


# Per series, by its position: the line's dash pattern ("" solid), the marker's shape, and the
# bars' fill pattern. Five styles: a chart has at most five series.
DASHES = ["", "8 4", "2 3", "12 4 2 4", "4 4"]
MARKERS = ["circle", "square", "triangle", "diamond", "cross"]
PATTERNS = ["solid", "diagonal", "dots", "horizontal", "crosshatch"]
RIGHT_LABELS = 150  # room at the right of a line chart for the series names


def _marker(shape: str, x: float, y: float, colour: str, size: float = 3.5) -> str:
    if shape == "square":
        return (
            f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
            f'height="{2 * size:.1f}" fill="{colour}"/>'
        )
    if shape == "triangle":
        points = f"{x:.1f},{y - size - 1:.1f} {x - size - 1:.1f},{y + size:.1f} {x + size + 1:.1f},{y + size:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        d = size + 1
        points = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "cross":
        return (
            f'<path d="M{x - size:.1f},{y - size:.1f}L{x + size:.1f},{y + size:.1f}'
            f'M{x - size:.1f},{y + size:.1f}L{x + size:.1f},{y - size:.1f}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size - 0.5:.1f}" fill="{colour}"/>'


def _dash(index: int) -> str:
    dash = DASHES[index % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def _spread(positions: list[float], gap: float = 14) -> list[float]:
    """Move label positions apart (keeping their order) so no two are closer than `gap`."""
    order = sorted(range(len(positions)), key=positions.__getitem__)
    placed = list(positions)
    for previous, current in zip(order, order[1:], strict=False):
        placed[current] = max(placed[current], placed[previous] + gap)
    return placed


def _pattern(chart_id: str, index: int, colour: str) -> tuple[str, str]:
    """The <pattern> definition (empty for a solid fill) and the fill to use."""
    kind = PATTERNS[index % len(PATTERNS)]
    if kind == "solid":
        return "", colour
    pattern_id = f"{chart_id}-pattern-{index}"
    marks = {
        "diagonal": f'<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2" stroke="{colour}" stroke-width="2"/>',
        "dots": f'<circle cx="4" cy="4" r="2" fill="{colour}"/>',
        "horizontal": f'<path d="M0,2 H8 M0,6 H8" stroke="{colour}" stroke-width="1.5"/>',
        "crosshatch": f'<path d="M0,0 L8,8 M8,0 L0,8" stroke="{colour}" stroke-width="1.5"/>',
    }[kind]
    definition = (
        f'<pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#ffffff"/>{marks}</pattern>'
    )
    return definition, f"url(#{pattern_id})"


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum`."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    top = step * math.ceil(maximum / step)
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


def _format(value: float, percent: bool) -> str:
    text = f"{value:g}" if value != int(value) else f"{int(value):,}"
    return f"{text}%" if percent else text


class _Canvas:
    def __init__(self, *, chart_id: str, title: str, description: str):
        self.chart_id = chart_id
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
            f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
        ]

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def render(self) -> SafeString:
        return mark_safe("".join([*self.parts, "</svg>"]))  # noqa: S308 - every value escaped


def _y_axis(canvas: _Canvas, ticks: list[float], percent: bool, right: int = 0):
    plot_height = HEIGHT - TOP - BOTTOM
    top = ticks[-1] or 1

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    for tick in ticks:
        canvas.add(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#b1b4b6" stroke-width="{1 if tick == 0 else 0.5}"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" {FONT}>'
            f"{escape(_format(tick, percent))}</text>"
        )
    return y


def _x_labels(canvas: _Canvas, labels: list[str], xs: list[float], every: int) -> None:
    for index, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if index % every:
            continue
        canvas.add(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 4}" '
            f'stroke="#0b0c0c"/><text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="middle" {FONT}>{escape(label)}</text>'
        )


def _legend(canvas: _Canvas, series: list[Series], *, lines: bool, fills=None) -> None:
    """A key per series with the same line style and marker (lines) or fill (bars)."""
    x, y = LEFT, HEIGHT - BOTTOM + 40
    for index, s in enumerate(series):
        colour = escape(s.colour)
        key = 30 if lines else 16
        width = key + 12 + 7 * len(s.name)
        if x + width > WIDTH - RIGHT and x > LEFT:  # wrap onto a second row
            x, y = LEFT, y + 18
        if lines:
            canvas.add(
                f'<line x1="{x}" x2="{x + key - 4}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="2"{_dash(index)}/>'
                + _marker(MARKERS[index % len(MARKERS)], x + (key - 4) / 2, y - 4, colour)
            )
        else:
            canvas.add(
                f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{fills[index]}" '
                f'stroke="{colour}" stroke-width="1"/>'
            )
        canvas.add(f'<text x="{x + key + 4}" y="{y}" {FONT}>{escape(s.name)}</text>')
        x += width


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[Series],
    percent: bool = False,
    label_every: int = 1,
) -> SafeString:
    """Lines over evenly spaced periods; a None value breaks the line."""
    canvas = _Canvas(chart_id=chart_id, title=title, description=description)
    values = [v for s in series for v in s.values if v is not None]
    ticks = [0, 25, 50, 75, 100] if percent else nice_ticks(max(values, default=0))
    y = _y_axis(canvas, ticks, percent, right=RIGHT_LABELS)
    plot_width = WIDTH - LEFT - RIGHT - RIGHT_LABELS
    step = plot_width / max(len(labels) - 1, 1)
    xs = [LEFT + i * step for i in range(len(labels))]
    _x_labels(canvas, labels, xs, label_every)
    ends: list[tuple[int, float, float]] = []  # (series index, x, y) of each line's last point
    for index, s in enumerate(series):
        colour = escape(s.colour)
        marker = MARKERS[index % len(MARKERS)]
        segment: list[str] = []
        segments = [segment]
        last = None
        for x, value in zip(xs, s.values, strict=True):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{x:.1f},{y(value):.1f}")
            last = (x, y(value))
        for points in segments:
            if len(points) > 1:
                canvas.add(
                    f'<polyline points="{" ".join(points)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"{_dash(index)}/>'
                )
        # Markers on top of the lines, every point (fewer would hide a lone point's value).
        for x, value in zip(xs, s.values, strict=True):
            if value is not None:
                canvas.add(_marker(marker, x, y(value), colour, size=2.5))
        if last is not None:
            ends.append((index, *last))
    # Each line named at its end, so no colour or key is needed to tell them apart.
    for (index, x, _), label_y in zip(ends, _spread([e[2] for e in ends]), strict=True):
        s = series[index]
        canvas.add(f'<text x="{x + 8:.1f}" y="{label_y + 4:.1f}" {FONT}>{escape(s.name)}</text>')
    _legend(canvas, series, lines=True)
    return canvas.render()


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[Series],
    percent: bool = False,
) -> SafeString:
    """Grouped bars: one group per label, one bar per series."""
    canvas = _Canvas(chart_id=chart_id, title=title, description=description)
    values = [v for s in series for v in s.values if v is not None]
    ticks = [0, 25, 50, 75, 100] if percent else nice_ticks(max(values, default=0))
    y = _y_axis(canvas, ticks, percent)
    plot_width = WIDTH - LEFT - RIGHT
    group = plot_width / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    xs = [LEFT + group * (i + 0.5) for i in range(len(labels))]
    _x_labels(canvas, labels, xs, 1)
    fills = []
    for index, s in enumerate(series):
        colour = escape(s.colour)
        definition, fill = _pattern(escape(canvas.chart_id), index, colour)
        if definition:
            canvas.add(f"<defs>{definition}</defs>")
        fills.append(fill)
        for centre, value in zip(xs, s.values, strict=True):
            if value is None:
                continue
            x = centre - group * 0.4 + index * bar
            canvas.add(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                f'height="{y(0) - y(value):.1f}" fill="{fill}" stroke="{colour}" '
                'stroke-width="1"/>'
            )
    _legend(canvas, series, lines=False, fills=fills)
    return canvas.render()
