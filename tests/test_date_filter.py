"""The `date` filter standing in for Django's (publicprotection/date_filter.py) writes exactly
what Django's does: every format the templates use and generated ones, dates and datetimes
(aware in several zones, naive), other values, other languages."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Template, defaultfilters
from django.utils import translation
from django.utils.timezone import template_localtime
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from publicprotection import date_filter

ZONES = [UTC, ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]


def ours(value, fmt: str) -> str:
    return Template("{{ value|date:fmt }}").render(Context({"value": value, "fmt": fmt}))


def djangos(value, fmt: str) -> str:
    # What Django's filter writes in a template: local time first (expects_localtime), escaped.
    from django.utils.html import conditional_escape

    return str(conditional_escape(defaultfilters.date(template_localtime(value), fmt)))


def formats_in_templates() -> set[str]:
    root = Path(settings.BASE_DIR) / "templates"
    found = set()
    for path in root.rglob("*.html"):
        found.update(re.findall(r"\|date:[\"']([^\"']+)[\"']", path.read_text()))
    return found


def test_the_builtin_date_filter_is_ours():
    node = Template("{{ v|date:'j M Y' }}").nodelist[0]
    assert node.filter_expression.filters[0][0] is date_filter.date_filter


def test_every_format_the_templates_use_is_read_by_ours_and_writes_what_djangos_does():
    formats = formats_in_templates()
    assert {"j M Y H:i", "j F Y", "l j F Y, H:i", "c", "Y-m-d"} <= formats
    values = [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the hour the clocks go forward
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # the hour that happens twice
        datetime(1999, 1, 1, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 12, 6, 8, 5),  # naive
    ]
    for fmt in formats:
        assert date_filter._pieces(fmt) is not None, fmt  # the fast way, not Django's
        for value in values:
            assert ours(value, fmt) == djangos(value, fmt), (fmt, value)
        if not set(fmt) & set("His"):
            assert ours(date(2026, 2, 1), fmt) == djangos(date(2026, 2, 1), fmt), fmt


specifiers = st.sampled_from(list("jdDlnmFMYHisc") + ["N", "P", "e", "T", "S", "a", "b"])
literals = st.sampled_from([" ", ", ", ":", "-", "/", ".", "at ", "\\Y", "x", "()", "<b>"])
formats = st.lists(st.one_of(specifiers, literals), min_size=1, max_size=8).map("".join)
moments = st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2099, 12, 31))
values = st.one_of(
    st.builds(lambda m, z: m.replace(tzinfo=UTC).astimezone(z), moments, st.sampled_from(ZONES)),
    moments,
    st.dates(min_value=date(1000, 1, 1)),
    st.sampled_from([None, "", "not a date", 5, timedelta(hours=1)]),
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(value=values, fmt=formats, language=st.sampled_from(["en-gb", "fr", "cy"]))
def test_generated_formats_and_values_write_what_djangos_does(value, fmt, language):
    with translation.override(language):
        try:
            expected = djangos(value, fmt)
        except TypeError:  # a date with a time specifier: Django's filter raises it
            expected = TypeError
        if expected is TypeError:
            try:
                ours(value, fmt)
            except TypeError:
                return
            raise AssertionError("Django's filter raised; ours did not")
        assert ours(value, fmt) == expected
