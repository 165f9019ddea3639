"""Reviews made through the services, as in production."""

from __future__ import annotations

from datetime import date, timedelta

from cases.tests.factories import PersonFactory
from publicprotection.accounts.models import Borough

from ..selectors.reviews import london_today
from ..services import review_create


def a_review(actor, *, victim=None, suspect=None, died: date | None = None, **fields):
    victim = victim or PersonFactory(actor=actor, given_name="Dee", family_name="Ceased")
    fields.setdefault("circumstances", "Found dead at home; the partner was arrested.")
    fields.setdefault("borough", Borough.objects.get(code="LAM"))
    fields.setdefault("partnership", "Safer Lambeth Partnership")
    return review_create(
        actor=actor,
        victim_id=victim.pk,
        suspect_id=suspect.pk if suspect else None,
        date_of_death=died or london_today() - timedelta(days=10),
        **fields,
    )
