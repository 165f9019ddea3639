import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.test import override_settings

from cases.tests.factories import PersonFactory
from publicprotection.errors import ConcurrentEditError
from publicprotection.london_time import london_today

from ..models import Decision, HomicideReview, RecommendationStatus
from ..selectors.reviews import reviews_with_overdue_steps
from ..services import (
    LETTER_MAX_BYTES,
    recommendation_add,
    recommendation_update,
    review_update,
)
from .factories import a_review

pytestmark = pytest.mark.django_db


def _fields(review, **changes):
    from ..services import REVIEW_FIELDS

    fields = {name: getattr(review, name) for name in REVIEW_FIELDS}
    fields.update(changes)
    return fields


def test_a_review_lead_records_a_death_with_a_suspect(review_lead):
    suspect = PersonFactory(actor=review_lead)
    review = a_review(review_lead, suspect=suspect)
    assert review.suspect == suspect
    assert review.decision == Decision.PENDING
    assert review.reference.startswith("DHR-")
    assert review.events.count() == 1  # history by trigger


def test_other_roles_cannot_record_a_review(lambeth_supervisor, analyst, coordinator):
    for actor in (lambeth_supervisor, analyst, coordinator):
        with pytest.raises(PermissionDenied):
            a_review(actor)
    assert HomicideReview.objects.count() == 0


def test_central_supervisor_may_record_a_review(central_supervisor):
    assert a_review(central_supervisor).pk


def test_a_death_in_the_future_or_of_a_child_is_refused(review_lead):
    with pytest.raises(ValidationError) as error:
        a_review(review_lead, died=london_today() + timedelta(days=1))
    assert "date_of_death" in error.value.message_dict
    child = PersonFactory(
        actor=review_lead, date_of_birth=london_today() - timedelta(days=365 * 12)
    )
    with pytest.raises(ValidationError) as error:
        a_review(review_lead, victim=child)
    assert "victim" in error.value.message_dict


def test_a_decision_needs_a_notification_and_a_date(review_lead):
    review = a_review(review_lead)
    with pytest.raises(ValidationError) as error:
        review_update(
            actor=review_lead,
            review_id=review.pk,
            version=review.version,
            **_fields(review, decision=Decision.COMMISSIONED),
        )
    assert {"decided_on", "notified_on"} <= set(error.value.message_dict)
    review.refresh_from_db()
    assert review.decision == Decision.PENDING


def test_a_stale_version_is_refused(review_lead):
    review = a_review(review_lead)
    review_update(actor=review_lead, review_id=review.pk, version=1, **_fields(review, chair="A"))
    with pytest.raises(ConcurrentEditError):
        review_update(
            actor=review_lead, review_id=review.pk, version=1, **_fields(review, chair="B")
        )
    review.refresh_from_db()
    assert (review.chair, review.version) == ("A", 2)


def test_the_letter_must_be_a_pdf_and_is_stored_privately(review_lead, private_storage):
    review = a_review(review_lead)
    with pytest.raises(ValidationError):
        review_update(
            actor=review_lead,
            review_id=review.pk,
            version=1,
            letter=SimpleUploadedFile("x.pdf", b"not a pdf"),
            **_fields(review),
        )
    review_update(
        actor=review_lead,
        review_id=review.pk,
        version=1,
        letter=SimpleUploadedFile("x.pdf", b"%PDF-1.4 letter"),
        **_fields(review),
    )
    review.refresh_from_db()
    assert (private_storage / review.notification_letter.name).read_bytes() == b"%PDF-1.4 letter"


@override_settings(DHR_NOTIFICATION_DAYS=30, DHR_DECISION_DAYS=30, DHR_CHRONOLOGY_DAYS=42)
def test_overdue_steps_follow_the_settings(review_lead):
    today = london_today()
    late = a_review(review_lead, died=today - timedelta(days=31))
    on_time = a_review(review_lead, died=today - timedelta(days=29))
    assert [s.step for s in late.overdue_steps(today)] == [
        "Notify the Community Safety Partnership"
    ]
    assert on_time.overdue_steps(today) == []
    review_update(
        actor=review_lead,
        review_id=late.pk,
        version=1,
        **_fields(
            late,
            notified_on=today - timedelta(days=30),
            decision=Decision.COMMISSIONED,
            decided_on=today - timedelta(days=29),
        ),
    )
    late.refresh_from_db()
    assert late.chronology_due == today - timedelta(days=29) + timedelta(days=42)
    assert late.overdue_steps(today) == []
    assert late.overdue_steps(today + timedelta(days=14))[0].step == "Police chronology"
    listed = reviews_with_overdue_steps(viewer=review_lead, today=today + timedelta(days=14))
    assert [r.pk for r, _ in listed] == [late.pk, on_time.pk] or {r.pk for r, _ in listed} == {
        late.pk,
        on_time.pk,
    }


def test_a_recommendation_is_completed_only_with_evidence(review_lead):
    review = a_review(review_lead)
    rec = recommendation_add(
        actor=review_lead,
        review_id=review.pk,
        text="Train call handlers on coercive control",
        owner_agency="Metropolitan Police",
        due_on=date(2030, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        recommendation_update(
            actor=review_lead,
            recommendation_id=rec.pk,
            version=1,
            status=RecommendationStatus.COMPLETED,
        )
    assert {"evidence", "completed_on"} <= set(error.value.message_dict)
    recommendation_update(
        actor=review_lead,
        recommendation_id=rec.pk,
        version=1,
        status=RecommendationStatus.COMPLETED,
        evidence="Training delivered to 400 staff; attendance list held.",
        completed_on=london_today(),
    )
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.COMPLETED and rec.version == 2


def test_due_dates_before_the_death_or_in_a_mistyped_year_are_refused(review_lead):
    # 0026 or 2062 for 2026 made a step overdue for ever or never due.
    review = a_review(review_lead, died=date(2026, 3, 1))

    def add(due_on):
        return recommendation_add(
            actor=review_lead, review_id=review.pk, text="Share", owner_agency="Met",
            due_on=due_on,
        )  # fmt: skip

    for due_on, message in (
        (date(26, 3, 1), "The due date must be on or after the date of death"),
        (date(2026, 2, 28), "The due date must be on or after the date of death"),
        (date(2036, 3, 2), "The due date must be within 10 years of the date of death"),
        (date(2062, 3, 1), "The due date must be within 10 years of the date of death"),
    ):
        with pytest.raises(ValidationError) as error:
            add(due_on)
        assert error.value.message_dict == {"due_on": [message]}
    assert add(date(2026, 3, 1)).pk and add(date(2036, 3, 1)).pk
    rec = add(date(2027, 1, 1))
    with pytest.raises(ValidationError):
        recommendation_update(
            actor=review_lead, recommendation_id=rec.pk, version=1, due_on=date(2072, 1, 1)
        )

    for field in ("chronology_due_on", "imr_due_on"):
        for bad in (date(2025, 12, 31), date(2062, 3, 1)):
            with pytest.raises(ValidationError) as error:
                review_update(
                    actor=review_lead, review_id=review.pk, version=review.version,
                    **_fields(review, **{field: bad}),
                )  # fmt: skip
            assert field in error.value.message_dict
        review = review_update(
            actor=review_lead, review_id=review.pk, version=review.version,
            **_fields(review, **{field: date(2026, 9, 1)}),
        )  # fmt: skip
        assert getattr(review, field) == date(2026, 9, 1)


class HugeUpload(io.RawIOBase):
    """An uploaded file far over the limit (a scanned bundle, a video sent by mistake), kept on
    disk by Django: reading it whole would hold it all in the worker's memory."""

    def __init__(self, size: int):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n

    def readall(self):
        raise AssertionError("the whole upload was read into memory")


def test_a_letter_over_the_limit_is_refused_without_reading_it_whole(review_lead, private_storage):
    review = a_review(review_lead)
    size = 50 * LETTER_MAX_BYTES
    huge = UploadedFile(HugeUpload(size), name="bundle.pdf", size=size)

    with pytest.raises(ValidationError) as refused:
        review_update(
            actor=review_lead, review_id=review.pk, version=1, letter=huge, **_fields(review)
        )

    assert "smaller than 5 MB" in str(refused.value.message_dict["letter"])
    review.refresh_from_db()
    assert review.version == 1 and not review.notification_letter


# --- The people on a review: record number and name --------------------------------------------

NO_SUCH_PERSON = "No person in the register has that record number and name"


def _death(**fields):
    from publicprotection.accounts.models import Borough

    return {
        "circumstances": "Found dead at home.",
        "borough": Borough.objects.get(code="LAM"),
        "partnership": "Safer Lambeth Partnership",
        "date_of_death": london_today() - timedelta(days=3),
        **fields,
    }


def _create(actor, **fields):
    from ..services import review_create

    return review_create(actor=actor, **_death(**fields))


def test_the_victim_is_attached_by_record_number_and_a_matching_name(review_lead):
    victim = PersonFactory(actor=review_lead, given_name="Mohammed", family_name="Khan")

    review = _create(review_lead, victim_id=victim.pk, victim_name="  mohammed   KHAN ")

    assert review.victim == victim


def test_a_misspelt_but_similar_name_matches(review_lead):
    # Given the register's spelling, and a close variant typed (pg_trgm similarity 0.40)
    victim = PersonFactory(actor=review_lead, given_name="Mohammed", family_name="Khan")

    review = _create(review_lead, victim_id=victim.pk, victim_name="Muhammad Khan")

    assert review.victim == victim


def test_an_alias_matches(review_lead):
    victim = PersonFactory(
        actor=review_lead, given_name="Dee", family_name="Ceased", aliases=["Delia Marsh"]
    )

    review = _create(review_lead, victim_id=victim.pk, victim_name="Delia Marsh")

    assert review.victim == victim


def test_a_name_that_does_not_match_is_refused_and_nothing_is_created(review_lead):
    victim = PersonFactory(actor=review_lead, given_name="Dee", family_name="Ceased")
    suspect = PersonFactory(actor=review_lead, given_name="Sid", family_name="Suspect")

    with pytest.raises(ValidationError) as wrong_victim:
        _create(review_lead, victim_id=victim.pk, victim_name="Sid Suspect")
    with pytest.raises(ValidationError) as wrong_suspect:
        _create(
            review_lead,
            victim_id=victim.pk,
            victim_name="Dee Ceased",
            suspect_id=suspect.pk,
            suspect_name="Dee Ceased",
        )

    assert wrong_victim.value.message_dict == {"victim": [NO_SUCH_PERSON]}
    assert wrong_suspect.value.message_dict == {"suspect": [NO_SUCH_PERSON]}
    assert not HomicideReview.objects.exists()


@pytest.mark.parametrize("typed", ["Zebedee Quartermaine", "Sid Suspect"])
def test_an_unknown_number_and_a_wrong_name_get_one_refusal_after_the_same_queries(
    review_lead, typed
):
    # Given a victim, someone else (whose name may be the one typed), and a number nobody has
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    victim = PersonFactory(actor=review_lead, given_name="Dee", family_name="Ceased")
    PersonFactory(actor=review_lead, given_name="Sid", family_name="Suspect")
    unknown = victim.pk + 1000

    refusals, counts = [], []
    for person_id in (victim.pk, unknown):
        with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as e:
            _create(review_lead, victim_id=person_id, victim_name=typed)
        refusals.append(e.value.message_dict)
        counts.append(len(queries))

    # Then the same words, after as many queries, whichever part was wrong
    assert refusals == [{"victim": [NO_SUCH_PERSON]}] * 2
    assert counts[0] == counts[1]
    assert not HomicideReview.objects.exists()


def test_a_review_lead_cannot_attach_a_person_by_record_number_alone(
    review_lead, southwark_officer
):
    # Given people registered by another borough, whose pages the review lead cannot open
    victim = PersonFactory(actor=southwark_officer, given_name="Vera", family_name="Victim")
    suspect = PersonFactory(actor=southwark_officer, given_name="Sid", family_name="Suspect")

    for name in ("", "   ", None):
        with pytest.raises(ValidationError) as refused:
            _create(review_lead, victim_id=victim.pk, victim_name=name)
        assert set(refused.value.message_dict) == {"victim"}
    with pytest.raises(ValidationError) as refused:
        _create(review_lead, victim_id=victim.pk, victim_name="Vera Victim", suspect_id=suspect.pk)

    assert set(refused.value.message_dict) == {"suspect"}
    assert not HomicideReview.objects.exists()


def test_a_very_long_name_is_refused_like_a_wrong_one(review_lead):
    victim = PersonFactory(actor=review_lead, given_name="Dee", family_name="Ceased")

    with pytest.raises(ValidationError) as refused:
        _create(review_lead, victim_id=victim.pk, victim_name="Dee Ceased " * 5000)

    assert refused.value.message_dict == {"victim": [NO_SUCH_PERSON]}
    assert not HomicideReview.objects.exists()


def test_an_edit_needs_the_name_only_of_a_new_suspect(review_lead):
    # Given a review with a suspect, and another person
    suspect = PersonFactory(actor=review_lead, given_name="Sid", family_name="Suspect")
    other = PersonFactory(actor=review_lead, given_name="Otto", family_name="Other")
    review = a_review(review_lead, suspect=suspect)

    def update(**changes):
        return review_update(
            actor=review_lead,
            review_id=review.pk,
            version=HomicideReview.objects.get(pk=review.pk).version,
            **_fields(review, **changes),
        )

    # The suspect already on the review needs no name
    assert update(suspect_id=suspect.pk, chair="A chair").suspect == suspect
    # ...but a name typed for them is checked: it must be theirs
    with pytest.raises(ValidationError) as refused:
        update(suspect_id=suspect.pk, suspect_name="Otto Other", chair="Another chair")
    assert refused.value.message_dict == {"suspect": [NO_SUCH_PERSON]}
    assert update(suspect_id=suspect.pk, suspect_name=" sid  SUSPECT ").suspect == suspect
    # A new suspect needs their name, and it must match
    for name in ("", "Sid Suspect"):
        with pytest.raises(ValidationError) as refused:
            update(suspect_id=other.pk, suspect_name=name)
        assert set(refused.value.message_dict) == {"suspect"}
    with pytest.raises(ValidationError) as refused:
        update(suspect_id=other.pk + 1000, suspect_name="Otto Other")
    assert refused.value.message_dict == {"suspect": [NO_SUCH_PERSON]}
    review.refresh_from_db()
    assert review.suspect == suspect and review.version == 3
    assert update(suspect_id=other.pk, suspect_name="Otto Other").suspect == other
    # Removing the suspect needs no name
    assert update(suspect_id=None).suspect is None
    review.refresh_from_db()
    assert review.suspect is None and review.version == 5
