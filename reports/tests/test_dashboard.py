from reports.dashboard import Table
from reports.figures import figure
from reports.selectors import Row

NUMERIC = '<td class="govuk-table__cell govuk-table__cell--numeric">'


def _row(label, sums):
    row = Row(label, label)
    row.sums.update(sums)
    return row


def test_table_rows_show_counts_rates_with_their_parts_and_escape_labels():
    incidents, arrest = figure("incidents"), figure("arrest_rate")
    table = Table(
        key="t",
        title="T",
        row_header="Borough",
        figures=[incidents, arrest],
        rows=[_row("<Lambeth>", {incidents.numerator: 1234})],
        total=_row("London", {incidents.numerator: 5, arrest.numerator: 2, arrest.denominator: 4}),
    )

    html = table.html_rows

    assert html.count('<tr class="govuk-table__row">') == 2
    assert '<th scope="row" class="govuk-table__header">&lt;Lambeth&gt;</th>' in html
    assert f"{NUMERIC}1,234</td>{NUMERIC}No data</td>" in html  # no denominator: no parts
    assert f'{NUMERIC}50.0%<br><span class="govuk-body-s">2 of 4</span></td>' in html
