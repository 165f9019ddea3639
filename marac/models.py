"""Daily risk management meeting agendas: one per team and meeting day, with their items and
the decisions the meeting records against them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from publicprotection.accounts.models import Team
from publicprotection.audit.tracking import tracked


class AgendaStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    GENERATING = "generating", "Generating"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


IN_PROGRESS_STATUSES = (AgendaStatus.PENDING, AgendaStatus.GENERATING)


@tracked()
class Agenda(models.Model):
    """The agenda of one team's meeting on one day, covering the period since the last one."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="agendas")
    meeting_date = models.DateField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=AgendaStatus.choices, default=AgendaStatus.PENDING
    )
    counts = models.JSONField(default=dict, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    checksum = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    # Private storage (STORAGES["default"]): served only through the audited download view.
    file = models.FileField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-meeting_date", "team__name"]
        indexes = [models.Index(fields=["meeting_date", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "meeting_date"], name="one_agenda_per_team_day"
            ),
            models.CheckConstraint(
                name="agenda_status_valid", condition=Q(status__in=AgendaStatus.values)
            ),
            models.CheckConstraint(
                name="agenda_ready_has_file",
                condition=~Q(status=AgendaStatus.READY) | (~Q(file="") & ~Q(checksum="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Daily meeting agenda, {self.team}, {self.meeting_date:%d %B %Y}"

    @property
    def is_in_progress(self) -> bool:
        return self.status in IN_PROGRESS_STATUSES

    @property
    def is_ready(self) -> bool:
        return self.status == AgendaStatus.READY

    def is_stale(self) -> bool:
        """Generating for longer than a task may run: its worker died without a retry."""
        limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
        return self.status == AgendaStatus.GENERATING and self.updated_at < timezone.now() - limit

    def can_regenerate(self) -> bool:
        return self.status != AgendaStatus.GENERATING or self.is_stale()

    def can_retry(self) -> bool:
        return self.status == AgendaStatus.FAILED

    @property
    def total_items(self) -> int:
        return sum(v for v in (self.counts or {}).values() if isinstance(v, int))


class AgendaSection(models.TextChoices):
    """Agenda sections in the order the meeting takes them."""

    HIGH_RISK = "high_risk", "New high risk assessments"
    LONDON_HIGH_RISK = "london_high_risk", "High risk assessments across London"
    CROSS_BOROUGH = "cross_borough", "People in incidents in two or more boroughs"
    MEDIUM_ESCALATION = "medium_escalation", "Medium risk with escalation"
    OUTSTANDING_SUSPECTS = "outstanding_suspects", "Outstanding suspects"
    AWAITING_REVIEW = "awaiting_review", "Decisions not to arrest awaiting supervisor review"
    REPEAT_VICTIMS = "repeat_victims", "Repeat victims"
    SERIAL_PERPETRATORS = "serial_perpetrators", "Serial perpetrators"
    OVERDUE_RARA = "overdue_rara", "Overdue RARA actions"


SECTION_ORDER = {value: index for index, value in enumerate(AgendaSection.values)}


class ItemObjectType(models.TextChoices):
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    ARREST_DECISION = "arrest_decision", "Arrest decision"
    RARA_ACTION = "rara_action", "RARA action"
    PERSON = "person", "Person"


@tracked()
class AgendaItem(models.Model):
    """One thing to discuss: a record picked by a section's rule, or carried from the last
    meeting because its decision is missing or not done."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=24, choices=AgendaSection.choices)
    object_type = models.CharField(max_length=20, choices=ItemObjectType.choices)
    object_id = models.PositiveBigIntegerField()
    reference = models.CharField("case reference", max_length=60)
    summary = models.TextField()
    position = models.PositiveIntegerField(default=0)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )

    class Meta:
        ordering = ["agenda", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda", "section", "object_type", "object_id"],
                name="agenda_item_once_per_section",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.reference}"

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.section, self.object_type, self.object_id)


@tracked()
class AgendaDecision(models.Model):
    """What the meeting decided on an item: the action and who owns it; done or not yet."""

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    action = models.TextField()
    owner = models.CharField(max_length=150)
    done = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="agenda_decision_has_action_and_owner",
                condition=~Q(action="") & ~Q(owner=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner}: {self.action[:40]}"
