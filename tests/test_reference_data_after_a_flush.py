"""A transactional test ends by emptying every table; the reference lists the migrations
loaded (boroughs and teams, agency types, offences, risk instruments, lesson themes) are
loaded again after it (conftest.py), so a test that runs after one on the same worker still
finds them.
pytest-django runs the tests that use no database after the transactional ones: the second
test runs after the first."""

import pytest

from cases.models import OffenceType
from homicidereviews.models import LessonTheme
from publicprotection.accounts.models import AgencyType, Team
from riskassessment.models import Instrument


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_finds_the_lists_and_empties_the_tables():
    assert Team.objects.filter(code="LAM").exists()


def test_the_lists_are_there_again_after_it(django_db_blocker):
    with django_db_blocker.unblock():
        assert Team.objects.filter(code="LAM").exists()
        assert AgencyType.objects.exists()
        assert OffenceType.objects.exists()
        assert Instrument.objects.exists()
        assert LessonTheme.objects.exists()
