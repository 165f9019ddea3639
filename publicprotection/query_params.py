"""Whole numbers typed into a URL's query or a form box, read without a 500 on odd input.

`str.isdigit()` accepts characters `int()` refuses ("¹", superscript one), and `int()` refuses
strings of more than 4,300 digits: both passed a bare `isdigit()` check and raised a 500.
`str.isdecimal()` and `int()` both accept every script's decimal digits ("١٢", Arabic-Indic
twelve, is 12 to them): a number in a URL or a box is read from ASCII 0-9 only, so one record
or page has one spelling in the address bar, the logs and the audit.
"""

from __future__ import annotations


def whole_number(text, *, max_digits: int = 12) -> int | None:
    """`text` as a non-negative int if it is 1 to `max_digits` ASCII digits (0-9), else None."""
    if not isinstance(text, str) or not 0 < len(text) <= max_digits:
        return None
    if not (text.isascii() and text.isdecimal()):
        return None
    return int(text)
