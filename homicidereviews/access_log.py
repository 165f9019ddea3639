"""Who a homicide review is about, for the access log (access_log_record's `subjects`): the
victim and the suspect, so that every read of the review is in their record history (ADR
0002). From the review's own columns: no query."""

from __future__ import annotations

from collections.abc import Iterable

from .models import HomicideReview


def review_subjects(reviews: Iterable[HomicideReview]) -> list[int]:
    return [
        person_id
        for review in reviews
        for person_id in (review.victim_id, review.suspect_id)
        if person_id is not None
    ]
