"""Links for a page of rows at the cost of one `reverse` a kind of link: each `{% url %}` in a
row costs about 40 microseconds, a hundred or so on the MARAC home (its four lists of twenty).
`cases.views.incidents.url_for_each_reference` does the same for incident references."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse


def url_for_each_pk(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for a page of records, at the cost of one reverse. A pk goes
    into its URL as its digits (Django's int converter), so one record's URL is every record's
    with the number swapped."""
    sample = 987654321
    head, tail = reverse(name, args=[sample]).split(str(sample))
    return lambda pk: f"{head}{int(pk)}{tail}"
