"""Every figure on a small hand-made dataset with known answers (the `dataset` fixture)."""

import pytest

from reports.figures import figure
from reports.selectors import Cell, borough_comparison, trends
from reports.services import rollup_refresh

pytestmark = pytest.mark.django_db


EXPECTED_LAMBETH = {
    "incidents": "4",
    "crimes": "3",
    "non_crimes": "1",
    "arrest_rate": "50.0%",  # S1 and S3 (arrested later) of S1, S2, S3, S5
    "sanction_detection_rate": "33.3%",  # A of A, B, G
    "repeat_victim_rate": "50.0%",  # V1 in B and V3 in G, of 4 victims
    "review_compliance": "50.0%",  # B in time, C late; S5 not yet due
    "risk_standard": "1",
    "risk_medium": "0",
    "risk_high": "1",
}


def test_every_figure_matches_its_definition(dataset, analyst):
    start, end = dataset.start, dataset.end
    rollup_refresh(start=start, end=end)

    rows, london = borough_comparison(viewer=analyst, start=start, end=end)

    lambeth = next(r for r in rows if r.key == "LAM")
    assert {key: lambeth.cell(figure(key)).display for key in EXPECTED_LAMBETH} == (
        EXPECTED_LAMBETH
    )
    assert lambeth.cell(figure("arrest_rate")) == Cell(2, 4)
    assert lambeth.cell(figure("review_compliance")) == Cell(1, 2)
    southwark = next(r for r in rows if r.key == "SOU")
    assert southwark.cell(figure("incidents")).display == "1"
    assert southwark.cell(figure("arrest_rate")).display == "No data"
    assert london.cell(figure("incidents")).display == "5"
    assert london.cell(figure("repeat_victim_rate")).display == "40.0%"  # 2 of 5


def test_rates_are_sums_of_numerators_over_sums_of_denominators(dataset):
    start, end = dataset.start, dataset.end
    rollup_refresh(start=start, end=end)

    data = trends(borough=None, today=end)

    assert len(data.monthly) == 60 and len(data.yearly) == 5
    assert sum(r.sums["victims"] for r in data.monthly) == 5
    assert sum(r.sums["repeat_victims"] for r in data.monthly) == 2
    assert sum(r.sums["incidents"] for r in data.yearly) == sum(
        r.sums["incidents"] for r in data.monthly if r.key.year >= end.year - 4
    )
    empty = data.monthly[0]
    assert empty.cell(figure("sanction_detection_rate")).display == "No data"


def test_a_borough_supervisor_sees_only_their_borough(dataset, lambeth_supervisor):
    start, end = dataset.start, dataset.end
    rollup_refresh(start=start, end=end)

    rows, london = borough_comparison(viewer=lambeth_supervisor, start=start, end=end)

    assert [r.key for r in rows] == ["LAM"] and london is None


def test_marac_referrals_and_the_repeat_marac_rate(dataset, analyst):
    from marac.models import MaracReferral
    from marac.tests.factories import refer

    refer(), refer()  # Lambeth, made today
    third = refer()
    MaracReferral.objects.filter(pk=third.pk).update(is_repeat=True)
    start, end = dataset.start, dataset.end
    rollup_refresh(start=start, end=end)

    rows, london = borough_comparison(viewer=analyst, start=start, end=end)

    lambeth = next(r for r in rows if r.key == "LAM")
    assert lambeth.cell(figure("marac_referrals")).display == "3"
    assert lambeth.cell(figure("repeat_marac_rate")) == Cell(1, 3)
    assert london.cell(figure("repeat_marac_rate")).display == "33.3%"
    southwark = next(r for r in rows if r.key == "SOU")
    assert southwark.cell(figure("repeat_marac_rate")).display == "No data"
