"""Daily risk management meeting agendas: one per team and meeting day, with their items and
the decisions the meeting records against them."""

from __future__ import annotations

from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase

from cases.models import Incident, Party, Person
from publicprotection.accounts.models import Agency, Borough, Team
from publicprotection.audit.tracking import kept_by_triggers, tracked
from publicprotection.derived_flags import recompute_flag_sql
from riskassessment.models import RiskAssessment


class AgendaStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    GENERATING = "generating", "Generating"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


IN_PROGRESS_STATUSES = (AgendaStatus.PENDING, AgendaStatus.GENERATING)


def lease_from(now):
    """When a build handed to the worker now is presumed lost (settings.BACKGROUND_LEASE_SECONDS:
    a bit over the build tasks' hard time limit)."""
    return now + timedelta(seconds=settings.BACKGROUND_LEASE_SECONDS)


class BackgroundBuild(models.Model):
    """A document built by the worker: the row is the durable record of the request, so a request
    made while the broker is down, or a build whose worker was killed, is not lost.

    `sent_at` is when its message was last handed to the broker (empty: not yet, the broker was
    unreachable); `lease_expires_at` is when a sent or running build is presumed lost. The sweeper
    (marac.tasks.resend_lost_requests, every minute) sends again what is unsent or past its lease.
    """

    sent_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Builds started and never finished (their worker died) since it was last asked for or
    # built: past settings.BACKGROUND_MAX_TAKEOVERS the sweeper marks it failed instead of
    # starting it again, so a build that always kills its worker does not loop.
    takeovers = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def is_in_progress(self) -> bool:
        return self.status in IN_PROGRESS_STATUSES

    @property
    def is_generating(self) -> bool:
        """A worker has it in hand (pending: asked for, not yet picked up)."""
        return self.status == AgendaStatus.GENERATING

    @property
    def is_waiting_for_worker(self) -> bool:
        """Asked for, but the broker could not be reached: built once it is back."""
        return self.is_in_progress and self.sent_at is None

    def lease_expired(self) -> bool:
        return (
            self.is_in_progress
            and self.lease_expires_at is not None
            and self.lease_expires_at < timezone.now()
        )

    def is_stale(self) -> bool:
        """In progress but presumed lost: never sent, or its worker died (lease expired)."""
        return self.is_waiting_for_worker or self.lease_expired()

    # Both kinds of build have `file` and `checksum`, replaced only by a build that succeeds.
    @property
    def has_pdf(self) -> bool:
        """A PDF was built: the ready one, or, while a newer one is being produced, the last
        good one (`file`, `checksum` and `generated_at`, and an agenda's `counts`, are replaced
        only by a build that succeeds, so a regeneration never takes it away)."""
        return bool(self.file.name and self.checksum)

    @property
    def is_being_replaced(self) -> bool:
        """A newer version of a built copy is asked for or being built."""
        return self.is_in_progress and self.has_pdf

    @property
    def is_built(self) -> bool:
        """The version last asked for is built: ready, and not the last good copy left by a
        rebuild that failed (ready with its error), which a retried build replaces."""
        return self.status == AgendaStatus.READY and not self.error


@tracked()
class Agenda(BackgroundBuild):
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
        indexes = [
            models.Index(fields=["meeting_date", "status"]),
            # The sweeper's look-up of builds in progress (a handful among thousands).
            models.Index(
                fields=["lease_expires_at"],
                name="marac_agenda_in_progress",
                condition=Q(status__in=IN_PROGRESS_STATUSES),
            ),
        ]
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
    def is_ready(self) -> bool:
        return self.status == AgendaStatus.READY

    @property
    def is_failed(self) -> bool:
        return self.status == AgendaStatus.FAILED

    def can_regenerate(self) -> bool:
        return not self.is_in_progress or self.is_stale()

    def can_retry(self) -> bool:
        return self.is_failed

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
    MARAC_AWAITING = "marac_awaiting", "MARAC referrals awaiting a decision"
    REPEAT_MARAC = "repeat_marac", "Repeat-MARAC alerts"
    ORDERS_EXPIRING = "orders_expiring", "Protective orders expiring within 7 days"


SECTION_ORDER = {value: index for index, value in enumerate(AgendaSection.values)}


class ItemObjectType(models.TextChoices):
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    ARREST_DECISION = "arrest_decision", "Arrest decision"
    RARA_ACTION = "rara_action", "RARA action"
    PERSON = "person", "Person"
    MARAC_REFERRAL = "marac_referral", "MARAC referral"
    PARTY = "party", "Victim in an incident"
    PROTECTIVE_ORDER = "protective_order", "Protective order"


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

    @property
    def lines(self) -> list[str]:
        """The summary one reason or fact a line, as the agenda shows it."""
        return [line for line in self.summary.splitlines() if line.strip()]


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
    # Several people at the meeting record decisions: a save from an older read is refused.
    version = models.PositiveIntegerField(default=1)
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


# --- MARAC referrals -------------------------------------------------------------------------


class ReferralCriterion(models.TextChoices):
    VISIBLE_HIGH_RISK = "visible_high_risk", "Visible high risk (SPECSS+ HIGH or DASH 14+)"
    PROFESSIONAL_JUDGEMENT = "professional_judgement", "Professional judgement"
    POTENTIAL_ESCALATION = "potential_escalation", "Potential escalation"
    REPEAT = "repeat", "Repeat MARAC"


class ReferralStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting triage"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    LISTED = "listed", "Listed at a meeting"
    HEARD = "heard", "Heard"


def _open_referral_of(assessment_id: str) -> str:
    """SQL: whether the assessment `assessment_id` (an SQL expression) has a MARAC referral
    that is not rejected (selectors.referrals.open_referral_exists, in the database)."""
    return (
        "EXISTS (SELECT FROM marac_maracreferral r "  # noqa: S608 (no input: column names)
        f"WHERE r.assessment_id = {assessment_id} AND r.status <> 'rejected')"
    )


def _recompute_flag_of(assessment_id: str) -> str:
    """SQL: set the assessment's has_open_marac_referral again, if it changed."""
    return recompute_flag_sql(
        table="riskassessment_riskassessment",
        alias="a",
        column="has_open_marac_referral",
        row_id=assessment_id,
        value_of=_open_referral_of,
    )


def _repeat_candidates_trigger(
    *,
    name: str,
    columns: tuple[str, ...],
    unchanged: str,
    parties: str = "NULL",
    ignored: str = "",
    first: str = "",
) -> pgtrigger.Trigger:
    """A trigger keeping RepeatMaracCandidate (ADR 0017) after an insert, an update of
    `columns` or a delete of a row with a `person_id`: the candidacy of `parties` (an SQL array
    expression; NULL: every party of the people) is worked out again, under the lock of the
    OLD and the NEW row's person (each read only when the operation has that row). An update
    that changes nothing the candidacy reads (`unchanged`), or a row `ignored` says cannot
    matter, does no work; `first` runs before the people are locked."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf(*columns) | pgtrigger.Delete,
        declare=[("people", "bigint[]")],
        func=(
            f"IF TG_OP = 'UPDATE' AND {unchanged} THEN RETURN NULL; END IF; "
            + (f"IF {ignored} THEN RETURN NULL; END IF; " if ignored else "")
            + first
            + "people := '{}'; "
            + "IF TG_OP <> 'INSERT' THEN people := people || OLD.person_id; END IF; "
            + "IF TG_OP <> 'DELETE' THEN people := people || NEW.person_id; END IF; "
            + f"PERFORM marac_repeat_candidates_refresh(people, {parties}); "
            + "RETURN NULL;"
        ),
    )


@tracked()
class MaracReferral(models.Model):
    """A victim referred to the borough's MARAC, from the incident and assessment that prompted
    it. The status moves only through marac.services.referrals, which records each event."""

    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        RiskAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referring_agency = models.CharField(max_length=150)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    criteria = ArrayField(models.CharField(max_length=24, choices=ReferralCriterion.choices))
    victim_aware = models.BooleanField("the victim knows about the referral")
    victim_consents = models.BooleanField("the victim consents", null=True, blank=True)
    no_consent_reason = models.TextField("why it proceeds without consent", blank=True)
    safe_contact = models.TextField("safe way to contact the victim", blank=True)
    safe_contact_times = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=60, blank=True)
    interpreter = models.BooleanField("interpreter needed", default=False)
    children_in_household = models.PositiveSmallIntegerField(default=0)
    # The perpetrators are people on record (suspects in the victim's incidents); the note
    # describes one who is not ("unknown male"). marac.services.referrals requires one or other.
    perpetrators = models.ManyToManyField(
        Person, through="ReferralPerpetrator", related_name="+", blank=True
    )
    perpetrator_note = models.TextField("perpetrator not on record", blank=True)
    recent_history = models.TextField()
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SUBMITTED
    )
    rejection_reason = models.TextField(blank=True)
    is_repeat = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["borough", "status", "-created_at"]),
            models.Index(fields=["person", "-created_at"]),
            # The referral lists, newest first, read a page from these and stop (sorting a
            # borough's ten years of referrals for each page grew with the history).
            models.Index(fields=["borough", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="marac_referral_status_valid",
                condition=Q(status__in=ReferralStatus.values),
            ),
            models.CheckConstraint(
                name="marac_referral_has_criteria",
                condition=Q(criteria__len__gt=0)
                & Q(criteria__contained_by=ReferralCriterion.values),
            ),
            models.CheckConstraint(
                name="marac_referral_consent_or_reason",
                condition=Q(victim_consents=True) | ~Q(no_consent_reason=""),
            ),
            models.CheckConstraint(
                name="marac_referral_rejected_has_reason",
                condition=~Q(status=ReferralStatus.REJECTED) | ~Q(rejection_reason=""),
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=~Q(status=ReferralStatus.REJECTED),
                name="one_open_marac_referral_per_assessment",
            ),
        ]
        triggers = [
            # The assessment's has_open_marac_referral follows its referrals, whatever writes
            # them (services, `.update()`, a delete): the old and the new assessment of a
            # referral moved from one to another are both recomputed.
            pgtrigger.Trigger(
                name="referral_sets_assessment_flag",
                when=pgtrigger.After,
                operation=pgtrigger.Insert
                | pgtrigger.UpdateOf("status", "assessment_id")
                | pgtrigger.Delete,
                func=(
                    "IF TG_OP <> 'INSERT' AND OLD.assessment_id IS NOT NULL THEN "
                    f"{_recompute_flag_of('OLD.assessment_id')} END IF; "
                    "IF TG_OP <> 'DELETE' AND NEW.assessment_id IS NOT NULL THEN "
                    f"{_recompute_flag_of('NEW.assessment_id')} END IF; "
                    "RETURN NULL;"
                ),
            ),
            # A victim's repeat-MARAC candidacy depends on their referrals that are not
            # rejected, and on when each was made (RepeatMaracCandidate).
            _repeat_candidates_trigger(
                name="referral_refreshes_repeat_candidates",
                columns=("status", "person_id", "created_at"),
                unchanged="OLD.person_id = NEW.person_id "
                "AND OLD.created_at = NEW.created_at "
                "AND (OLD.status = 'rejected') = (NEW.status = 'rejected')",
            ),
        ]

    def __str__(self) -> str:
        return f"MARAC referral {self.pk}: {self.incident.reference}"

    @property
    def reference(self) -> str:
        return f"MR-{self.pk}"

    @property
    def is_heard(self) -> bool:
        """Heard at a meeting: listed again only for its 12-month review."""
        return self.status == ReferralStatus.HEARD

    @property
    def is_listed(self) -> bool:
        return self.status == ReferralStatus.LISTED

    def can_accept(self) -> bool:
        return self.status == ReferralStatus.SUBMITTED

    def can_reject(self) -> bool:
        return self.status == ReferralStatus.SUBMITTED

    def can_list(self) -> bool:
        """New referrals once triaged; a heard case again for its 12-month review."""
        return self.status in (
            ReferralStatus.SUBMITTED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.HEARD,
        )

    def may_be_twelve_month_review(self) -> bool:
        """Only a repeat referral is asked whether it reaches 12 months since its last MARAC
        (the listing form asks no one else); a heard case comes back as its review anyway."""
        return self.is_repeat or self.status == ReferralStatus.HEARD

    @property
    def criteria_labels(self) -> list[str]:
        labels = dict(ReferralCriterion.choices)
        return [labels.get(value, value) for value in self.criteria]


class AssessmentReferralState(RiskAssessment):
    """The risk assessment as MARAC keeps it: a proxy, so that the trigger below, which reads
    MARAC's referrals, is declared and migrated in this app (riskassessment knows nothing of
    MARAC). No table of its own."""

    class Meta:
        proxy = True
        triggers = [
            # Whatever writes the assessment (a form holding it since before a referral was
            # made, a bulk load), the flag it stores is read from the referrals, never taken
            # from the write: the "to be referred" list trusts it.
            pgtrigger.Trigger(
                name="assessment_flag_from_referrals",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=f"NEW.has_open_marac_referral := {_open_referral_of('NEW.id')}; RETURN NEW;",
            ),
        ]


@kept_by_triggers
class RepeatMaracCandidate(models.Model):
    """A victim of an incident whose person had a MARAC referral (not rejected) made before
    the incident happened: the latest such referral's time. The repeat-MARAC alerts read the
    few whose referral falls in the repeat window (`last_referral_at` at most
    MARAC_REPEAT_WINDOW_DAYS before `occurred_at`: the window is applied when reading, so
    changing the setting needs no rebuild) and apply the whole rule (the same perpetrator,
    the incident not yet referred) to those alone, instead of looking up every victim of a
    year in the referrals on every page a coordinator opens.

    Written only by database triggers (ADR 0016, ADR 0017), never by the application: on
    referrals (made, rejected or reopened, moved to another person, deleted), on parties (added,
    given another person, role or incident, removed) and on incidents (their time or borough
    changed). A bulk load that switches triggers off calls `marac_repeat_candidates_rebuild()`.
    Not audited: a derived fact, not a record anyone edits."""

    party = models.OneToOneField(
        Party, on_delete=models.DO_NOTHING, primary_key=True, related_name="+"
    )
    # Copied from the incident, so that a borough's year is one index range.
    borough = models.ForeignKey(
        Borough, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    occurred_at = models.DateTimeField()
    last_referral_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["borough", "-occurred_at"], name="repeat_candidate_borough"),
            models.Index(fields=["-occurred_at"], name="repeat_candidate_when"),
        ]

    def __str__(self) -> str:
        return f"repeat candidate: party {self.party_id}"


class RepeatCandidateParty(Party):
    """The incident party as the repeat-MARAC candidates follow it: a proxy, so that its
    trigger, which writes a MARAC table, is declared and migrated here (cases knows nothing of
    MARAC). No table of its own."""

    class Meta:
        proxy = True
        triggers = [
            _repeat_candidates_trigger(
                name="party_refreshes_repeat_candidates",
                columns=("person_id", "role", "incident_id"),
                unchanged="OLD.person_id = NEW.person_id AND OLD.role = NEW.role "
                "AND OLD.incident_id = NEW.incident_id",
                parties="ARRAY[COALESCE(NEW.id, OLD.id)]",
                # Only a victim has a candidacy: a suspect, witness or child added, changed
                # or removed locks no one.
                ignored="(TG_OP = 'INSERT' OR OLD.role <> 'victim') "
                "AND (TG_OP = 'DELETE' OR NEW.role <> 'victim')",
                # The candidacy reads the incident's time and borough. An incident update not
                # yet committed holds its row: wait for it (FOR SHARE conflicts with it, and
                # the incident's own trigger chose its victims before this party existed), so
                # the work below reads the incident as committed. Without it a party written
                # around the services (which lock the incident first) could be computed from
                # the old time or borough, and nothing would correct it.
                first="PERFORM 1 FROM cases_incident "
                "WHERE id IN (OLD.incident_id, NEW.incident_id) ORDER BY id FOR SHARE; ",
            ),
        ]


class RepeatCandidateIncident(Incident):
    """The incident as the repeat-MARAC candidates follow it (a proxy, as above): a candidacy
    copies the incident's time and borough, and its time decides which referrals came before."""

    class Meta:
        proxy = True
        triggers = [
            pgtrigger.Trigger(
                name="incident_refreshes_repeat_candidates",
                when=pgtrigger.After,
                operation=pgtrigger.UpdateOf("occurred_at", "borough_id"),
                condition=pgtrigger.AnyChange("occurred_at", "borough_id"),
                func=(
                    "PERFORM marac_repeat_candidates_refresh("
                    "ARRAY(SELECT p.person_id FROM cases_party p "
                    "WHERE p.incident_id = NEW.id AND p.role = 'victim'), "
                    "ARRAY(SELECT p.id FROM cases_party p "
                    "WHERE p.incident_id = NEW.id AND p.role = 'victim')); "
                    "RETURN NULL;"
                ),
            ),
        ]


@tracked()
class ReferralPerpetrator(models.Model):
    """A person on record named as a perpetrator in a referral."""

    referral = models.ForeignKey(
        MaracReferral, on_delete=models.CASCADE, related_name="perpetrator_links"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "person"], name="one_link_per_referral_perpetrator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: person {self.person_id}"


class ReferralEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Referred"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    LISTED = "listed", "Listed at a meeting"
    HEARD = "heard", "Heard at the meeting"
    UNLISTED = "unlisted", "Removed from the meeting"


@tracked()
class ReferralHistoryEntry(models.Model):
    """The referral's history: who moved it, when, and why."""

    referral = models.ForeignKey(MaracReferral, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=12, choices=ReferralEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="marac_referral_event_kind_valid",
                condition=Q(kind__in=ReferralEventKind.values),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d %b %Y})"


# --- MARAC meetings --------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


@tracked()
class MaracMeeting(models.Model):
    """One sitting of a borough's MARAC."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="marac_meetings")
    starts_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    is_online = models.BooleanField(default=False)
    chair = models.CharField(max_length=150)
    max_cases = models.PositiveSmallIntegerField()
    minutes_per_case = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: a save from a form that read an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        # In list order (newest first is a backward scan): a page of meetings is read from
        # the index, and only its meetings' cases are counted (see selectors.meeting_list).
        indexes = [
            models.Index(fields=["team", "starts_at", "id"]),
            models.Index(fields=["starts_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="marac_meeting_status_valid", condition=Q(status__in=MeetingStatus.values)
            ),
            models.CheckConstraint(
                name="marac_meeting_has_place", condition=Q(is_online=True) | ~Q(venue="")
            ),
            models.CheckConstraint(
                name="marac_meeting_capacity_positive",
                condition=Q(max_cases__gt=0) & Q(minutes_per_case__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"MARAC, {self.team}, {timezone.localtime(self.starts_at):%d %B %Y %H:%M}"

    @property
    def place(self) -> str:
        if self.is_online and self.venue:
            return f"{self.venue} and online"
        return "Online" if self.is_online else self.venue

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    def can_list_cases(self) -> bool:
        return self.is_scheduled

    def can_mark_held(self) -> bool:
        """A scheduled meeting that has started."""
        return self.is_scheduled and self.starts_at <= timezone.now()

    def can_cancel(self) -> bool:
        return self.is_scheduled

    def can_record_discussions(self) -> bool:
        """A cancelled meeting discussed nothing: its cases are to be heard at another."""
        return not self.is_cancelled


class ListingCategory(models.TextChoices):
    """Case sections in the order the meeting takes them."""

    NEW_WITH_CHILDREN = "new_with_children", "New cases with children"
    NEW_ADULT_ONLY = "new_adult_only", "New cases, adults only"
    TWELVE_MONTH_REVIEW = "twelve_month_review", "Cases reaching 12 months since their last MARAC"


LISTING_ORDER = {value: index for index, value in enumerate(ListingCategory.values)}


# The object permission that shares a listed case with an invited agency's group (django-guardian).
VIEW_LISTING = "view_maraccaselisting"


@tracked()
class MaracCaseListing(models.Model):
    """A referral listed at a meeting. Its time slot is computed from its place in the agenda
    (marac.selectors.meetings.meeting_agenda), so reordering never leaves stale times."""

    meeting = models.ForeignKey(MaracMeeting, on_delete=models.CASCADE, related_name="listings")
    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="listings")
    category = models.CharField(max_length=20, choices=ListingCategory.choices)
    position = models.PositiveIntegerField(default=0)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "referral"], name="marac_referral_once_per_meeting"
            ),
            models.CheckConstraint(
                name="marac_listing_category_valid",
                condition=Q(category__in=ListingCategory.values),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.referral.reference}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"


@tracked()
class MeetingAttendance(models.Model):
    """Who came for which agency (or sent apologies), and their acknowledgement of the
    confidentiality statement."""

    meeting = models.ForeignKey(MaracMeeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    agency_name = models.CharField("agency (if not in the list)", max_length=150, blank=True)
    person_name = models.CharField(max_length=150)
    status = models.CharField(
        max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    confidentiality_acknowledged = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                name="marac_attendance_status_valid",
                condition=Q(status__in=AttendanceStatus.values),
            ),
            models.CheckConstraint(
                name="marac_attendance_names_agency",
                condition=Q(agency__isnull=False) | ~Q(agency_name=""),
            ),
            models.CheckConstraint(
                name="marac_attendance_acknowledged_when_present",
                condition=Q(confidentiality_acknowledged=False)
                | (Q(status=AttendanceStatus.PRESENT) & Q(acknowledged_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.agency_label})"

    @property
    def is_present(self) -> bool:
        return self.status == AttendanceStatus.PRESENT

    @property
    def is_apologies(self) -> bool:
        return self.status == AttendanceStatus.APOLOGIES

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency_id else self.agency_name


# --- Partner sharing, research, actions and minutes --------------------------------------------


@tracked()
class MeetingInvitation(models.Model):
    """An agency invited to a meeting. While invited, its members can read the cases listed on
    the meeting (through MaracCaseListingGroupObjectPermission, granted by
    marac.services.sharing)."""

    meeting = models.ForeignKey(MaracMeeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "agency__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="marac_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency} at {self.meeting}"


@tracked()
class MaracCaseListingGroupObjectPermission(GroupObjectPermissionBase):
    """Shares are per listing, not per referral: the grant comes from one meeting's invitation,
    so withdrawing it removes exactly that access, and a case heard again at a later meeting
    is shared afresh with that meeting's agencies."""

    content_object = models.ForeignKey(MaracCaseListing, on_delete=models.CASCADE)


@tracked()
class CaseResearch(models.Model):
    """What one invited agency holds on a listed case, fact separated from opinion, and what it
    withholds and why."""

    listing = models.ForeignKey(MaracCaseListing, on_delete=models.CASCADE, related_name="research")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    facts = models.TextField(blank=True)
    opinion = models.TextField(blank=True)
    withheld = models.TextField("information withheld", blank=True)
    withheld_reason = models.TextField("why it is withheld", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: colleagues of one agency share the record; a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["listing", "agency__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "agency"], name="marac_research_once"),
            models.CheckConstraint(
                name="marac_research_withheld_has_reason",
                condition=Q(withheld="") | ~Q(withheld_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Research by {self.agency} on {self.listing}"


class ActionSubject(models.TextChoices):
    VICTIM = "victim", "Victim"
    CHILDREN = "children", "Children"
    PERPETRATOR = "perpetrator", "Perpetrator"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_POSSIBLE = "not_possible", "Not possible: circumstances changed"
    NOT_DONE = "not_done", "Not done by the agency"


@tracked()
class MaracAction(models.Model):
    """One action of a case's plan, owned by an agency. Open actions come back on the next
    meeting's agenda."""

    listing = models.ForeignKey(MaracCaseListing, on_delete=models.CASCADE, related_name="actions")
    subject = models.CharField(max_length=12, choices=ActionSubject.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(max_length=150)
    description = models.TextField()
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: two coordinators reassigning one action; a stale reassignment is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["agency", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                name="marac_action_subject_valid", condition=Q(subject__in=ActionSubject.values)
            ),
            models.CheckConstraint(
                name="marac_action_status_valid", condition=Q(status__in=ActionStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.description[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN


@tracked()
class MaracActionUpdate(models.Model):
    action = models.ForeignKey(MaracAction, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Update on action {self.action_id}"


@tracked()
class CaseDiscussion(models.Model):
    """The minutes' summary of the meeting's discussion of one case."""

    listing = models.OneToOneField(
        MaracCaseListing, on_delete=models.CASCADE, related_name="discussion"
    )
    summary = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Coordinators write the minutes together: a save from an older read is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Discussion of {self.listing}"


# --- Meeting documents: packs and minutes ------------------------------------------------------


class DocumentKind(models.TextChoices):
    PACK = "pack", "Meeting pack"
    MINUTES = "minutes", "Minutes and action log"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    GENERATING = "generating", "Generating"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


@tracked()
class MeetingDocument(BackgroundBuild):
    """A meeting's pack or minutes as one audience may read it: the coordinator's full copy
    (no agency) or one invited agency's copy, holding only what that agency may see.

    Built by a Celery task (marac.services.documents), stored privately under a checksum name,
    and downloaded only through the audited views. One row per meeting, kind and audience."""

    meeting = models.ForeignKey(MaracMeeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The agency whose copy this is; empty for the coordinator's full copy.",
    )
    status = models.CharField(
        max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    # Private storage (STORAGES["default"]): served only through the audited download views.
    file = models.FileField(max_length=300, blank=True)
    checksum = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "kind", "id"]
        indexes = [
            models.Index(
                fields=["lease_expires_at"],
                name="marac_document_in_progress",
                condition=Q(status__in=IN_PROGRESS_STATUSES),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "agency"],
                nulls_distinct=False,
                name="marac_document_once_per_audience",
            ),
            models.CheckConstraint(
                name="marac_document_kind_valid", condition=Q(kind__in=DocumentKind.values)
            ),
            models.CheckConstraint(
                name="marac_document_status_valid",
                condition=Q(status__in=DocumentStatus.values),
            ),
            models.CheckConstraint(
                name="marac_document_ready_has_file",
                condition=~Q(status=DocumentStatus.READY) | (~Q(file="") & ~Q(checksum="")),
            ),
        ]

    def __str__(self) -> str:
        audience = self.agency.name if self.agency_id else "coordinator"
        return f"{self.get_kind_display()} ({audience}): {self.meeting}"

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY

    @property
    def is_failed(self) -> bool:
        return self.status == DocumentStatus.FAILED

    def can_request(self) -> bool:
        return not self.is_in_progress or self.is_stale()

    def can_retry(self) -> bool:
        return self.is_failed
