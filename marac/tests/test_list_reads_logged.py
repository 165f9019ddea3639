"""MARAC lists that name people write the access log: the coordinator's home and referral
list, a partner's home, case list and actions, and their API equivalents. One entry per kind of
record a response names, naming every one of them shown."""

import pytest
from django.urls import reverse

from publicprotection.audit.models import AccessChannel, AccessLogEntry
from riskassessment.models import RiskAssessment

from ..models import MaracAction, MaracCaseListing, MaracReferral
from .factories import (
    an_action,
    coordinator,
    high_assessment,
    listed_case,
    meeting,
    refer,
    social_care_partner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    """A Lambeth case listed at a meeting a partner agency is invited to, with an action for
    the agency; a referral awaiting triage; a HIGH assessment not yet referred."""
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    partner = social_care_partner()
    action = an_action(listing, partner.agency, coord)
    return {
        "coord": coord,
        "partner": partner,
        "listing": listing,
        "action": action,
        "triage": refer(),
        "to_refer": high_assessment(),
    }


def named(response_user, model):
    """The ids each entry for `model` names, for the requests `response_user` made."""
    return [
        set(entry.object_ids)
        for entry in AccessLogEntry.objects.filter(user=response_user)
        if entry.content_type.model_class() is model
    ]


# (who, URL, model named, the record it must name)
PAGES = {
    "referral list": (
        "coord",
        reverse("marac:referral-list") + "?status=submitted",
        MaracReferral,
        "triage",
    ),
    "referral list API": (
        "coord",
        reverse("api:marac-referral-list") + "?status=submitted",
        MaracReferral,
        "triage",
    ),
    "action list API": ("coord", reverse("api:marac-action-list"), MaracAction, "action"),
    "partner's case list": ("partner", reverse("marac:case-list"), MaracCaseListing, "listing"),
    "partner's case list API": (
        "partner",
        reverse("api:marac-case-list"),
        MaracCaseListing,
        "listing",
    ),
    "partner's action list API": (
        "partner",
        reverse("api:marac-action-list"),
        MaracAction,
        "action",
    ),
}


@pytest.mark.parametrize("list_page", PAGES.values(), ids=PAGES.keys())
def test_a_list_naming_people_logs_one_entry_naming_every_record_shown(client, plan, list_page):
    who, url, model, shown = list_page
    viewer = plan[who]
    client.force_login(viewer)

    response = client.get(url)

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(user=viewer)
    assert entry.content_type.model_class() is model
    assert entry.object_ids == [str(plan[shown].pk)]
    api = url.startswith("/api/")
    assert entry.channel == (AccessChannel.API if api else AccessChannel.WEB)


def test_the_coordinators_home_logs_the_referrals_and_assessments_it_names(client, plan):
    client.force_login(plan["coord"])

    assert client.get(reverse("marac:home")).status_code == 200

    assert named(plan["coord"], MaracReferral) == [{str(plan["triage"].pk)}]
    assert named(plan["coord"], RiskAssessment) == [{str(plan["to_refer"].pk)}]


def test_a_partners_home_logs_its_shared_cases_and_actions(client, plan):
    client.force_login(plan["partner"])

    assert client.get(reverse("marac:home")).status_code == 200

    assert named(plan["partner"], MaracCaseListing) == [{str(plan["listing"].pk)}]
    assert named(plan["partner"], MaracAction) == [{str(plan["action"].pk)}]


def test_the_new_referral_page_logs_the_assessment_read(client, plan):
    assessment = plan["to_refer"]
    client.force_login(plan["coord"])

    response = client.get(reverse("marac:referral-create") + f"?assessment={assessment.pk}")

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(user=plan["coord"])
    assert (entry.content_type.model_class(), entry.object_id) == (
        RiskAssessment,
        str(assessment.pk),
    )


# A refused form shows its page again, the case and its people by name: logged like the GET.
REFUSED_FORMS = {
    "partner's research": (
        "partner",
        lambda plan: reverse("marac:case-research", args=[plan["listing"].pk]),
        "listing",
    ),
    "partner's action update without any text": (
        "partner",
        lambda plan: reverse("marac:action-update", args=[plan["action"].pk]),
        "action",
    ),
    "action given to no agency": (
        "coord",
        lambda plan: reverse(
            "marac:meeting-action-reassign",
            args=[plan["listing"].meeting_id, plan["action"].pk],
        ),
        "action",
    ),
    "referral rejected without a reason": (
        "coord",
        lambda plan: reverse("marac:referral-reject", args=[plan["triage"].pk]),
        "triage",
    ),
    "referral referred again without criteria": (
        "coord",
        lambda plan: reverse("marac:referral-create") + f"?assessment={plan['to_refer'].pk}",
        "to_refer",
    ),
    "meeting action without a description": (
        "coord",
        lambda plan: reverse(
            "marac:meeting-action-create",
            args=[plan["listing"].meeting_id, plan["listing"].pk],
        ),
        "meeting",
    ),
    "minutes without a summary": (
        "coord",
        lambda plan: reverse(
            "marac:meeting-discussion", args=[plan["listing"].meeting_id, plan["listing"].pk]
        ),
        "meeting",
    ),
}


@pytest.mark.parametrize("refused", REFUSED_FORMS.values(), ids=REFUSED_FORMS.keys())
def test_a_refused_form_showing_the_case_again_logs_its_read(client, plan, refused):
    who, url, shown = refused
    plan["meeting"] = plan["listing"].meeting
    viewer = plan[who]
    client.force_login(viewer)

    response = client.post(url(plan), {"version": "1"})

    assert response.status_code == 400
    record = plan[shown]
    assert [
        (entry.content_type.model_class(), entry.object_id)
        for entry in AccessLogEntry.objects.filter(user=viewer)
    ] == [(type(record), str(record.pk))]
