"""Text written to a CSV that people open in a spreadsheet (the trends tables, the homicide
review chronology): a cell beginning with a formula character is run as a formula by Excel
and LibreOffice ("=HYPERLINK(...)" in a name or a summary), so such a cell is written with a
leading apostrophe, which the spreadsheet shows as text. The characters are OWASP's list."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(value) -> str:
    """`value` as a cell a spreadsheet shows as text, never as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text
