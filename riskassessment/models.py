"""Risk assessment (SPECSS+, DASH, ...) and RARA risk management plans.

Instruments are data: questions, a scoring rule name and its parameters, with versions. A
second instrument is rows plus, at most, a new scoring rule in `scoring.py`.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Incident, Party, Person
from publicprotection.accounts.models import Borough
from publicprotection.audit.tracking import tracked
from publicprotection.derived_flags import recompute_flag_sql


class ScoringRule(models.TextChoices):
    SPECSS_PLUS = "specss_plus", "SPECSS+ rules (named factors, combinations and counts)"
    COUNT_BANDS = "count_bands", "Count of yes answers in bands (DASH)"


class Instrument(models.Model):
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    version = models.PositiveSmallIntegerField()
    scoring_rule = models.CharField(max_length=20, choices=ScoringRule.choices)
    # The rule's parameters (named factors, thresholds): a force may change them by data.
    parameters = models.JSONField(default=dict)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_instrument"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class QuestionGroup(models.TextChoices):
    SPECSS = "specss", "SPECSS factors"
    RISK_FACTOR = "plus", "Plus risk factors"
    QUESTION = "question", "Questions"


class Question(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    group = models.CharField(max_length=10, choices=QuestionGroup.choices)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "code"], name="question_code_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Level(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


LEVEL_RANK = {Level.STANDARD: 0, Level.MEDIUM: 1, Level.HIGH: 2}


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_REVIEW = "awaiting_review", "Awaiting supervisor review"
    CONFIRMED = "confirmed", "Confirmed"


class MaracDecision(models.TextChoices):
    REFER = "refer", "Refer to MARAC"
    NOT_REFERRED = "not_referred", "Not referred, with reasons"


def visible_high_risk() -> Q:
    """`RiskAssessment.is_visible_high_risk` as a filter (the index `assessment_to_refer`
    repeats it: keep the two alike)."""
    return Q(final_level=Level.HIGH) | Q(recommended_level=Level.HIGH)


def visible_high_risk_by_level() -> Q:
    """`visible_high_risk` for assessments with a level set, each arm a range of the
    (final_level, -submitted_at) index: the agendas read a period's submissions by it, and an
    arm on the recommendation alone has no index."""
    return Q(final_level=Level.HIGH) | Q(
        final_level__in=[Level.STANDARD, Level.MEDIUM], recommended_level=Level.HIGH
    )


def _assessment_of(party_id: str) -> str:
    """SQL: whether the victim party `party_id` (an SQL expression) has any risk assessment."""
    return (
        "EXISTS (SELECT FROM riskassessment_riskassessment a "  # noqa: S608 (column names only)
        f"WHERE a.victim_id = {party_id})"
    )


def _submitted_assessment_of(party_id: str) -> str:
    """SQL: whether the victim party `party_id` has a risk assessment past its draft."""
    return (
        "EXISTS (SELECT FROM riskassessment_riskassessment a "  # noqa: S608 (column names only)
        f"WHERE a.victim_id = {party_id} AND a.status <> 'draft')"
    )


def _recompute_victim_flags_of(party_id: str) -> str:
    """SQL: set the party's has_risk_assessment and has_submitted_risk_assessment again, each if
    it changed (the party's own trigger, `VictimAssessmentState`, computes the same values)."""
    return recompute_flag_sql(
        table="cases_party",
        alias="p",
        column="has_risk_assessment",
        row_id=party_id,
        value_of=_assessment_of,
    ) + recompute_flag_sql(
        table="cases_party",
        alias="p",
        column="has_submitted_risk_assessment",
        row_id=party_id,
        value_of=_submitted_assessment_of,
    )


# `has_open_marac_referral` is derived from the MARAC referrals by the database (marac's
# triggers): its changes are not changes of the assessment, so the history leaves it out.
@tracked(exclude=["has_open_marac_referral"])
class RiskAssessment(models.Model):
    """One assessment of one victim in one incident; reassessments supersede it."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    victim = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(  # (person, -created_at) below serves lookups by person
        Person, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Copied from the incident so the access core can scope by borough without a join;
    # (borough, status, -created_at) below indexes it.
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="+", db_index=False)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    # The rule version and parameters used, so the explanation can always be reproduced.
    rule_version = models.PositiveSmallIntegerField()
    rule_parameters = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reassessment_reason = models.CharField(max_length=300, blank=True)

    recommended_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    recommendation_reasons = models.JSONField(default=list, blank=True)
    final_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    # Who set the level in force and when: the officer who submitted it, or the supervisor who
    # regraded it. Agendas and pages name this person, never the assessment's author by default.
    level_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level_set_at = models.DateTimeField(null=True, blank=True)
    raise_note = models.TextField("why the level is higher than recommended", blank=True)
    lowering_rationale = models.TextField("why the level is lower than recommended", blank=True)

    escalation_suggested = models.BooleanField(default=False)
    escalation_reason = models.CharField(max_length=300, blank=True)
    escalation_cleared_note = models.TextField(blank=True)
    # The suggestion (its reason) the note was written against: a note answers the reasons
    # the officer was shown, so a suggestion made again for other reasons needs it again.
    escalation_cleared_for = models.CharField(max_length=300, blank=True)

    marac_decision = models.CharField(max_length=14, choices=MaracDecision.choices, blank=True)
    marac_not_referred_reason = models.TextField(blank=True)
    marac_decided_at = models.DateTimeField(null=True, blank=True)
    # Whether a MARAC referral of this assessment is open (any status but rejected). Set only
    # by the database: marac's triggers recompute it whenever a referral of it is written and
    # whenever the assessment itself is (a stale save cannot write a wrong value). It keeps the
    # coordinator's "to be referred" list to the few waiting, out of every HIGH ever referred.
    has_open_marac_referral = models.BooleanField(default=False, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-created_at"]),
            models.Index(fields=["borough", "status", "-created_at"]),
            models.Index(fields=["final_level", "-submitted_at"]),
            # The grading review queue in its order, and its count in the navigation of every
            # supervisor's page: London's queue (4,000 at a million incidents) was read through
            # the borough index and sorted for each page (12 ms), now the first 100 in order.
            models.Index(
                fields=["submitted_at", "id"],
                name="assessment_awaiting_review",
                condition=Q(status="awaiting_review"),
            ),
            # Daily agendas read the levels set (regraded) since the previous meeting; most
            # assessments have no regrade, so a small partial index.
            models.Index(
                fields=["level_set_at"],
                name="assessment_level_set_at",
                condition=Q(level_set_at__isnull=False),
            ),
            # The coordinator's "to be referred" list: every current visible HIGH (in force or
            # recommended) not decided against referral and not referred, however old (a
            # forgotten referral must surface). Only
            # those waiting are in it, so reading it does not grow with the years of HIGHs
            # already referred (110,000 across London at a million incidents, each checked
            # for a referral: 50-100 ms).
            # The reassessments still drafts (a few hundred): the HIGHs they replace stay in
            # force until they are submitted (marac's "to be referred" list reads them), and
            # without it finding them walked every current assessment.
            models.Index(
                fields=["supersedes"],
                name="assessment_reassessing",
                condition=Q(status="draft", is_current=True, supersedes__isnull=False),
            ),
            models.Index(
                fields=["borough", "-submitted_at"],
                include=["id"],
                name="assessment_to_refer",
                condition=(Q(final_level="high") | Q(recommended_level="high"))
                & Q(is_current=True, has_open_marac_referral=False)
                & ~Q(marac_decision="not_referred")
                & ~Q(status="draft"),
            ),
        ]
        triggers = [
            # The victim's has_risk_assessment and has_submitted_risk_assessment (ADR 0016): an
            # assessment started, submitted (or its status otherwise changed), moved to another
            # victim or deleted recomputes the old and the new victim's flags.
            pgtrigger.Trigger(
                name="assessment_sets_victim_flag",
                when=pgtrigger.After,
                operation=pgtrigger.Insert
                | pgtrigger.UpdateOf("victim_id", "status")
                | pgtrigger.Delete,
                func=(
                    "IF TG_OP <> 'INSERT' THEN "
                    f"{_recompute_victim_flags_of('OLD.victim_id')} END IF; "
                    "IF TG_OP <> 'DELETE' THEN "
                    f"{_recompute_victim_flags_of('NEW.victim_id')} END IF; "
                    "RETURN NULL;"
                ),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["victim"],
                condition=Q(is_current=True),
                name="one_current_assessment_per_victim",
            ),
            models.CheckConstraint(
                name="assessment_submitted_has_levels",
                condition=Q(status=AssessmentStatus.DRAFT)
                | (~Q(recommended_level="") & ~Q(final_level="")),
            ),
            models.CheckConstraint(
                name="assessment_not_referred_has_reason",
                condition=Q(status=AssessmentStatus.DRAFT)
                | ~Q(marac_decision=MaracDecision.NOT_REFERRED)
                | ~Q(marac_not_referred_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Risk assessment {self.pk} ({self.get_final_level_display() or 'draft'})"

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def is_confirmed(self) -> bool:
        return self.status == AssessmentStatus.CONFIRMED

    @property
    def is_high_risk(self) -> bool:
        """The level in force is HIGH (the MARAC threshold)."""
        return self.final_level == Level.HIGH

    @property
    def escalation_note_outdated(self) -> bool:
        """The officer's clearing note answers a suggestion made since for other reasons (the
        records changed): it must be given again before submission."""
        return bool(
            self.escalation_suggested
            and self.escalation_cleared_note
            and self.escalation_cleared_for != self.escalation_reason
        )

    @property
    def is_visible_high_risk(self) -> bool:
        """HIGH in force or HIGH recommended by the instrument: a MARAC referral criterion
        (DOMAIN.md, MARAC: "visible high risk"; professional judgement never downgrades). An
        officer who sets a recommended HIGH lower changes the risk level in force, not whether
        the case goes to MARAC: that needs its own recorded decision."""
        return Level.HIGH in (self.final_level, self.recommended_level)

    @property
    def is_not_referred_to_marac(self) -> bool:
        """The officer decided, with a reason, not to refer this visible high risk to MARAC."""
        return self.marac_decision == MaracDecision.NOT_REFERRED

    def can_edit(self) -> bool:
        return self.is_draft and self.is_current

    def can_review(self) -> bool:
        return self.status == AssessmentStatus.AWAITING_REVIEW

    @property
    def is_lowered(self) -> bool:
        return bool(self.final_level and self.recommended_level) and (
            LEVEL_RANK[self.final_level] < LEVEL_RANK[self.recommended_level]
        )

    @property
    def is_regraded(self) -> bool:
        """The level in force was set by a supervisor's regrade, after the submission."""
        return bool(
            self.level_set_at and self.submitted_at and self.level_set_at > self.submitted_at
        )

    @property
    def is_raised(self) -> bool:
        return bool(self.final_level and self.recommended_level) and (
            LEVEL_RANK[self.final_level] > LEVEL_RANK[self.recommended_level]
        )


class VictimAssessmentState(Party):
    """The incident party as risk assessment keeps it: a proxy, so that the trigger below,
    which reads the assessments, is declared and migrated in this app (cases knows nothing of
    risk assessment). No table of its own."""

    class Meta:
        proxy = True
        triggers = [
            # Whatever writes the party (a form holding it since before its assessment was
            # started, a bulk load), the flag it stores is read from the assessments, never
            # taken from the write: "Victims to assess" and the close check trust it.
            pgtrigger.Trigger(
                name="party_flag_from_assessments",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=(
                    f"NEW.has_risk_assessment := {_assessment_of('NEW.id')}; "
                    f"NEW.has_submitted_risk_assessment := {_submitted_assessment_of('NEW.id')}; "
                    "RETURN NEW;"
                ),
            ),
        ]


class AnswerValue(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


@tracked()
class Answer(models.Model):
    # Fifteen answers per assessment make this the largest table: no index on either key of
    # its own. one_answer_per_question leads with the assessment; questions are reference
    # data that is never deleted, so nothing looks answers up by question.
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    value = models.CharField(
        max_length=10, choices=AnswerValue.choices, default=AnswerValue.NOT_KNOWN
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class GradingReviewAction(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    REGRADED = "regraded", "Regraded"


class GradingReview(models.Model):
    """A supervisor's confirmation or regrading: kept, never overwritten."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=10, choices=GradingReviewAction.choices)
    from_level = models.CharField(max_length=10, choices=Level.choices)
    to_level = models.CharField(max_length=10, choices=Level.choices)
    rationale = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="regrade_has_rationale",
                condition=~Q(action="regraded") | ~Q(rationale=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.to_level}"


# --- RARA ----------------------------------------------------------------------------------


class RaraCategory(models.TextChoices):
    REMOVE = "remove", "Remove"
    AVOID = "avoid", "Avoid"
    REDUCE = "reduce", "Reduce"
    ACCEPT = "accept", "Accept"


class RaraActionType(models.Model):
    """The catalogue of risk management actions (reference data)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    default_category = models.CharField(max_length=10, choices=RaraCategory.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class RaraStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined by victim"
    CANCELLED = "cancelled", "Cancelled"


OPEN_RARA_STATUSES = (RaraStatus.PLANNED, RaraStatus.IN_PROGRESS)


@tracked()
class RaraAction(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="actions")
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=10, choices=RaraCategory.choices)
    action_type = models.ForeignKey(RaraActionType, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rara_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=RaraStatus.choices, default=RaraStatus.PLANNED)
    notes = models.TextField(blank=True)
    # Accept: what was offered, why the victim declined, how the remaining risk is monitored.
    options_offered = models.TextField(blank=True)
    declined_reason = models.TextField(blank=True)
    monitoring = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Optimistic lock: a save from a form or API call that read an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(
                fields=["owner", "due_date"],
                name="rara_open_by_owner",
                condition=Q(status__in=["planned", "in_progress"]),
            ),
            models.Index(
                fields=["borough", "due_date"],
                name="rara_open_by_borough",
                condition=Q(status__in=["planned", "in_progress"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="rara_accept_is_recorded_in_full",
                condition=~Q(category="accept")
                | (~Q(options_offered="") & ~Q(declined_reason="") & ~Q(monitoring="")),
                violation_error_message=(
                    "Accept needs the options offered, the victim's reasons for declining them "
                    "and how the remaining risk is monitored."
                ),
            ),
            models.CheckConstraint(
                name="rara_declined_has_reason",
                condition=~Q(status="declined") | ~Q(declined_reason=""),
                violation_error_message="Record why the victim declined.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.action_type}"

    @property
    def is_open(self) -> bool:
        """Planned or in progress: it can still become overdue."""
        return self.status in OPEN_RARA_STATUSES

    @property
    def is_planned(self) -> bool:
        return self.status == RaraStatus.PLANNED

    @property
    def is_in_progress(self) -> bool:
        return self.status == RaraStatus.IN_PROGRESS

    @property
    def is_done(self) -> bool:
        return self.status == RaraStatus.DONE

    @property
    def is_declined(self) -> bool:
        return self.status == RaraStatus.DECLINED
