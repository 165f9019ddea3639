"""A fictional domestic homicide review whose police chronology shows missed opportunities:
the victim is a demo victim with overdue RARA actions. Idempotent: once the review lead's demo
review exists, nothing more is done. Uses the services (history as for real work)."""

from __future__ import annotations

from datetime import timedelta

from cases.models import Party, PartyRole
from homicidereviews.models import HomicideReview, LessonTheme
from homicidereviews.selectors.chronology import chronology_for
from homicidereviews.services import lesson_add, recommendation_add, review_create
from publicprotection.accounts.models import Borough, User
from publicprotection.london_time import london_today
from riskassessment.models import RaraAction, RaraStatus

CIRCUMSTANCES = (
    "Fictional demo. Found dead at her home by a neighbour; her former partner was arrested "
    "nearby the same evening."
)


def seed_demo(stdout) -> None:
    lead = User.objects.filter(username="review.lead").first()
    if lead is None or HomicideReview.objects.filter(created_by=lead).exists():
        return
    today = london_today()
    overdue = (
        RaraAction.objects.filter(status=RaraStatus.PLANNED, due_date__lt=today)
        .select_related("assessment__person")
        .order_by("assessment__person_id", "id")
        .first()
    )
    if overdue is None:
        stdout.write("Demo homicide review: no victim with overdue actions; skipped\n")
        return
    victim_id = overdue.assessment.person_id
    suspect = (
        Party.objects.filter(
            role=PartyRole.SUSPECT,
            incident__parties__person_id=victim_id,
            incident__parties__role=PartyRole.VICTIM,
        )
        .exclude(person_id=victim_id)
        .select_related("person")
        .order_by("id")
        .first()
    )
    review = review_create(
        actor=lead,
        victim_id=victim_id,
        victim_name=overdue.assessment.person.full_name,
        suspect_id=suspect.person_id if suspect else None,
        suspect_name=suspect.person.full_name if suspect and suspect.person else "",
        date_of_death=today,
        circumstances=CIRCUMSTANCES,
        borough=Borough.objects.get(pk=overdue.assessment.borough_id),
        partnership="Safer Lambeth Partnership (fictional)",
    )
    recommendation_add(
        actor=lead,
        review_id=review.pk,
        text="Supervisors check every overdue RARA action at the daily meeting.",
        owner_agency="Metropolitan Police",
        due_on=today + timedelta(days=90),
    )
    lesson_add(
        actor=lead,
        review_id=review.pk,
        theme=LessonTheme.objects.get(code="supervision"),
        summary="Overdue safety actions were not escalated.",
    )
    markers = chronology_for(review=review).marker_count
    stdout.write(f"Demo homicide review: {review.reference} ({markers} chronology markers)\n")
