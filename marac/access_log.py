"""What the access log says about MARAC records: a label that tells an auditor what was read,
and the people each record is about (access_log_record's `subjects`), so that every read of a
victim's referral, case, research or actions appears in their record history (ADR 0002).

Each reads only what the selectors already loaded (a referral's perpetrators when they were
prefetched with it): no query of its own, but for a meeting's cases (one)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from publicprotection.london_time import LONDON

from .models import MaracAction, MaracCaseListing, MaracMeeting, MaracReferral


def referral_label(referral: MaracReferral) -> str:
    """ "MARAC referral MR-12 of 3 Dec 2026, DV/2026/000123" (the incident loaded with it)."""
    made = timezone.localdate(referral.created_at, timezone=LONDON)
    return (
        f"MARAC referral {referral.reference} of {made.day} {made:%b %Y}, "
        f"{referral.incident.reference}"
    )


def listing_label(listing: MaracCaseListing) -> str:
    """The referral's reference ("MR-12"), which the audit search matches as a label: it
    finds every read of the case by it."""
    return listing.referral.reference


def action_label(action: MaracAction) -> str:
    """The case's reference ("MR-12", as the case's own reads): never the action's
    description, which is free text (an agency may write where the victim is staying)."""
    return action.listing.referral.reference


def referral_subjects(referrals: Iterable[MaracReferral]) -> list[int]:
    """Each referral's victim, and the perpetrators on record it names when they were loaded
    with it (referral_get and referral_list prefetch them)."""
    people = []
    for referral in referrals:
        people.append(referral.person_id)
        if "perpetrators" in getattr(referral, "_prefetched_objects_cache", {}):
            people.extend(person.pk for person in referral.perpetrators.all())
    return people


def listing_subjects(listings: Iterable[MaracCaseListing]) -> list[int]:
    """The victim of each listed case."""
    return [listing.referral.person_id for listing in listings]


def action_subjects(actions: Iterable[MaracAction]) -> list[int]:
    """The victim of each action's case."""
    return [action.listing.referral.person_id for action in actions]


def meeting_subjects(meeting: MaracMeeting) -> list[int]:
    """The victims of the cases listed at the meeting, which every section of its page, its
    minutes and its API detail name: one query, however many cases."""
    return list(
        MaracCaseListing.objects.filter(meeting=meeting)
        .order_by("position", "id")
        .values_list("referral__person_id", flat=True)
    )
