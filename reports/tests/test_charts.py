import re

from reports.charts import Series, bar_chart, line_chart, nice_ticks


def test_nice_ticks_cover_the_maximum_with_round_steps():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(950) == [0, 250, 500, 750, 1000]


def test_a_line_chart_is_labelled_escaped_and_breaks_at_missing_values():
    svg = line_chart(
        chart_id="chart-x",
        title="Rates <London>",
        description="See the table.",
        labels=["Jan", "Feb", "Mar", "Apr"],
        series=[Series("Arrest rate", [50.0, None, 25.0, 75.0])],
        percent=True,
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" id="chart-x"')
    assert 'aria-labelledby="chart-x-title chart-x-desc"' in svg
    assert '<title id="chart-x-title">Rates &lt;London&gt;</title>' in svg
    assert svg.count("<circle") == 3 + 1  # no point for the missing month; one in the key
    assert svg.count("<polyline") == 1  # the single point before the gap draws no line
    assert ">100%</text>" in svg


def test_a_bar_chart_draws_a_bar_per_value():
    svg = bar_chart(
        chart_id="chart-y",
        title="Incidents by year",
        description="See the table.",
        labels=["2025", "2026"],
        series=[Series("Crimes", [3, 4]), Series("Non-crimes", [1, 0])],
    )
    assert svg.count("<rect") == 4 + 2 + 1  # bars, legend keys, the pattern's background


def test_line_series_differ_by_dash_and_marker_and_are_named_at_their_ends():
    svg = line_chart(
        chart_id="chart-z",
        title="Incidents",
        description="See the table.",
        labels=["Jan", "Feb", "Mar"],
        series=[
            Series("Incidents", [10, 12, 14]),
            Series("Crimes", [6, 7, 8]),
            Series("Non-crimes", [4, 5, None]),
        ],
    )

    polylines = re.findall(r"<polyline [^>]*>", svg)
    assert "stroke-dasharray" not in polylines[0]
    assert 'stroke-dasharray="8 4"' in polylines[1]
    assert 'stroke-dasharray="2 3"' in polylines[2]
    # Markers: circles for the first series, squares for the second, triangles for the third.
    assert svg.count("<circle") == 3 + 1
    assert svg.count("<rect") == 3 + 1
    assert svg.count("<polygon") == 2 + 1
    # Direct labels at the end of each line, besides the legend.
    for name in ("Incidents", "Crimes", "Non-crimes"):
        assert svg.count(f">{name}</text>") == 2, name


def test_bar_series_differ_by_fill_pattern():
    svg = bar_chart(
        chart_id="chart-b",
        title="Rates by year",
        description="See the table.",
        labels=["2025"],
        series=[Series(f"S{i}", [i + 1]) for i in range(5)],
    )

    assert svg.count("<pattern ") == 4  # the first series is solid
    fills = re.findall(r'fill="(url\(#[^)]+\))"', svg)
    assert len(set(fills)) == 4
    assert 'id="chart-b-pattern-1"' in svg
