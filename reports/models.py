"""The trends rollup: per London day and borough, the counts every dashboard figure is made of.

Only integer numerators and denominators are stored, so any period's rate is the sum of its
numerators over the sum of its denominators (never an average of daily rates). The rows are
derived data: `services.rollup_refresh` recomputes whole days from the case records.
"""

from __future__ import annotations

from django.db import models

from publicprotection.accounts.models import Borough

# The counted columns, in the order the refresh SQL produces them.
MEASURES = (
    "incidents",
    "crimes",
    "non_crimes",
    "crimes_with_sanction",
    "arrestable_suspects",
    "arrested_suspects",
    "victims",
    "repeat_victims",
    "reviews_due",
    "reviews_in_time",
    "assessments_standard",
    "assessments_medium",
    "assessments_high",
    "marac_referrals",
    "repeat_marac_referrals",
)


class DailyBoroughFigures(models.Model):
    day = models.DateField(help_text="London date of the event counted.")
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="+")
    incidents = models.PositiveIntegerField(default=0)
    crimes = models.PositiveIntegerField(default=0)
    non_crimes = models.PositiveIntegerField(default=0)
    crimes_with_sanction = models.PositiveIntegerField(default=0)
    arrestable_suspects = models.PositiveIntegerField(default=0)
    arrested_suspects = models.PositiveIntegerField(default=0)
    victims = models.PositiveIntegerField(default=0)
    repeat_victims = models.PositiveIntegerField(default=0)
    reviews_due = models.PositiveIntegerField(default=0)
    reviews_in_time = models.PositiveIntegerField(default=0)
    assessments_standard = models.PositiveIntegerField(default=0)
    assessments_medium = models.PositiveIntegerField(default=0)
    assessments_high = models.PositiveIntegerField(default=0)
    marac_referrals = models.PositiveIntegerField(default=0)
    repeat_marac_referrals = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "borough"]
        verbose_name_plural = "daily borough figures"
        indexes = [models.Index(fields=["borough", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["day", "borough"], name="one_rollup_row_per_day"),
            models.CheckConstraint(
                name="rollup_numerators_within_denominators",
                condition=models.Q(crimes_with_sanction__lte=models.F("crimes"))
                & models.Q(arrested_suspects__lte=models.F("arrestable_suspects"))
                & models.Q(repeat_victims__lte=models.F("victims"))
                & models.Q(reviews_in_time__lte=models.F("reviews_due"))
                & models.Q(repeat_marac_referrals__lte=models.F("marac_referrals"))
                & models.Q(incidents=models.F("crimes") + models.F("non_crimes")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.borough_id} {self.day}"


class RollupRefresh(models.Model):
    """One completed recomputation of the rollup: shows how fresh the figures are."""

    start = models.DateField()
    end = models.DateField()
    borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rows = models.PositiveIntegerField()
    finished_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.start}..{self.end} at {self.finished_at:%Y-%m-%d %H:%M}"
