"""Charts drawn on the server as SVG, so the page and the PDF show the same picture.

Pure Python, no JavaScript and no CSS: presentation is in SVG attributes (the pages' content
security policy forbids inline styles). Every chart has a <title> and a <desc> pointing to the
data table that follows it, which carries the same numbers for screen-reader users.
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


def _y_axis(canvas: _Canvas, ticks: list[float], percent: bool):
    plot_height = HEIGHT - TOP - BOTTOM
    top = ticks[-1] or 1

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    for tick in ticks:
        canvas.add(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
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


def _legend(canvas: _Canvas, series: list[Series]) -> None:
    x, y = LEFT, HEIGHT - BOTTOM + 40
    for s in series:
        width = 30 + 7 * len(s.name)
        if x + width > WIDTH - RIGHT and x > LEFT:  # wrap onto a second row
            x, y = LEFT, y + 18
        canvas.add(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{escape(s.colour)}"/>'
            f'<text x="{x + 18}" y="{y}" {FONT}>{escape(s.name)}</text>'
        )
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
    y = _y_axis(canvas, ticks, percent)
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / max(len(labels) - 1, 1)
    xs = [LEFT + i * step for i in range(len(labels))]
    _x_labels(canvas, labels, xs, label_every)
    for s in series:
        colour = escape(s.colour)
        segment: list[str] = []
        segments = [segment]
        for x, value in zip(xs, s.values, strict=True):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            cx, cy = f"{x:.1f}", f"{y(value):.1f}"
            segment.append(f"{cx},{cy}")
            canvas.add(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
        for points in segments:
            if len(points) > 1:
                canvas.add(
                    f'<polyline points="{" ".join(points)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
    _legend(canvas, series)
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
    for index, s in enumerate(series):
        colour = escape(s.colour)
        for centre, value in zip(xs, s.values, strict=True):
            if value is None:
                continue
            x = centre - group * 0.4 + index * bar
            canvas.add(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                f'height="{y(0) - y(value):.1f}" fill="{colour}"/>'
            )
    _legend(canvas, series)
    return canvas.render()
