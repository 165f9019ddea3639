"""Odd input is refused or answered, never a 500:
- numbers typed into a URL or a date box that `str.isdigit()` accepts and `int()` refuses
  (superscripts), or too long for `int()` (over 4,300 digits): publicprotection/query_params.py
  (Hypothesis found the superscript in a date box);
- a date box's number that `int()` reads but `datetime()` cannot hold (a day of 10 digits is an
  OverflowError, not the ValueError of 31 February);
- the last dates there are: a filter "up to 31 December 9999" added a day past it, and the MARAC
  data return's quarter 9999-Q4 ended in year 10000 (0000-Q1 began in a year with no dates);
- the first: the audit search "to" a day in year 1, "from" left empty, began its default window
  12 months earlier, in year 0;
- other scripts' decimal digits ("١٢", Arabic-Indic twelve), which `str.isdecimal()`, `int()`
  and a regular expression's `\\d` all take for numbers: a number in a URL, a header or a box
  is ASCII 0-9 only."""

import pytest
from django.urls import reverse
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cases.tests.factories import IncidentFactory
from marac.tests.factories import coordinator
from publicprotection.api.pagination import BoundedPageNumberPagination
from publicprotection.api.versions import PreconditionFailed, if_match_version
from publicprotection.pagination import MAX_PAGE, page_number
from publicprotection.query_params import whole_number

SUPERSCRIPT_ONE = "\u00b9"
ARABIC_INDIC_TWELVE = "\u0661\u0662"
TOO_LONG = "9" * 5000
TOO_BIG_FOR_C = "9" * 10  # a whole number to int(), an OverflowError to datetime()
FULLWIDTH_SEVEN = "\uff17"
ODD = [SUPERSCRIPT_ONE, TOO_LONG, "1" + SUPERSCRIPT_ONE, "-1", "1_0", " 1", ""]
# Decimal digits of other scripts: int() reads them, a URL or a box must not.
OTHER_DIGITS = [ARABIC_INDIC_TWELVE, "1" + ARABIC_INDIC_TWELVE, FULLWIDTH_SEVEN, "\u0967\u0968"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("42", 42), ("007", 7), ("9" * 12, 999_999_999_999)]
    + [(text, None) for text in ODD + OTHER_DIGITS]
    + [("9" * 13, None), (None, None), (7, None)],
)
def test_whole_number(text, number):
    assert whole_number(text) == number


@pytest.mark.django_db
@pytest.mark.parametrize("odd", [SUPERSCRIPT_ONE, TOO_LONG])
def test_api_page_and_page_size(api_client, lambeth_officer, odd):
    api_client.force_authenticate(lambeth_officer)
    for url in (reverse("api:incident-list"), reverse("api:person-list")):
        size = api_client.get(url, {"page_size": odd})
        assert size.status_code in (200, 400), (url, size.status_code)
        page = api_client.get(url, {"page": odd})
        assert page.status_code in (200, 404), (url, page.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("odd", [SUPERSCRIPT_ONE, TOO_LONG])
def test_query_ids_on_pages(client, lambeth_officer, odd):
    incident = IncidentFactory(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    party_add = reverse("cases:incident-party-add", args=[incident.reference])
    assert client.get(party_add, {"person": odd, "role": "victim"}).status_code == 200
    states = client.get(reverse("marac:incident-states"), {"incident": [odd, str(incident.pk)]})
    assert states.status_code == 200
    client.force_login(coordinator())
    referral = client.get(reverse("marac:referral-create"), {"assessment": odd})
    assert referral.status_code == 404


def arabic_indic(number: int) -> str:
    return str(number).translate({ord("0") + d: 0x0660 + d for d in range(10)})


@pytest.mark.django_db
def test_other_scripts_digits_are_not_numbers_in_a_url(api_client, client, lambeth_officer):
    from cases.tests.factories import PersonFactory

    api_client.force_authenticate(lambeth_officer)
    size = api_client.get(reverse("api:incident-list"), {"page_size": ARABIC_INDIC_TWELVE})
    assert size.status_code == 400
    assert [error["attr"] for error in size.json()["errors"]] == ["page_size"]

    # The person the viewer registered, named by the same id in Arabic-Indic digits: not read
    incident = IncidentFactory(actor=lambeth_officer)
    person = PersonFactory(actor=lambeth_officer, given_name="Lee", family_name="Mint")
    client.force_login(lambeth_officer)
    party_add = reverse("cases:incident-party-add", args=[incident.reference])
    ascii_id = client.get(party_add, {"person": str(person.pk), "role": "victim"})
    assert "Link Lee Mint to this incident" in ascii_id.text
    other_digits = client.get(party_add, {"person": arabic_indic(person.pk), "role": "victim"})
    assert other_digits.status_code == 200
    assert "Lee Mint" not in other_digits.text


@pytest.mark.django_db
def test_other_scripts_digits_are_not_a_date(client, lambeth_officer):
    client.force_login(lambeth_officer)
    response = client.post(
        reverse("cases:incident-create"),
        {
            "occurred_at_day": arabic_indic(12),
            "occurred_at_month": "3",
            "occurred_at_year": "2026",
            "occurred_at_hour": "10",
            "occurred_at_minute": "15",
        },
    )
    assert "Enter a real date and time" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("odd", [SUPERSCRIPT_ONE, TOO_LONG, TOO_BIG_FOR_C])
def test_date_boxes(client, lambeth_officer, odd):
    client.force_login(lambeth_officer)
    response = client.post(
        reverse("cases:incident-create"),
        {
            "occurred_at_day": odd,
            "occurred_at_month": "3",
            "occurred_at_year": "2026",
            "occurred_at_hour": "10",
            "occurred_at_minute": odd,
        },
    )
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Enter a real date and time" in page
    assert f'value="{odd}"' in page  # what was typed is kept


@pytest.mark.django_db
def test_filtering_up_to_the_last_date_there_is(client, api_client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    page = client.get(reverse("cases:incident-list"), {"date_to": "9999-12-31"})
    assert page.status_code == 200 and incident.reference in page.content.decode()
    api_client.force_authenticate(lambeth_officer)
    api = api_client.get(reverse("api:incident-list"), {"date_to": "9999-12-31"})
    assert api.status_code == 200
    assert [row["reference"] for row in api.json()["results"]] == [incident.reference]


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", ["9999-Q4", "0000-Q1", "\u0662\u0660\u0662\u0665-Q1"])
def test_a_quarter_outside_the_calendar_is_not_found(client, quarter):
    client.force_login(coordinator())
    response = client.get(reverse("homicidereviews:data-return"), {"quarter": quarter})
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", ["9999-Q4", "0000-Q1"])
def test_a_quarter_outside_the_calendar_is_a_field_error_in_the_api(api_client, quarter):
    api_client.force_authenticate(coordinator())
    response = api_client.get(reverse("api:marac-data-return"), {"team": "LAM", "quarter": quarter})
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["quarter"]


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "month"), [("1", "1"), ("31", "12")])
def test_an_audit_search_to_a_day_in_the_first_year_there_is(client, admin_user, day, month):
    client.force_login(admin_user)
    response = client.get(
        reverse("audit:search"),
        {"date_to_day": day, "date_to_month": month, "date_to_year": "0001"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="date_from_year" value="1"' in page  # the window starts on the first date
    assert f'name="date_to_day" value="{day}"' in page


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("3", 3),
        (3, 3),  # from code (tests, selectors): an int as it is
        (0, 1),
        ("0", 1),
        (None, 1),
        ("abc", 1),
        (" 3", 1),
        ("-3", 1),
        ("9" * 4300, MAX_PAGE),
        (TOO_LONG, 1),
    ]
    + [(digits, 1) for digits in OTHER_DIGITS],
)
def test_a_page_number_on_a_page(raw, number):
    assert page_number(raw) == number


# Page 2 of 30 rows exists: int() reads both as 2.
@pytest.mark.parametrize("raw", ["\u0662", "\uff12", "abc"])
def test_an_api_page_number_that_is_not_ascii_digits_is_not_found(raw):
    request = Request(APIRequestFactory().get("/", {"page": raw}))
    with pytest.raises(NotFound):
        BoundedPageNumberPagination().paginate_queryset(list(range(30)), request)


@pytest.mark.parametrize(("raw", "first"), [("2", 25), ("", 0), ("last", 25)])
def test_an_api_page_number_in_ascii_digits(raw, first):
    request = Request(APIRequestFactory().get("/", {"page": raw}))
    rows = BoundedPageNumberPagination().paginate_queryset(list(range(30)), request)
    assert rows[0] == first


@pytest.mark.django_db
def test_the_person_list_reads_a_page_size_in_ascii_digits_only(api_client, lambeth_officer):
    from cases.tests.factories import PersonFactory

    PersonFactory.create_batch(3, actor=lambeth_officer)
    api_client.force_authenticate(lambeth_officer)
    url = reverse("api:person-list")

    assert len(api_client.get(url, {"page_size": "2"}).json()["results"]) == 2
    # Not a number: the default page size, as for "x"
    assert len(api_client.get(url, {"page_size": "\u0662"}).json()["results"]) == 3


@pytest.mark.parametrize(
    ("header", "version"), [('"v3"', 3), ('W/"v12"', 12), ('"v\u0663"', None), ('"v\uff17"', None)]
)
def test_if_match_names_a_version_in_ascii_digits_only(header, version):
    request = Request(APIRequestFactory().get("/", HTTP_IF_MATCH=header))
    if version is None:
        with pytest.raises(PreconditionFailed):
            if_match_version(request)
    else:
        assert if_match_version(request) == version
