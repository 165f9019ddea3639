"""People and incidents: the records a public protection unit keeps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from publicprotection.accounts.models import Borough
from publicprotection.audit.tracking import tracked


class HowReported(models.TextChoices):
    EMERGENCY_999 = "999", "999 call"
    NON_EMERGENCY_101 = "101", "101 call"
    THIRD_PARTY = "third_party", "Third party"
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class IncidentReferenceCounter(models.Model):
    """The last number issued for a borough and year (DV/LAM/2026/000123)."""

    borough = models.ForeignKey(Borough, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["borough", "year"], name="one_counter_per_borough_year")
        ]

    def __str__(self) -> str:
        return f"{self.borough_id}/{self.year}: {self.last_number}"


@tracked()
class Incident(models.Model):
    reference = models.CharField(max_length=24, unique=True, editable=False)
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="incidents")
    occurred_at = models.DateTimeField("when it happened")
    reported_at = models.DateTimeField("when it was reported")
    how_reported = models.CharField(max_length=20, choices=HowReported.choices)
    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT
    )
    is_crime = models.BooleanField("crime", default=True)
    cad_reference = models.CharField("CAD reference", max_length=40, blank=True)
    crime_reference = models.CharField("crime report number", max_length=40, blank=True)
    officer_narrative = models.TextField(blank=True)
    officer_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incidents_in_charge",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["borough", "-occurred_at"]),
            models.Index(fields=["status", "-occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="incident_status_valid", condition=Q(status__in=IncidentStatus.values)
            ),
            models.CheckConstraint(
                name="incident_reported_not_before_occurred",
                condition=Q(reported_at__gte=models.F("occurred_at")),
                violation_error_message="It cannot be reported before it happened.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
