"""AnyOfIds and AnyOfTexts: filters by a long list sent as one array."""

import pytest
from django.db.models import F

from publicprotection.accounts.models import Borough
from publicprotection.lookups import AnyOfIds, AnyOfTexts

pytestmark = pytest.mark.django_db


def test_any_of_ids_finds_exactly_those_rows():
    wanted = list(Borough.objects.order_by("id").values_list("id", flat=True)[:3])

    found = Borough.objects.filter(AnyOfIds(F("pk"), wanted))

    assert sorted(b.pk for b in found) == wanted
    assert not Borough.objects.filter(AnyOfIds(F("pk"), [])).exists()


def test_any_of_texts_sends_the_strings_as_data():
    lambeth = Borough.objects.get(code="LAM")
    awkward = ['x", }{', "o'neill", "{a,b}", "NULL"]

    found = Borough.objects.filter(AnyOfTexts(F("name"), [lambeth.name, *awkward]))

    assert list(found) == [lambeth]


@pytest.mark.parametrize(
    ("lookup", "values"),
    [(AnyOfIds, [1, "2"]), (AnyOfIds, [1.0]), (AnyOfTexts, ["a", 1])],
)
def test_values_of_another_type_are_refused(lookup, values):
    with pytest.raises(TypeError):
        list(Borough.objects.filter(lookup(F("pk"), values)))
