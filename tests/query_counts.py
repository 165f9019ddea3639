"""Query-count checks shared by every app's tests: a page or endpoint must take the same number
of queries at 5 rows and at 50 (CONVENTIONS.md, no N+1)."""

import re
from collections import Counter
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def _shape(sql: str) -> str:
    """The query with its literals blanked, so the same query for another row compares equal."""
    return re.sub(r"\bs\d+_x\d+\b|\b\d+\b|'[^']*'", "?", sql)


def _captured(client, url: str, data: dict | None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200, f"GET {url} gave {response.status_code}"
    return [query["sql"] for query in ctx.captured_queries], response


def assert_queries_do_not_grow(client, url: str, grow: Callable[[], object], data=None):
    """GET url, call grow() to add rows, GET it again: both take the same number of queries.

    A first, uncounted GET fills the per-process caches (content types, reference data) so
    that only the rows make a difference. On failure the message lists the queries that differ.
    Returns the last response, so the test can check the new rows are really on it."""
    _captured(client, url, data)
    before, _ = _captured(client, url, data)
    grow()
    after, response = _captured(client, url, data)
    more = Counter(map(_shape, after)) - Counter(map(_shape, before))
    fewer = Counter(map(_shape, before)) - Counter(map(_shape, after))
    detail = "\n".join(
        [f"+{times} x {sql[:600]}" for sql, times in more.items()]
        + [f"-{times} x {sql[:600]}" for sql, times in fewer.items()]
    )
    assert len(after) == len(before), f"{len(before)} queries before, {len(after)} after:\n{detail}"
    return response


def repeat(times: int, make: Callable[[], object]) -> Callable[[], None]:
    def grow():
        for _ in range(times):
            make()

    return grow
