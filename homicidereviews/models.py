"""Domestic homicide reviews (section 9, Domestic Violence, Crime and Victims Act 2004): the
death, the police's notification to the Community Safety Partnership, the partnership's
decision, the panel, the police's chronology and individual management review, the overview
report and its recommendations, and the lessons tagged by theme.

Deadlines are settings (DHR_*); `overdue_steps()` names the steps past them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Person
from publicprotection.accounts.models import Borough
from publicprotection.audit.tracking import tracked


class Decision(models.TextChoices):
    PENDING = "pending", "Awaiting the partnership's decision"
    COMMISSIONED = "commissioned", "Review commissioned"
    NOT_COMMISSIONED = "not_commissioned", "Review not commissioned"


@dataclass(frozen=True)
class OverdueStep:
    step: str
    due: date

    def days_overdue(self, today: date) -> int:
        return (today - self.due).days


def _days(name: str) -> timedelta:
    return timedelta(days=getattr(settings, name))


@tracked()
class HomicideReview(models.Model):
    # The death
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    date_of_death = models.DateField()
    circumstances = models.TextField()
    suspect = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty when no suspect is known.",
    )
    borough = models.ForeignKey(
        Borough, on_delete=models.PROTECT, related_name="+", help_text="Where the death occurred"
    )
    # The police's written notification to the Community Safety Partnership
    partnership = models.CharField("Community Safety Partnership", max_length=150)
    notified_on = models.DateField("date the partnership was notified", null=True, blank=True)
    notification_letter = models.FileField(max_length=300, blank=True)
    # The partnership's decision
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField("date of the decision", null=True, blank=True)
    decision_notes = models.TextField(blank=True)
    # The panel
    chair = models.CharField("independent chair", max_length=150, blank=True)
    panel_agencies = models.TextField(blank=True, help_text="One agency a line.")
    terms_of_reference = models.TextField(blank=True)
    # The police's contribution
    chronology_due_on = models.DateField("police chronology due", null=True, blank=True)
    chronology_submitted_on = models.DateField("police chronology sent", null=True, blank=True)
    imr_due_on = models.DateField("individual management review due", null=True, blank=True)
    imr_submitted_on = models.DateField("individual management review sent", null=True, blank=True)
    # The overview report
    overview_draft_on = models.DateField("overview report drafted", null=True, blank=True)
    overview_completed_on = models.DateField("overview report completed", null=True, blank=True)
    home_office_submitted_on = models.DateField("sent to the Home Office", null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date_of_death", "-id"]
        indexes = [models.Index(fields=["-date_of_death", "-id"], name="dhr_death_order")]
        constraints = [
            models.CheckConstraint(
                name="dhr_decision_valid", condition=Q(decision__in=Decision.values)
            ),
            models.CheckConstraint(
                name="dhr_decision_has_date",
                condition=Q(decision=Decision.PENDING) | Q(decided_on__isnull=False),
                violation_error_message="A decision needs its date.",
            ),
            models.CheckConstraint(
                name="dhr_suspect_not_victim",
                condition=Q(suspect__isnull=True) | ~Q(suspect=models.F("victim")),
                violation_error_message="The suspect cannot be the victim.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DHR-{self.date_of_death:%Y}-{self.pk:04d}" if self.pk else "DHR (new)"

    # --- deadlines ---------------------------------------------------------------------------
    @property
    def notification_due_on(self) -> date:
        return self.date_of_death + _days("DHR_NOTIFICATION_DAYS")

    @property
    def decision_due_on(self) -> date | None:
        if self.notified_on is None:
            return None
        return self.notified_on + _days("DHR_DECISION_DAYS")

    @property
    def completion_due_on(self) -> date | None:
        if self.decision != Decision.COMMISSIONED or self.decided_on is None:
            return None
        return self.decided_on + _days("DHR_COMPLETION_DAYS")

    @property
    def chronology_due(self) -> date | None:
        """The panel's date, or the default from the decision."""
        if self.chronology_due_on:
            return self.chronology_due_on
        if self.decision == Decision.COMMISSIONED and self.decided_on:
            return self.decided_on + _days("DHR_CHRONOLOGY_DAYS")
        return None

    @property
    def imr_due(self) -> date | None:
        if self.imr_due_on:
            return self.imr_due_on
        if self.decision == Decision.COMMISSIONED and self.decided_on:
            return self.decided_on + _days("DHR_IMR_DAYS")
        return None

    def overdue_steps(self, today: date) -> list[OverdueStep]:
        """The steps whose deadline has passed without the step being recorded."""
        steps = []
        if self.notified_on is None and self.notification_due_on < today:
            steps.append(
                OverdueStep("Notify the Community Safety Partnership", self.notification_due_on)
            )
        due = self.decision_due_on
        if self.decision == Decision.PENDING and due and due < today:
            steps.append(OverdueStep("The partnership's decision", due))
        due = self.chronology_due
        if self.chronology_submitted_on is None and due and due < today:
            steps.append(OverdueStep("Police chronology", due))
        due = self.imr_due
        if self.imr_submitted_on is None and due and due < today:
            steps.append(OverdueStep("Individual management review", due))
        due = self.completion_due_on
        if self.overview_completed_on is None and due and due < today:
            steps.append(OverdueStep("Overview report completed", due))
        return steps

    @property
    def panel_agency_list(self) -> list[str]:
        return [line.strip() for line in self.panel_agencies.splitlines() if line.strip()]

    @property
    def stage(self) -> str:
        if self.published_on:
            return "Published"
        if self.decision == Decision.NOT_COMMISSIONED:
            return "Not commissioned"
        if self.overview_completed_on:
            return "Overview report completed"
        if self.decision == Decision.COMMISSIONED:
            return "Review under way"
        if self.notified_on:
            return "Awaiting decision"
        return "Partnership to be notified"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


OPEN_RECOMMENDATION_STATUSES = (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)


@tracked()
class Recommendation(models.Model):
    """One of the overview report's (or the police IMR's) recommendations, tracked to completion."""

    review = models.ForeignKey(
        HomicideReview, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField("recommendation")
    owner_agency = models.CharField(max_length=150)
    due_on = models.DateField("due date")
    status = models.CharField(
        max_length=14, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN
    )
    evidence = models.TextField("evidence of completion", blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="dhr_rec_status_due")]
        constraints = [
            models.CheckConstraint(
                name="dhr_rec_status_valid", condition=Q(status__in=RecommendationStatus.values)
            ),
            models.CheckConstraint(
                name="dhr_rec_completed_has_evidence",
                condition=~Q(status=RecommendationStatus.COMPLETED)
                | (Q(completed_on__isnull=False) & ~Q(evidence="")),
                violation_error_message="A completed recommendation needs its date and evidence.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review.reference}: {self.text[:60]}"

    def is_open(self) -> bool:
        return self.status in OPEN_RECOMMENDATION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open() and self.due_on < today


class LessonTheme(models.Model):
    """Themes lessons are tagged with (reference data, filled by a data migration)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tracked()
class Lesson(models.Model):
    review = models.ForeignKey(HomicideReview, on_delete=models.CASCADE, related_name="lessons")
    theme = models.ForeignKey(LessonTheme, on_delete=models.PROTECT, related_name="lessons")
    summary = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["theme__name", "id"]

    def __str__(self) -> str:
        return f"{self.theme}: {self.summary[:60]}"
