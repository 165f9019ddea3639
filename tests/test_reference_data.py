"""The reference data the migrations load is the data the code lists.

Each 0002_reference_data migration carries its own copy of the lists (a migration must not
change with the code), and tests that flush the database reload them from the live modules
(`load_reference_data`): the two must not drift apart. A change to a list needs a data
migration that makes the same change."""

import pytest

from cases.models import OffenceType
from cases.reference_data import OFFENCE_TYPES
from homicidereviews.models import LessonTheme
from homicidereviews.reference_data import THEMES
from publicprotection.accounts.models import AgencyType, Borough, Team
from publicprotection.accounts.reference_data import AGENCY_TYPES, BOROUGHS, CENTRAL_TEAM
from riskassessment.models import Instrument, Question, RaraActionType
from riskassessment.reference_data import (
    DASH_PARAMETERS,
    DASH_QUESTIONS,
    RARA_ACTION_TYPES,
    SPECSS_PLUS_HELP,
    SPECSS_PLUS_PARAMETERS,
    SPECSS_PLUS_QUESTIONS,
)

pytestmark = pytest.mark.django_db


def test_the_migrated_offence_catalogue_is_the_listed_one():
    rows = OffenceType.objects.values_list("code", "name", "power_of_arrest", "seriousness")
    assert sorted(rows) == sorted(OFFENCE_TYPES)


def test_the_migrated_boroughs_teams_and_agency_types_are_the_listed_ones():
    assert sorted(Borough.objects.values_list("code", "name")) == sorted(BOROUGHS)
    teams = dict(Team.objects.values_list("code", "name"))
    assert teams == {
        **{code: f"{name} public protection group" for code, name in BOROUGHS},
        CENTRAL_TEAM[0]: CENTRAL_TEAM[1],
    }
    assert sorted(AgencyType.objects.values_list("code", "name")) == sorted(AGENCY_TYPES)


def test_the_migrated_instruments_and_rara_actions_are_the_listed_ones():
    specss = Instrument.objects.get(code="specss_plus", version=1)
    dash = Instrument.objects.get(code="dash", version=1)
    assert specss.parameters == SPECSS_PLUS_PARAMETERS and specss.is_default
    assert dash.parameters == DASH_PARAMETERS
    assert list(
        Question.objects.filter(instrument=specss)
        .order_by("order")
        .values_list("code", "text", "group")
    ) == [tuple(q) for q in SPECSS_PLUS_QUESTIONS]
    assert list(
        Question.objects.filter(instrument=dash).order_by("order").values_list("code", "text")
    ) == [tuple(q) for q in DASH_QUESTIONS]
    assert list(
        RaraActionType.objects.order_by("order").values_list("code", "name", "default_category")
    ) == [tuple(a) for a in RARA_ACTION_TYPES]


def test_the_migrated_specss_help_texts_are_the_listed_ones():
    help_texts = dict(
        Question.objects.filter(instrument__code="specss_plus", instrument__version=1)
        .exclude(help_text="")
        .values_list("code", "help_text")
    )
    assert help_texts == SPECSS_PLUS_HELP


def test_the_migrated_lesson_themes_are_the_listed_ones():
    assert sorted(LessonTheme.objects.values_list("code", "name")) == sorted(THEMES)
