"""CSV exports of the dashboard tables (Python's csv module; the definitions travel with them)."""

from __future__ import annotations

import csv
import io

from .dashboard import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    # Spreadsheet formula injection: a text cell must never start a formula.
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def table_csv(*, table: Table, area_name: str, generated_at) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [table.row_header]
    for f in table.figures:
        if f.is_rate:
            header += [f"{f.label} (%)", f"{f.label}: numerator", f"{f.label}: denominator"]
        else:
            header.append(f.label)
    writer.writerow(header)
    rows = [*table.rows, *([table.total] if table.total else [])]
    for row in rows:
        line = [_safe(row.label)]
        for f in table.figures:
            cell = row.cell(f)
            if f.is_rate:
                rate = "No data" if cell.value is None else f"{cell.value:.1f}"
                line += [rate, cell.numerator, cell.denominator]
            else:
                line.append(cell.numerator)
        writer.writerow(line)
    writer.writerow([])
    writer.writerow(["OFFICIAL-SENSITIVE"])
    writer.writerow([_safe(f"{table.title}, {area_name}")])
    writer.writerow([f"Generated {generated_at:%-d %B %Y %H:%M} (London time)"])
    for f in table.figures:
        writer.writerow([_safe(f"Definition: {f.label}"), _safe(f.definition)])
    return buffer.getvalue()
