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
    assert svg.count("<circle") == 3  # no point for the missing month
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
    assert svg.count("<rect") == 4 + 2  # bars plus legend keys
