"""CSV exports of the dashboard tables (Python's csv module; the definitions travel with them)."""

from __future__ import annotations

import csv
import io

from publicprotection.spreadsheet_cells import as_text

from .dashboard import Table


def table_csv(*, table: Table, area_name: str, generated_at) -> str:
    """A tidy CSV: notes first (marking, title, part periods, definitions), a blank line, then
    the header and one row a period or borough holding only numbers or empty cells (a rate
    with nothing counted is empty, never "No data"), so a spreadsheet can use it as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["OFFICIAL-SENSITIVE"])
    writer.writerow([as_text(f"{table.title}, {area_name}")])
    writer.writerow([f"Generated {generated_at:%-d %B %Y %H:%M} (London time)"])
    rows = [*table.rows, *([table.total] if table.total else [])]
    for row in rows:
        if row.part_to is not None:
            writer.writerow(
                [as_text(f"Note: {row.period} is incomplete: figures to {row.part_to:%-d %B %Y}.")]
            )
    if any(f.is_rate for f in table.figures):
        writer.writerow(["Note: a rate is empty where nothing was counted in its denominator."])
    for f in table.figures:
        writer.writerow([as_text(f"Definition: {f.label}"), as_text(f.definition)])
    writer.writerow([])
    header = [table.row_header]
    for f in table.figures:
        if f.is_rate:
            header += [f"{f.label} (%)", f"{f.label}: numerator", f"{f.label}: denominator"]
        else:
            header.append(f.label)
    writer.writerow(header)
    for row in rows:
        line = [as_text(row.period or row.label)]
        for f in table.figures:
            cell = row.cell(f)
            if f.is_rate:
                rate = "" if cell.value is None else f"{cell.value:.1f}"
                line += [rate, cell.numerator, cell.denominator]
            else:
                line.append(cell.numerator)
        writer.writerow(line)
    return buffer.getvalue()
