"""Every write to a domestic homicide review, its recommendations and lessons. Only the review
lead and central supervisors may write (PermissionDenied otherwise); history is kept by the
pghistory triggers on each model."""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases.models import Person
from cases.selectors.names import normalise_name, people_with_similar_names
from publicprotection.errors import ConcurrentEditError
from publicprotection.london_time import london_today
from publicprotection.private_files import store_checksummed

from .models import (
    Decision,
    HomicideReview,
    Lesson,
    LessonTheme,
    Recommendation,
    RecommendationStatus,
)
from .selectors.reviews import can_work_on_reviews

logger = logging.getLogger(__name__)

REVIEW_FIELDS = (
    "date_of_death",
    "circumstances",
    "borough",
    "partnership",
    "notified_on",
    "decision",
    "decided_on",
    "decision_notes",
    "chair",
    "panel_agencies",
    "terms_of_reference",
    "chronology_due_on",
    "chronology_submitted_on",
    "imr_due_on",
    "imr_submitted_on",
    "overview_draft_on",
    "overview_completed_on",
    "home_office_submitted_on",
    "published_on",
)
LETTER_MAX_BYTES = 5 * 1024 * 1024


def _require_reviewer(actor) -> None:
    if not can_work_on_reviews(actor):
        raise PermissionDenied("Only the review lead and central supervisors work on reviews.")


# A record number alone, counted up, would put anyone in London on a review (and a mistyped
# one the wrong person): the number comes with the person's name, matched as the person search
# matches names. An unknown number and a name that does not match get the one answer, after the
# same queries, so the refusal never tells which part was wrong.
NO_SUCH_PERSON = "No person in the register has that record number and name"
NAME_MAX_LENGTH = Person._meta.get_field("search_name").max_length


def _named_person(
    person_id: int, name: str | None, field: str, errors: dict[str, str]
) -> Person | None:
    """The person with this record number if `name` is similar (pg_trgm `%`, as the person
    search) to their name or an alias; otherwise None, with the refusal in `errors`."""
    query = normalise_name(name or "")
    if not query:
        errors[field] = f"Enter the {field}'s full name, as the register has it"
        return None
    person = None
    if len(query) <= NAME_MAX_LENGTH:
        candidates = Person.objects.filter(pk=person_id)
        person = people_with_similar_names(query, people=candidates).first()
    if person is None:
        errors[field] = NO_SUCH_PERSON
    return person


def _age_on(person: Person, day: date) -> int | None:
    born = person.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _check(review: HomicideReview, today: date) -> None:
    errors: dict[str, str] = {}
    if review.date_of_death and review.date_of_death > today:
        errors["date_of_death"] = "The date of death must be today or earlier"
    age = _age_on(review.victim, review.date_of_death) if review.date_of_death else None
    if age is not None and age < settings.DOMESTIC_ABUSE_MINIMUM_AGE:
        errors["victim"] = (
            f"Domestic homicide reviews are for deaths of people aged "
            f"{settings.DOMESTIC_ABUSE_MINIMUM_AGE} or over: this is a child death review"
        )
    for field in (
        "notified_on",
        "decided_on",
        "chronology_submitted_on",
        "imr_submitted_on",
        "overview_draft_on",
        "overview_completed_on",
        "home_office_submitted_on",
        "published_on",
    ):
        value = getattr(review, field)
        if value is None:
            continue
        if value > today:
            errors.setdefault(field, "This date must be today or earlier")
        elif review.date_of_death and value < review.date_of_death:
            errors.setdefault(field, "This date must be on or after the date of death")
    if review.decision != Decision.PENDING:
        if review.decided_on is None:
            errors.setdefault("decided_on", "Enter the date of the partnership's decision")
        if review.notified_on is None:
            errors.setdefault("notified_on", "Record the notification before the decision")
    elif review.decided_on is not None:
        errors.setdefault("decision", "Choose the partnership's decision for this date")
    if (
        review.notified_on
        and review.decided_on
        and review.decided_on < review.notified_on
        and "decided_on" not in errors
    ):
        errors["decided_on"] = "The decision cannot come before the notification"
    if review.decision != Decision.COMMISSIONED:
        for field in ("chronology_submitted_on", "imr_submitted_on", "overview_completed_on"):
            if getattr(review, field):
                errors.setdefault(field, "Only a commissioned review has this step")
    if review.published_on and not review.overview_completed_on:
        errors.setdefault("published_on", "Record when the overview report was completed first")
    for field, subject in (
        ("chronology_due_on", "The police chronology due date"),
        ("imr_due_on", "The individual management review due date"),
    ):
        if problem := _due_date_problem(getattr(review, field), review.date_of_death, subject):
            errors.setdefault(field, problem)
    if errors:
        raise ValidationError(errors)


# A deadline comes after the death it is about, and a review with its recommendations runs for
# a few years: these bounds catch a mistyped year (2062 for 2026, 0026), which made a step
# overdue for ever or never due.
DUE_WITHIN_YEARS_OF_DEATH = 10


def _due_date_problem(due: date | None, death: date | None, subject: str) -> str | None:
    if due is None or death is None:
        return None
    if due < death:
        return f"{subject} must be on or after the date of death"
    if due > _years_after(death, DUE_WITHIN_YEARS_OF_DEATH):
        return f"{subject} must be within {DUE_WITHIN_YEARS_OF_DEATH} years of the date of death"
    return None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def review_create(
    *,
    actor,
    victim_id: int,
    victim_name: str,
    suspect_id: int | None = None,
    suspect_name: str = "",
    letter=None,
    **fields,
) -> HomicideReview:
    """Record a death for review. The victim (and the suspect, if known) are named by record
    number and name, and the name must match the record (`_named_person`)."""
    _require_reviewer(actor)
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    victim = _named_person(victim_id, victim_name, "victim", errors)
    suspect = None
    if suspect_id not in (None, ""):
        suspect = _named_person(suspect_id, suspect_name, "suspect", errors)
    if errors:
        raise ValidationError(errors)
    review = HomicideReview(victim=victim, suspect=suspect, created_by=actor, **fields)
    if review.suspect_id and review.suspect_id == review.victim_id:
        raise ValidationError({"suspect": "The suspect cannot be the victim"})
    _check(review, london_today())
    review.full_clean()
    review.save()
    if letter is not None:
        _store_letter(review, letter)
        review.save(update_fields=["notification_letter"])
    return review


@transaction.atomic
def review_update(
    *,
    actor,
    review_id: int,
    version: int,
    suspect_id: int | None = None,
    suspect_name: str = "",
    letter=None,
    **fields,
) -> HomicideReview:
    """Change a review. `suspect_id` is the suspect after the change (None: no suspect); a
    suspect added or changed comes with their name, matched as on create (a name sent for the
    unchanged suspect is matched as well). The victim stays."""
    _require_reviewer(actor)
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    review = HomicideReview.objects.select_for_update().select_related("victim").get(pk=review_id)
    if review.version != version:
        raise ConcurrentEditError("review")
    for name, value in fields.items():
        setattr(review, name, value)
    if suspect_id in (None, ""):
        review.suspect = None
    # A name typed for the suspect already on the review is checked too: whoever typed it
    # believes the number is that person's, and a mismatch means one of the two is wrong.
    elif suspect_id != review.suspect_id or (suspect_name or "").strip():
        errors: dict[str, str] = {}
        review.suspect = _named_person(suspect_id, suspect_name, "suspect", errors)
        if errors:
            raise ValidationError(errors)
    if review.suspect_id and review.suspect_id == review.victim_id:
        raise ValidationError({"suspect": "The suspect cannot be the victim"})
    _check(review, london_today())
    if letter is not None:
        _store_letter(review, letter)
    review.version += 1
    review.full_clean()
    review.save()
    return review


def _store_letter(review: HomicideReview, upload) -> None:
    # Never more than the limit in memory: Django keeps a big upload on disk, and its size is
    # known before reading (read bounded too, should a size be missing or wrong).
    too_big = (upload.size or 0) > LETTER_MAX_BYTES
    content = b"" if too_big else upload.read(LETTER_MAX_BYTES + 1)
    if too_big or len(content) > LETTER_MAX_BYTES:
        raise ValidationError({"letter": "The letter must be smaller than 5 MB"})
    if not content.startswith(b"%PDF-"):
        raise ValidationError({"letter": "The letter must be a PDF"})
    checksum = hashlib.sha256(content).hexdigest()
    name = f"homicidereviews/{review.pk}/notification-{checksum[:16]}.pdf"
    try:
        review.notification_letter.name = store_checksummed(name, content, checksum)
    except OSError as exc:
        # The private storage is full, read-only or gone: the whole save is refused (the
        # transaction rolls back, so no review points at a missing file) and the form is shown
        # again with what was typed, instead of a server error that loses it.
        logger.exception("Could not store the notification letter of review %s", review.pk)
        raise ValidationError(
            {
                "letter": "The letter could not be stored just now, so nothing has been saved. "
                "Try again in a few minutes, or save without the letter and add it later."
            }
        ) from exc


# --- Recommendations ---------------------------------------------------------------------------


def _check_recommendation(recommendation: Recommendation) -> None:
    if problem := _due_date_problem(
        recommendation.due_on, recommendation.review.date_of_death, "The due date"
    ):
        raise ValidationError({"due_on": problem})
    if recommendation.status == RecommendationStatus.COMPLETED:
        errors = {}
        if not recommendation.evidence.strip():
            errors["evidence"] = "Record the evidence that the recommendation is complete"
        if recommendation.completed_on is None:
            errors["completed_on"] = "Enter the date it was completed"
        elif recommendation.completed_on > london_today():
            errors["completed_on"] = "The completion date must be today or earlier"
        if errors:
            raise ValidationError(errors)
    elif recommendation.completed_on is not None:
        raise ValidationError({"completed_on": "Only a completed recommendation has this date"})


@transaction.atomic
def recommendation_add(
    *,
    actor,
    review_id: int,
    text: str,
    owner_agency: str,
    due_on: date,
    status: str = RecommendationStatus.OPEN,
    evidence: str = "",
    completed_on: date | None = None,
) -> Recommendation:
    _require_reviewer(actor)
    review = HomicideReview.objects.select_for_update().get(pk=review_id)
    recommendation = Recommendation(
        review=review,
        text=text,
        owner_agency=owner_agency,
        due_on=due_on,
        status=status,
        evidence=evidence,
        completed_on=completed_on,
        created_by=actor,
    )
    _check_recommendation(recommendation)
    recommendation.full_clean()
    recommendation.save()
    return recommendation


@transaction.atomic
def recommendation_update(
    *, actor, recommendation_id: int, version: int, **fields
) -> Recommendation:
    _require_reviewer(actor)
    allowed = {"text", "owner_agency", "due_on", "status", "evidence", "completed_on"}
    if set(fields) - allowed:
        raise TypeError(f"Unknown fields: {sorted(set(fields) - allowed)}")
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation_id)
    if recommendation.version != version:
        raise ConcurrentEditError("recommendation")
    for name, value in fields.items():
        setattr(recommendation, name, value)
    _check_recommendation(recommendation)
    recommendation.version += 1
    recommendation.full_clean()
    recommendation.save()
    return recommendation


@transaction.atomic
def lesson_add(*, actor, review_id: int, theme: LessonTheme, summary: str) -> Lesson:
    _require_reviewer(actor)
    review = HomicideReview.objects.get(pk=review_id)
    lesson = Lesson(review=review, theme=theme, summary=summary, created_by=actor)
    lesson.full_clean()
    lesson.save()
    return lesson
