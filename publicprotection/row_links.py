"""Links for a page of rows at the cost of one `reverse` a kind of link.

Each `{% url %}` in a row costs about 40 microseconds of Django's URL machinery (the incident
list's forty links were 1.5 ms of its CPU, the MARAC home's hundred or so about 4 ms). When the
one argument goes into the URL as it is, one record's URL is every record's with the argument
swapped: `url_for_each("cases:incident-detail", INCIDENT_REFERENCE_SAMPLE)(incident.reference)`.
Only for arguments whose converter writes them unchanged and which need no quoting: a pk
(Django's int converter) or an incident reference (capitals, digits and slashes;
cases.converters). tests/test_row_links.py checks each use against `reverse`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

PK_SAMPLE = 987654321
INCIDENT_REFERENCE_SAMPLE = "DV/AAA/0000/000000"


def url_for_each(name: str, sample: int | str = PK_SAMPLE) -> Callable[[int | str], str]:
    """`reverse(name, args=[value])` for each value of a page, at the cost of one reverse."""
    head, tail = reverse(name, args=[sample]).split(str(sample))
    return lambda value: f"{head}{value}{tail}"
