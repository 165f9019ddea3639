"""Child safeguarding routing of an incident, from the current ages of its parties.

Incidents (a party added, the date moved, submission) and people (an age corrected) both
re-route through here, so neither services module needs the other for it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from ..models import (
    CHILD_ROLES,
    ChildrensServicesReferral,
    Incident,
    PartyRole,
    Person,
    ReferralReason,
)


def age_on(person: Person, day: date) -> int | None:
    if person.date_of_birth:
        dob = person.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    return person.estimated_age


def safeguarding_refresh(incident: Incident, *, actor) -> None:
    """Route under-age victims to child safeguarding; any child prompts the referral record.

    DOMAIN.md: an incident whose victim is under DOMESTIC_ABUSE_MINIMUM_AGE (on the day it
    happened) is routed as child safeguarding, with a mandatory children's services referral
    record. Ages change after a party is added (a date of birth found, an estimate corrected),
    so this runs whenever a party, the incident's date or a party's age changes, and again at
    submission, which therefore always checks the current ages."""
    parties = list(incident.parties.select_related("person"))
    day = timezone.localtime(incident.occurred_at).date()
    minimum = settings.DOMESTIC_ABUSE_MINIMUM_AGE
    under_age = any(
        p.role == PartyRole.VICTIM and (age_on(p.person, day) is not None)
        and age_on(p.person, day) < minimum
        for p in parties
    )  # fmt: skip
    children = any(p.role in CHILD_ROLES for p in parties)
    reasons = []
    if under_age:
        reasons.append(ReferralReason.VICTIM_UNDER_AGE)
    if children:
        reasons.append(ReferralReason.CHILDREN_IN_HOUSEHOLD)

    if incident.child_safeguarding != under_age:
        incident.child_safeguarding = under_age
        Incident.objects.filter(pk=incident.pk).update(child_safeguarding=under_age)
    referral = ChildrensServicesReferral.objects.filter(incident=incident).first()
    if reasons and referral is None:
        ChildrensServicesReferral.objects.create(incident=incident, reasons=reasons)
    elif reasons and referral.reasons != reasons:
        referral.reasons = reasons
        referral.save(update_fields=["reasons"])
    elif not reasons and referral is not None and not referral.is_made:
        referral.delete()
