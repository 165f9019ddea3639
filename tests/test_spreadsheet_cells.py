"""CSV cells a spreadsheet shows as text: publicprotection/spreadsheet_cells.py, and the two
CSV exports that write free text through it (the trends tables, the chronology)."""

import csv
import io
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from homicidereviews.exports import chronology_csv
from homicidereviews.selectors.chronology import Chronology, Entry
from publicprotection.spreadsheet_cells import as_text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Threats to kill", "Threats to kill"),
        ("DV/LAM/2026/000001", "DV/LAM/2026/000001"),
        (12, "12"),
    ],
)
def test_a_cell_that_would_start_a_formula_is_text(value, cell):
    assert as_text(value) == cell


def test_the_chronology_csv_writes_no_formula_in_its_text_columns():
    entry = Entry(
        when=datetime(2026, 3, 1, 12, tzinfo=UTC),
        kind="Incident",
        about="victim",
        summary="\t=cmd|' /C calc'!A0",
        reference="=DV/LAM/2026/000001",
        url_name="home",
        url_args=(),
        markers=["-HIGH risk not referred"],
    )
    review = SimpleNamespace(reference="DHR-2026-0001")

    rows = list(csv.reader(io.StringIO(chronology_csv(Chronology(review, [entry], None, None)))))

    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["summary"] == "'\t=cmd|' /C calc'!A0"
    assert row["reference"] == "'=DV/LAM/2026/000001"
    assert row["markers"] == "'-HIGH risk not referred"
