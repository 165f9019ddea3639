"""Every button with no form (docs/adr/0012, ServiceActionView): refused by its service, it goes
back to the page the button is on with the service's own words as an error banner, and nothing
changed; a wrong role is still a 403 and another borough's record a 404."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cases.models import Incident, IncidentStatus, PartyRole
from cases.tests.factories import IncidentFactory, add_offence, add_party, complete_incident
from marac.models import AgendaStatus, MaracMeeting, MaracReferral, MeetingAttendance
from marac.services.agendas import agenda_request_generation
from marac.services.meetings import attendance_add, meeting_cancel
from marac.services.referrals import referral_accept
from marac.tests.factories import coordinator, listed_case, meeting, refer
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import RiskAssessment

pytestmark = pytest.mark.django_db


@dataclass
class Press:
    """A button press: who presses it, where it posts, the page it goes back to, what the
    service says, and the records that must not change."""

    user: object
    url: str
    back: str
    words: str
    state: object  # a callable: the records the refusal must leave as they were
    data: dict | None = None


def incident_url(incident):
    return reverse("cases:incident-detail", args=[incident.reference])


def submitted_incident_press(route, words, pick):
    def build():
        incident, victim, suspect = complete_incident()
        party_or_offence = pick(incident, victim, suspect)
        return Press(
            user=incident.created_by,
            url=reverse(route, args=[incident.reference, party_or_offence.pk]),
            back=incident_url(incident),
            words=words,
            state=lambda: (incident.parties.count(), incident.offences.count()),
        )

    return build


def submit_twice():
    incident, _, _ = complete_incident()
    return Press(
        user=incident.created_by,
        url=reverse("cases:incident-submit", args=[incident.reference]),
        back=incident_url(incident),
        words="This incident has already been submitted.",
        state=lambda: Incident.objects.values_list("status", "version").get(pk=incident.pk),
    )


def submit_incomplete():
    incident = IncidentFactory(status=IncidentStatus.DRAFT)
    return Press(
        user=incident.created_by,
        url=reverse("cases:incident-submit", args=[incident.reference]),
        back=incident_url(incident),
        words="Add the victim.",
        state=lambda: Incident.objects.values_list("status", "version").get(pk=incident.pk),
    )


def meeting_press(route, words, *, started=False, cancelled=False):
    def build():
        at = meeting(starts_at=timezone.now() + timedelta(hours=-1 if started else 1))
        coord = coordinator()
        if cancelled:
            meeting_cancel(actor=coord, meeting=at)
        return Press(
            user=coord,
            url=reverse(route, args=[at.pk]),
            back=reverse("marac:meeting-detail", args=[at.pk]),
            words=words,
            state=lambda: MaracMeeting.objects.values_list("status").get(pk=at.pk),
        )

    return build


def remove_from_cancelled_meeting():
    listing = listed_case()
    coord = coordinator()
    at = listing.meeting
    meeting_cancel(actor=coord, meeting=at)
    return Press(
        user=coord,
        url=reverse("marac:meeting-listing-remove", args=[at.pk, listing.pk]),
        back=reverse("marac:meeting-detail", args=[at.pk]),
        words="This meeting is cancelled; cases can only be removed from a scheduled meeting.",
        state=lambda: at.listings.count(),
    )


def acknowledge_apologies():
    at, coord = meeting(), coordinator()
    attendance = attendance_add(
        actor=coord, meeting=at, person_name="Ali Khan", agency_name="Housing", status="apologies"
    )
    return Press(
        user=coord,
        url=reverse("marac:meeting-attendance-acknowledge", args=[at.pk, attendance.pk]),
        back=reverse("marac:meeting-attendance", args=[at.pk]),
        words="Only someone present can acknowledge the confidentiality statement.",
        state=lambda: MeetingAttendance.objects.values_list("confidentiality_acknowledged").get(
            pk=attendance.pk
        ),
    )


def accept_twice():
    referral, coord = refer(), coordinator()
    referral_accept(actor=coord, referral_id=referral.pk)
    return Press(
        user=coord,
        url=reverse("marac:referral-accept", args=[referral.pk]),
        back=reverse("marac:referral-detail", args=[referral.pk]),
        words="This referral is accepted; it cannot be accepted.",
        state=lambda: (
            MaracReferral.objects.values_list("status").get(pk=referral.pk),
            referral.history.count(),
        ),
    )


def pack_of_cancelled_meeting():
    at, coord = meeting(), coordinator()
    meeting_cancel(actor=coord, meeting=at)
    return Press(
        user=coord,
        url=reverse("marac:meeting-document-request", args=[at.pk, "pack"]),
        back=reverse("marac:meeting-detail", args=[at.pk]),
        words="This meeting is cancelled.",
        state=lambda: at.documents.count(),
    )


def regenerate_while_generating():
    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    agenda, _ = agenda_request_generation(
        team=supervisor.team, meeting_date=timezone.localdate() + timedelta(days=1)
    )
    type(agenda).objects.filter(pk=agenda.pk).update(
        status=AgendaStatus.GENERATING, sent_at=timezone.now()
    )
    return Press(
        user=supervisor,
        url=reverse("marac:agenda-regenerate", args=[agenda.pk]),
        back=reverse("marac:agenda-list"),
        words="This agenda is being generated now.",
        state=lambda: type(agenda).objects.values_list("status").get(pk=agenda.pk),
    )


def start_without_instrument():
    incident, victim, _ = complete_incident()
    return Press(
        user=incident.created_by,
        url=reverse("riskassessment:assessment-start", args=[incident.reference, victim.pk]),
        back=reverse("riskassessment:incident-risk", args=[incident.reference]),
        words="Choose a risk instrument.",
        state=lambda: RiskAssessment.objects.count(),
        data={"instrument": "not-an-instrument"},
    )


REFUSED_PRESSES = {
    "remove a person from a submitted incident": submitted_incident_press(
        "cases:incident-party-remove",
        "People can only be removed while the incident is a draft.",
        lambda incident, victim, suspect: victim,
    ),
    "remove an offence from a submitted incident": submitted_incident_press(
        "cases:incident-offence-remove",
        "Offences can only be removed while the incident is a draft.",
        lambda incident, victim, suspect: incident.offences.get(),
    ),
    "submit an incident twice": submit_twice,
    "submit an incomplete draft": submit_incomplete,
    "mark held a meeting not yet started": meeting_press(
        "marac:meeting-held", "This meeting has not started yet; mark it as held once it has."
    ),
    "cancel a cancelled meeting": meeting_press(
        "marac:meeting-cancel",
        "This meeting is cancelled; it cannot be cancelled.",
        cancelled=True,
    ),
    "remove a case from a cancelled meeting": remove_from_cancelled_meeting,
    "acknowledge for someone who sent apologies": acknowledge_apologies,
    "accept a referral twice": accept_twice,
    "ask for the pack of a cancelled meeting": pack_of_cancelled_meeting,
    "regenerate an agenda being generated": regenerate_while_generating,
    "start an assessment without an instrument": start_without_instrument,
}


@pytest.mark.parametrize("press", REFUSED_PRESSES.values(), ids=REFUSED_PRESSES.keys())
def test_a_refused_button_shows_the_services_words_on_its_page_and_changes_nothing(client, press):
    press = press()
    client.force_login(press.user)
    before = press.state()

    response = client.post(press.url, press.data or {})

    assert response.status_code == 302
    assert response["Location"] == press.back
    shown = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert ("error", press.words) in shown
    assert press.state() == before


def test_a_button_still_answers_403_to_a_wrong_role_and_404_out_of_scope(client):
    incident, victim, _ = complete_incident()
    draft = IncidentFactory(status=IncidentStatus.DRAFT)
    suspect = add_party(draft, PartyRole.SUSPECT)
    add_offence(draft, suspect)
    remove = reverse("cases:incident-party-remove", args=[draft.reference, suspect.pk])
    southwark = UserFactory(role=Role.OFFICER, team=team("SOU"))
    analyst = UserFactory(role=Role.ANALYST, team=team("CEN"))

    client.force_login(analyst)
    assert client.post(remove).status_code == 403
    client.force_login(southwark)
    assert client.post(remove).status_code == 404
    assert draft.parties.filter(pk=suspect.pk).exists()

    at = meeting()
    client.force_login(coordinator("SOU"))
    assert client.post(reverse("marac:meeting-cancel", args=[at.pk])).status_code == 404
    client.force_login(incident.created_by)
    assert client.post(reverse("marac:meeting-cancel", args=[at.pk])).status_code == 403
    assert MaracMeeting.objects.get(pk=at.pk).status == "scheduled"
