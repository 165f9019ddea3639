"""Fictional people and a few weeks of incidents in the demo boroughs.

Everything goes through the services, so the demo data obeys the same rules as real data.
Idempotent: a borough that already has demo incidents is left alone.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from cases.models import (
    ArrestDecision,
    ArrestOutcome,
    ArrestReviewEvent,
    HowReported,
    Incident,
    NotArrestedReason,
    OffenceType,
    Outcome,
    PartyRole,
    RelationshipType,
    ReviewStatus,
)
from cases.services.incidents import (
    childrens_referral_record,
    incident_create,
    incident_record_outcome,
    incident_submit,
    offence_add,
    party_add,
)
from cases.services.people import person_address_add, person_create
from cases.services.positive_action import (
    arrest_decision_record,
    arrest_decision_return,
    review_deadline,
)
from publicprotection.accounts.models import User

# Fictional names: any likeness to real people is accidental.
VICTIMS = [
    ("Amara", "Okafor", date(1991, 3, 14)),
    ("Chloe", "Henderson", date(1988, 11, 2)),
    ("Fatima", "Rahman", date(1995, 7, 23)),
    ("Grace", "Whitfield", date(1979, 1, 30)),
    ("Priya", "Natarajan", date(1993, 9, 9)),
]
SUSPECTS = [
    ("Darren", "Kettle", date(1987, 6, 5)),
    ("Marcus", "Bell", date(1985, 2, 17)),
    ("Imran", "Qureshi", date(1990, 12, 1)),
    ("Steven", "Harrow", date(1975, 4, 28)),
]
STREETS = ["Acacia Avenue", "Mill Lane", "Station Road", "Chestnut Close", "Albert Terrace"]

NOT_PRESENT = (
    "The suspect had left the address before officers arrived. An area search with the "
    "victim's description found no trace; his mother's address has been visited without result."
)
INSUFFICIENT = (
    "Both parties gave conflicting accounts, there were no visible injuries, no witnesses and "
    "the body-worn video does not show any assault; further enquiries will be made with neighbours."
)


def seed_demo(stdout) -> None:
    for username, postcode_area in (("lam.officer", "SW9"), ("sou.officer", "SE15")):
        officer = User.objects.get(username=username)
        if Incident.objects.filter(created_by=officer).exists():
            continue
        _seed_borough(officer, postcode_area, random.Random(username))  # noqa: S311 - demo data
    stdout.write(f"Demo incidents: {Incident.objects.count()}\n")


def _person(officer, given, family, born):
    return person_create(actor=officer, given_name=given, family_name=family, date_of_birth=born)


def _seed_borough(officer, postcode_area: str, rng: random.Random) -> None:
    supervisor = User.objects.get(username=officer.username.replace("officer", "supervisor"))
    borough = officer.team.borough
    now = timezone.now()
    victims = [_person(officer, *v) for v in VICTIMS]
    suspects = [_person(officer, *s) for s in SUSPECTS]
    person_address_add(
        actor=officer,
        person=victims[0],
        line_1="Confidential refuge address",
        postcode=f"{postcode_area} 1ZZ",
        from_date=(now - timedelta(days=10)).date(),
        is_confidential=True,
    )
    offences = {o.code: o for o in OffenceType.objects.all()}
    # (days ago, victim, suspect, offence, decision) — victim 0 is a repeat victim of suspect 0,
    # suspect 1 abuses two victims (a serial perpetrator).
    plan = [
        (26, 0, 0, "common_assault", "arrested"),
        (19, 1, 1, "harassment", "insufficient"),
        (15, 0, 0, "abh", "not_present"),
        (11, 2, 1, "coercive_control", "arrested"),
        (7, 3, 2, "criminal_damage", "arrested"),
        (4, 0, 0, "threats_to_kill", "not_present"),
        (2, 4, 3, "strangulation", "insufficient"),
        (1, 1, 1, "stalking", "draft"),
    ]
    for days_ago, v, s, offence_code, decision in plan:
        occurred = now - timedelta(days=days_ago, hours=rng.randint(1, 10))
        street = STREETS[v % len(STREETS)]
        incident = incident_create(
            actor=officer,
            borough=borough,
            occurred_at=occurred,
            reported_at=occurred + timedelta(minutes=rng.randint(5, 90)),
            how_reported=rng.choice([HowReported.EMERGENCY_999, HowReported.NON_EMERGENCY_101]),
            location={"line_1": f"{10 + v} {street}", "postcode": f"{postcode_area} {v + 1}AB"},
            abuse_types=["physical", "emotional"]
            if offence_code != "harassment"
            else ["psychological"],
            officer_narrative=(
                "Fictional demo incident. Officers attended, separated the parties and took "
                "first accounts on body-worn video."
            ),
            evidence_types=["bwv", "999_recording"] if days_ago % 2 else ["photos_injuries"],
        )
        party_add(
            actor=officer,
            incident_id=incident.pk,
            person_id=victims[v].pk,
            searched_name=victims[v].full_name,
            role=PartyRole.VICTIM,
        )
        suspect = party_add(
            actor=officer,
            incident_id=incident.pk,
            person_id=suspects[s].pk,
            searched_name=suspects[s].full_name,
            role=PartyRole.SUSPECT,
            relationship_to_victim=rng.choice(
                [RelationshipType.PARTNER, RelationshipType.FORMER_PARTNER]
            ),
        )
        offence_add(
            actor=officer,
            incident_id=incident.pk,
            suspect=suspect,
            offence_type=offences[offence_code],
        )
        if v == 3:
            child = person_create(
                actor=officer,
                given_name="Leo",
                family_name="Whitfield",
                date_of_birth=date(2018, 5, 5),
            )
            party_add(
                actor=officer,
                incident_id=incident.pk,
                person_id=child.pk,
                role=PartyRole.CHILD_IN_HOUSEHOLD,
            )
            childrens_referral_record(
                actor=officer,
                incident_id=incident.pk,
                referred_at=occurred + timedelta(hours=2),
                referred_to=f"{borough.name} Children's Services MASH",
            )
        if decision == "draft":
            continue
        if decision == "arrested":
            arrest_decision_record(
                actor=officer,
                suspect=suspect,
                outcome=ArrestOutcome.ARRESTED,
                arrested_at=occurred + timedelta(minutes=40),
                arrested_by="PC 4521",
            )
        else:
            arrest_decision_record(
                actor=officer,
                suspect=suspect,
                outcome=ArrestOutcome.NOT_ARRESTED,
                reason=NotArrestedReason.SUSPECT_NOT_PRESENT
                if decision == "not_present"
                else NotArrestedReason.INSUFFICIENT_GROUNDS,
                justification=NOT_PRESENT if decision == "not_present" else INSUFFICIENT,
            )
        incident_submit(actor=officer, incident_id=incident.pk)
        _backdate_decision(incident, decided_at=occurred + timedelta(hours=1))
        if decision == "arrested" and days_ago > 10:
            incident_record_outcome(actor=officer, incident_id=incident.pk, outcome=Outcome.CHARGE)
        if decision == "insufficient" and days_ago > 10:
            arrest_decision_return(
                actor=supervisor,
                decision_id=suspect.arrest_decision.pk,
                required_action="Speak to the neighbour at number 14 who called it in, and "
                "request the 999 recording before this can be endorsed.",
            )


def _backdate_decision(incident, *, decided_at) -> None:
    """Demo decisions were made on the day of the incident, so older ones are overdue."""
    decisions = ArrestDecision.objects.filter(incident=incident)
    decisions.update(decided_at=decided_at)
    decisions.filter(review_status=ReviewStatus.AWAITING).update(
        review_due_at=review_deadline(decided_at)
    )
    ArrestReviewEvent.objects.filter(decision__incident=incident).update(created_at=decided_at)
