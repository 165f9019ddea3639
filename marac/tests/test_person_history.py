"""Every read of a victim's MARAC referral, listed case, research or actions, page or API, is in
the victim's record history (audit:record-history for the person), saying what was read; a
referral's read is in its named perpetrators' history too. A confidential address never shows
there (ADR 0002)."""

import pytest
from django.urls import reverse

from cases.services.people import person_address_add
from publicprotection.accounts.tests.factories import team
from tests.person_history import reads_by

from ..models import ReferralPerpetrator
from ..services.agendas import agenda_generate
from ..services.sharing import meeting_invite
from .factories import (
    an_action,
    coordinator,
    high_assessment,
    idva_partner,
    listed_case,
    meeting,
    refer,
)
from .helpers import MONDAY, awaiting_decision

pytestmark = pytest.mark.django_db


def got(client, url) -> None:
    assert client.get(url).status_code == 200


def test_a_referrals_page_and_api_reads_are_in_the_victims_history(client, api_client, admin_user):
    coord = coordinator()
    referral = refer()
    client.force_login(coord)
    got(client, reverse("marac:referral-detail", args=[referral.pk]))
    got(client, reverse("marac:referral-list"))
    api_client.force_authenticate(coord)
    got(api_client, reverse("api:marac-referral-detail", args=[referral.pk]))
    got(api_client, reverse("api:marac-referral-list"))

    reads = reads_by(client, admin_user, referral.person, coord)

    assert [(r.channel, r.object_id, r.object_ids) for r in reads] == [
        ("api", "", [str(referral.pk)]),
        ("api", str(referral.pk), []),
        ("web", "", [str(referral.pk)]),
        ("web", str(referral.pk), []),
    ]
    assert {r.content_type.model for r in reads} == {"maracreferral"}
    assert reads[-1].object_label.startswith(f"MARAC referral {referral.reference} of ")
    assert reads[-1].object_label.endswith(referral.incident.reference)


def test_a_referrals_read_is_in_its_perpetrators_history(client, admin_user):
    coord = coordinator()
    referral = refer()
    [perpetrator_id] = ReferralPerpetrator.objects.filter(referral=referral).values_list(
        "person", flat=True
    )
    client.force_login(coord)
    got(client, reverse("marac:referral-detail", args=[referral.pk]))

    perpetrator = type(referral.person).objects.get(pk=perpetrator_id)
    [entry] = reads_by(client, admin_user, perpetrator, coord)
    assert entry.object_id == str(referral.pk)


def test_the_referral_form_is_in_the_victims_history(client, admin_user):
    coord = coordinator()
    assessment = high_assessment()
    client.force_login(coord)
    got(client, f"{reverse('marac:referral-create')}?assessment={assessment.pk}")

    [entry] = reads_by(client, admin_user, assessment.person, coord)
    assert entry.object_id == str(assessment.pk)


def test_a_partners_reads_of_a_shared_case_are_in_the_victims_history(
    client, api_client, admin_user
):
    assessment = high_assessment()
    # A refuge address on record: the history never shows it.
    person_address_add(
        actor=assessment.created_by,
        person=assessment.person,
        line_1="17 Refuge Lane",
        postcode="SE1 7AA",
        is_confidential=True,
    )
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord, assessment=assessment)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    # An agency's free text may say where the victim is: the action is logged by number.
    action = an_action(
        listing, idva.agency, coord, description="Sanctuary scheme fitted at 17 Refuge Lane"
    )
    client.force_login(idva)
    got(client, reverse("marac:case-summary", args=[listing.pk]))
    got(client, reverse("marac:case-list"))
    # The action's page is shown by a refused update (it takes POSTs only).
    assert client.post(reverse("marac:action-update", args=[action.pk]), {}).status_code == 400
    api_client.force_authenticate(idva)
    got(api_client, reverse("api:marac-case-detail", args=[listing.pk]))
    got(api_client, reverse("api:marac-case-list"))
    got(api_client, reverse("api:marac-case-research", args=[listing.pk]))
    got(api_client, reverse("api:marac-action-detail", args=[action.pk]))
    got(api_client, reverse("api:marac-action-list"))

    reads = reads_by(client, admin_user, assessment.person, idva)

    assert [(r.content_type.model, r.channel, r.object_id, r.object_ids) for r in reads] == [
        ("maracaction", "api", "", [str(action.pk)]),
        ("maracaction", "api", str(action.pk), []),
        ("maraccaselisting", "api", str(listing.pk), []),  # the research
        ("maraccaselisting", "api", "", [str(listing.pk)]),
        ("maraccaselisting", "api", str(listing.pk), []),
        ("maracaction", "web", str(action.pk), []),
        ("maraccaselisting", "web", "", [str(listing.pk)]),
        ("maraccaselisting", "web", str(listing.pk), []),
    ]
    assert {reads[0].object_label, reads[1].object_label, reads[5].object_label} == {
        "(1 in a list)",
        listing.referral.reference,
    }
    assert reads[2].object_label == f"{listing.referral.reference} research"
    page = client.get(reverse("audit:record-history", args=["cases.person", assessment.person.pk]))
    assert f"Marac case listing: {listing.referral.reference}" in page.text
    assert "Refuge Lane" not in page.text
    assert "SE1 7AA" not in page.text


def test_a_meetings_pages_and_api_are_in_its_victims_history(client, api_client, admin_user):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    client.force_login(coord)
    got(client, reverse("marac:meeting-detail", args=[at.pk]))
    got(client, reverse("marac:meeting-minutes", args=[at.pk]))
    api_client.force_authenticate(coord)
    got(api_client, reverse("api:marac-meeting-detail", args=[at.pk]))

    reads = reads_by(client, admin_user, listing.referral.person, coord)

    assert [(r.content_type.model, r.channel, r.path) for r in reads] == [
        ("maracmeeting", "api", reverse("api:marac-meeting-detail", args=[at.pk])),
        ("maracmeeting", "web", reverse("marac:meeting-minutes", args=[at.pk])),
        ("maracmeeting", "web", reverse("marac:meeting-detail", args=[at.pk])),
    ]


def test_a_case_read_is_not_in_another_victims_history(client, admin_user):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    other = refer()
    client.force_login(coord)
    got(client, reverse("marac:referral-detail", args=[listing.referral.pk]))

    assert reads_by(client, admin_user, other.person, coord) == []


def test_the_coordinators_home_is_in_the_referred_victims_history(client, admin_user):
    coord = coordinator()
    referral = refer()  # submitted: awaiting the coordinator's triage
    client.force_login(coord)
    got(client, reverse("marac:home"))

    [entry] = reads_by(client, admin_user, referral.person, coord)
    assert (entry.content_type.model, entry.object_ids) == ("maracreferral", [str(referral.pk)])


def test_a_daily_agendas_page_and_pdf_are_in_the_history_of_the_people_it_names(
    client, lambeth_supervisor, admin_user
):
    decision = awaiting_decision()  # on the agenda: awaiting the supervisor's review
    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    assert agenda.has_pdf
    client.force_login(lambeth_supervisor)
    got(client, reverse("marac:agenda-detail", args=[agenda.pk]))
    got(client, reverse("marac:agenda-download", args=[agenda.pk]))

    reads = reads_by(client, admin_user, decision.suspect.person, lambeth_supervisor)
    assert [(r.content_type.model, r.action, r.object_id) for r in reads] == [
        ("agenda", "download", str(agenda.pk)),
        ("agenda", "view", str(agenda.pk)),
    ]
