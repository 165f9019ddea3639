"""People and incidents: the records a public protection unit keeps.

Rules that must hold whatever writes the row are database constraints here; the workflow
rules (positive action, reviews, child safeguarding) live in services.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from publicprotection.accounts.models import Borough
from publicprotection.audit.tracking import tracked
from publicprotection.derived_flags import recompute_flag_sql

# --- Reference lists ---------------------------------------------------------------------------


class OffenceType(models.Model):
    """The offence catalogue (reference data). `seriousness` orders offences for escalation."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    power_of_arrest = models.BooleanField(default=True)
    seriousness = models.PositiveSmallIntegerField(
        help_text="Higher is more serious; used to suggest escalation."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    # The 2021 census high-level groups.
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class SafeContactMethod(models.TextChoices):
    PHONE_CALL = "phone_call", "Phone call"
    TEXT_MESSAGE = "text", "Text message"
    EMAIL = "email", "Email"
    THROUGH_IDVA = "idva", "Through the IDVA"
    IN_PERSON = "in_person", "In person only"
    NO_CONTACT = "none", "No safe method: do not contact"


# --- People and addresses ------------------------------------------------------------------------


def _register_search_name(name: str) -> pgtrigger.Trigger:
    """A trigger adding a row's search_name to SearchName, whatever writes the row (services,
    `.update()`, COPY)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf("search_name"),
        func=(
            "INSERT INTO cases_searchname (name) VALUES (NEW.search_name) "
            "ON CONFLICT DO NOTHING; RETURN NULL;"
        ),
    )


def _copy_to_parties(name: str, *, column: str, copy: str, party_key: str) -> pgtrigger.Trigger:
    """A trigger rewriting the parties' `copy` of this row's `column` when it changes
    (Party.person_search_name, Party.incident_borough: copies kept by the database)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=pgtrigger.UpdateOf(column),
        condition=pgtrigger.Condition(f"OLD.{column} IS DISTINCT FROM NEW.{column}"),
        # Column names written in this module, never input.
        func=f"UPDATE cases_party SET {copy} = NEW.{column} WHERE {party_key} = NEW.id; RETURN NULL;",  # noqa: S608, E501
    )


def _copied_onto_party(name: str, *, copy: str, source: str, party_key: str) -> pgtrigger.Trigger:
    """A trigger setting the party's `copy` from `source` ("table.column") of the row its
    `party_key` refers to, on every write of the party, whatever the ORM wrote there."""
    table, column = source.split(".")
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update,
        # Table and column names written in this module, never input.
        func=f"NEW.{copy} := (SELECT {column} FROM {table} WHERE id = NEW.{party_key}); RETURN NEW;",  # noqa: S608, E501
    )


class SearchName(models.Model):
    """Every distinct normalised name of a person or alias, kept by database triggers.

    Fuzzy name search matches against these (London has far fewer distinct names than
    people) and then finds the people by exact name: the trigram work grows with the number
    of different names, not with the number of people. Names nobody has any more are harmless:
    they match no one.
    """

    name = models.CharField(max_length=201)

    class Meta:
        indexes = [GinIndex(OpClass("name", name="gin_trgm_ops"), name="search_name_trgm")]
        # A constraint, not unique=True: that would add a LIKE index the planner then prefers
        # to the trigram index for `%`.
        constraints = [models.UniqueConstraint(fields=["name"], name="search_name_unique")]

    def __str__(self) -> str:
        return self.name


@tracked()
class Person(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    # Lower-cased "given family", kept by the services, for trigram search.
    search_name = models.CharField(max_length=201, editable=False)
    date_of_birth = models.DateField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="When the date of birth is not known."
    )
    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(
        max_length=12, choices=Ethnicity.choices, default=Ethnicity.NOT_STATED
    )
    language = models.CharField(max_length=60, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)
    disability = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    safe_contact_method = models.CharField(
        max_length=12, choices=SafeContactMethod.choices, blank=True
    )
    safe_contact_times = models.CharField(max_length=200, blank=True)
    # The borough of the team that registered the person: keeps a new person visible to them
    # before any incident links them. Null for the central team.
    registered_borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            # Name search finds similar names in SearchName, then people by exact name.
            # With the id, finding people by name is an index-only scan.
            models.Index(fields=["search_name"], include=["id"], name="person_search_name_id"),
            # ...and a borough's own registrations of those names (people_of_borough_named).
            models.Index(
                fields=["search_name", "registered_borough"],
                include=["id"],
                name="person_search_name_borough",
            ),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["family_name", "given_name", "id"], name="person_name_order"),
        ]
        triggers = [
            _register_search_name("person_search_name_registered"),
            # Parties carry their person's name for the incident list's name search.
            _copy_to_parties(
                "person_name_to_parties",
                column="search_name",
                copy="person_search_name",
                party_key="person_id",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="person_age_plausible",
                condition=Q(estimated_age__isnull=True) | Q(estimated_age__lte=120),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def reference(self) -> str:
        """The person's register number, to tell apart people with the same name and birthday."""
        return f"P{self.pk:07d}" if self.pk else ""


@tracked()
class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    full_name = models.CharField(max_length=201)
    search_name = models.CharField(max_length=201, editable=False)

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "person aliases"
        indexes = [models.Index(fields=["search_name"], name="alias_search_name")]
        triggers = [_register_search_name("alias_search_name_registered")]

    def __str__(self) -> str:
        return self.full_name


@tracked()
class Address(models.Model):
    line_1 = models.CharField("address line 1", max_length=200)
    line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100, default="London")
    postcode = models.CharField(max_length=10)
    # Normalised "POSTCODE|line 1" so the same place typed twice is one address.
    match_key = models.CharField(max_length=220, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        parts = [self.line_1, self.line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)


@tracked()
class PersonAddress(models.Model):
    """Where a person lives or lived. Confidential ones (a refuge, say) are never disclosed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residents")
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    is_confidential = models.BooleanField(
        "confidential address",
        default=False,
        help_text="A refuge or other address that must never be shown to partners or printed.",
    )
    # The borough of the team that recorded the address (null: the central team). A
    # confidential address is shown only to that borough and to central supervisors, never
    # to a borough that came to the person through a link (cases.selectors.people).
    recorded_borough = models.ForeignKey(
        Borough, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-from_date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="person_address_dates_in_order",
                condition=Q(to_date__isnull=True)
                | Q(from_date__isnull=True)
                | Q(to_date__gte=models.F("from_date")),
                violation_error_message="The end date must be on or after the start date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.address_id}"


# --- Incidents -----------------------------------------------------------------------------------


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


class AbuseType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    SEXUAL = "sexual", "Sexual"
    PSYCHOLOGICAL = "psychological", "Psychological"
    ECONOMIC = "economic", "Economic or financial"
    EMOTIONAL = "emotional", "Emotional"
    COERCIVE_CONTROL = "coercive_control", "Controlling or coercive behaviour"


class Outcome(models.TextChoices):
    CHARGE = "charge", "Charge"
    CAUTION = "caution", "Caution"
    COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
    NO_FURTHER_ACTION = "nfa", "No further action"


SANCTION_OUTCOMES = (Outcome.CHARGE, Outcome.CAUTION, Outcome.COMMUNITY_RESOLUTION)


class EvidenceType(models.TextChoices):
    """Evidence that exists independently of the victim's statement."""

    BODY_WORN_VIDEO = "bwv", "Body-worn video"
    CALL_RECORDING = "999_recording", "999 call recording"
    PHOTOS_INJURIES = "photos_injuries", "Photographs of injuries"
    PHOTOS_SCENE = "photos_scene", "Photographs of the scene"
    INDEPENDENT_WITNESS = "independent_witness", "Independent witnesses"
    MEDICAL = "medical", "Medical evidence"
    CCTV = "cctv", "CCTV"
    ADMISSIONS = "admissions", "Admissions or first account (res gestae)"


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


def _victim_to_assess_of(incident_id: str) -> str:
    """SQL: whether the incident `incident_id` (an SQL expression) has a victim with no risk
    assessment."""
    return (
        "EXISTS (SELECT FROM cases_party p "  # noqa: S608 (column names only)
        f"WHERE p.incident_id = {incident_id} AND p.role = 'victim' "
        "AND NOT p.has_risk_assessment)"
    )


def _recompute_victim_to_assess_of(incident_id: str) -> str:
    """SQL: set the incident's has_victim_to_assess again, if it changed."""
    return recompute_flag_sql(
        table="cases_incident",
        alias="i",
        column="has_victim_to_assess",
        row_id=incident_id,
        value_of=_victim_to_assess_of,
    )


# History leaves out the derived flag: its changes follow the victims' assessments, not an
# edit of the incident.
@tracked(exclude=["has_victim_to_assess"])
class Incident(models.Model):
    reference = models.CharField(max_length=24, unique=True, editable=False)
    # db_index=False on foreign keys that lead a composite index already: a second index on
    # a million-row table only costs writes.
    borough = models.ForeignKey(
        Borough, on_delete=models.PROTECT, related_name="incidents", db_index=False
    )
    occurred_at = models.DateTimeField("when it happened")
    reported_at = models.DateTimeField("when it was reported")
    how_reported = models.CharField(max_length=20, choices=HowReported.choices)
    location = models.ForeignKey(
        Address,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        db_index=False,  # (location, -occurred_at) below
    )
    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT
    )
    is_crime = models.BooleanField("crime", default=True)
    abuse_types = ArrayField(
        models.CharField(max_length=20, choices=AbuseType.choices), default=list, blank=True
    )
    cad_reference = models.CharField("CAD reference", max_length=40, blank=True)
    crime_reference = models.CharField("crime report number", max_length=40, blank=True)
    injuries = models.TextField(blank=True)
    weapons = models.TextField("weapons used", blank=True)
    alcohol_involved = models.BooleanField(default=False)
    drugs_involved = models.BooleanField(default=False)
    victim_account = models.TextField("victim's account", blank=True)
    officer_narrative = models.TextField("officer's narrative", blank=True)
    evidence_types = ArrayField(
        models.CharField(max_length=24, choices=EvidenceType.choices), default=list, blank=True
    )
    evidence_notes = models.TextField(blank=True)
    victim_statement_obtained = models.BooleanField(default=False)
    victim_supports_prosecution = models.BooleanField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    no_further_action_reason = models.CharField(max_length=300, blank=True)
    # Set by the services when a victim is under the minimum age (DOMAIN.md).
    child_safeguarding = models.BooleanField(default=False)
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
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    # Whether a victim of the incident has no risk assessment (`Party.has_risk_assessment`
    # false): written only by database triggers (ADR 0016), here and on the parties, whatever
    # the ORM writes. The officers' "Victims to assess" reads an officer's few such incidents
    # from the partial indexes below, not every incident they ever recorded.
    has_victim_to_assess = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        triggers = [
            # Parties carry their incident's borough (Party.incident_borough): a borough is
            # not changed by any service, but a change made in the database reaches them too.
            _copy_to_parties(
                "incident_borough_to_parties",
                column="borough_id",
                copy="incident_borough_id",
                party_key="incident_id",
            ),
            pgtrigger.Trigger(
                name="incident_flag_from_parties",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=f"NEW.has_victim_to_assess := {_victim_to_assess_of('NEW.id')}; RETURN NEW;",
            ),
        ]
        indexes = [
            models.Index(fields=["borough", "-occurred_at", "-id"]),
            models.Index(fields=["-occurred_at", "-id"]),
            models.Index(fields=["status", "-occurred_at"]),
            models.Index(fields=["location", "-occurred_at"]),
            # Daily agendas select what was reported since the previous meeting.
            models.Index(fields=["reported_at"]),
            # ... and the assessments whose incident was submitted since then (one made while
            # the incident was a draft): without it that read scans every incident.
            models.Index(fields=["submitted_at"], name="incident_submitted_at"),
            # The search box matches references case-insensitively (`iexact` is UPPER(...)).
            models.Index(Upper("reference"), name="incident_reference_upper"),
            models.Index(Upper("cad_reference"), name="incident_cad_reference_upper"),
            models.Index(Upper("crime_reference"), name="incident_crime_ref_upper"),
            # An officer's submitted incidents with a victim not assessed, by who recorded them
            # and who is in charge ("Victims to assess"): a handful each.
            models.Index(
                fields=["created_by"],
                name="incident_recorder_to_assess",
                condition=Q(has_victim_to_assess=True) & ~Q(status="draft"),
            ),
            models.Index(
                fields=["officer_in_charge"],
                name="incident_oic_to_assess",
                condition=Q(has_victim_to_assess=True) & ~Q(status="draft"),
            ),
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
            models.CheckConstraint(
                name="incident_nfa_has_reason",
                condition=~Q(outcome=Outcome.NO_FURTHER_ACTION) | ~Q(no_further_action_reason=""),
                violation_error_message="Give the reason for no further action.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_sanction_detection(self) -> bool:
        return self.is_crime and self.outcome in SANCTION_OUTCOMES

    @property
    def could_proceed_without_victim(self) -> bool:
        """Evidence-led prosecution: some evidence exists independently of the victim."""
        return bool(self.evidence_types)

    @property
    def abuse_type_labels(self) -> list[str]:
        return [AbuseType(v).label for v in self.abuse_types]

    @property
    def evidence_type_labels(self) -> list[str]:
        return [EvidenceType(v).label for v in self.evidence_types]

    @property
    def is_draft(self) -> bool:
        return self.status == IncidentStatus.DRAFT

    @property
    def is_open(self) -> bool:
        """Submitted and not yet closed."""
        return self.status == IncidentStatus.OPEN

    def can_edit(self) -> bool:
        return self.status != IncidentStatus.CLOSED

    def can_submit(self) -> bool:
        return self.is_draft

    def can_close(self) -> bool:
        return self.status == IncidentStatus.OPEN


class PartyRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    CHILD_PRESENT = "child_present", "Child present"
    CHILD_IN_HOUSEHOLD = "child_household", "Child in the household"
    WITNESS = "witness", "Witness"


CHILD_ROLES = (PartyRole.CHILD_PRESENT, PartyRole.CHILD_IN_HOUSEHOLD)


class RelationshipType(models.TextChoices):
    SPOUSE = "spouse", "Spouse or civil partner"
    FORMER_SPOUSE = "former_spouse", "Former spouse or civil partner"
    PARTNER = "partner", "Intimate partner"
    FORMER_PARTNER = "former_partner", "Former intimate partner"
    CO_PARENT = "co_parent", "Parent of the same child"
    PARENT_CHILD = "parent_child", "Parent and adult child"
    SIBLING = "sibling", "Sibling"
    OTHER_RELATIVE = "other_relative", "Other relative"


# Relationships that can separate: SPECSS+ separation (including conflict over child contact).
SEPARATING_RELATIONSHIPS = (
    RelationshipType.SPOUSE,
    RelationshipType.FORMER_SPOUSE,
    RelationshipType.PARTNER,
    RelationshipType.FORMER_PARTNER,
    RelationshipType.CO_PARENT,
)


class SeparationAnswer(models.TextChoices):
    """Whether victim and suspect separated in the last 12 months, or a separation is planned:
    asked when the suspect is recorded, because a former-partner relationship alone says
    nothing about when they separated."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


# History leaves out the copies of the person's name (a rename would record a change on every
# party of the person) and of the incident's borough, and the derived assessment flag (not an
# edit of the party).
@tracked(
    exclude=[
        "person_search_name",
        "incident_borough",
        "has_risk_assessment",
        "has_submitted_risk_assessment",
    ]
)
class Party(models.Model):
    """A person's part in an incident."""

    # Not indexed on their own: party_once_per_role leads with incident, and (person, role)
    # with person.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="parties", db_index=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="parties", db_index=False
    )
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    # For a suspect: how they are related to the victim this incident is about.
    relationship_to_victim = models.CharField(
        max_length=16, choices=RelationshipType.choices, blank=True
    )
    # For a suspect who is or was a partner: a recent or planned separation (empty: not asked).
    separation = models.CharField(
        "separated in the last 12 months, or a separation planned",
        max_length=10,
        choices=SeparationAnswer.choices,
        blank=True,
    )
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The person's search_name, copied and kept by database triggers (whatever the ORM
    # writes here is replaced): the incident list's name search reads the incidents of every
    # similar name from one index, instead of looking up each similarly named person's
    # parties (8,500 lookups for a common name in a million incidents).
    person_search_name = models.CharField(max_length=201, editable=False, default="")
    # The incident's borough, copied and kept by database triggers like the name: a borough's
    # name search reads its own people with similar names from one index
    # (party_search_name_borough) instead of checking which of London's namesakes it sees
    # (29,000 people for some names at a million incidents). Never a reason to show anyone:
    # persons_visible_to still decides who is shown.
    incident_borough = models.ForeignKey(
        Borough,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a copy of incident.borough, which has the constraint
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )
    # Whether any risk assessment of this victim exists (a draft included), and whether one
    # has been submitted (a draft sets no level, so nothing follows from it): written only by
    # database triggers declared in riskassessment (`VictimAssessmentState`, ADR 0016), whatever
    # the ORM writes. The officer's "Victims to assess" list, the victim-removal guard and the
    # close check (`closing_problems`) read them: cases cannot read assessments itself.
    has_risk_assessment = models.BooleanField(default=False, editable=False)
    has_submitted_risk_assessment = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["incident", "role", "id"]
        verbose_name_plural = "parties"
        indexes = [
            # With the incident, a person's incidents are an index-only scan.
            models.Index(fields=["person", "role"], include=["incident"], name="party_person_role"),
            # The incidents of people with these names: an index-only scan (name search).
            models.Index(
                fields=["person_search_name"], include=["incident"], name="party_search_name"
            ),
            # ...and the people with these names in a borough's incidents (borough name search).
            models.Index(
                fields=["person_search_name", "incident_borough"],
                include=["person"],
                name="party_search_name_borough",
            ),
            # The victims of many incidents (a borough's year for repeat-MARAC alerts, a page
            # of flags) without reading party rows: 36 ms to 7 ms for 3,300 incidents.
            models.Index(
                fields=["incident"],
                include=["person", "id"],
                condition=Q(role=PartyRole.VICTIM),
                name="party_victim_by_incident",
            ),
            # The few victims with no assessment yet, for the officers' "Victims to assess":
            # every incident of theirs, closed ones included, without reading the assessments.
            models.Index(
                fields=["incident"],
                condition=Q(role=PartyRole.VICTIM, has_risk_assessment=False),
                name="party_victim_to_assess",
            ),
        ]
        triggers = [
            # The incident's has_victim_to_assess: a party added, removed, moved to another
            # incident, given another role, or its victim assessed (riskassessment's trigger
            # sets has_risk_assessment) works out the old and the new incident's flag again.
            pgtrigger.Trigger(
                name="party_sets_incident_flag",
                when=pgtrigger.After,
                operation=pgtrigger.Insert
                | pgtrigger.UpdateOf("role", "incident_id", "has_risk_assessment")
                | pgtrigger.Delete,
                func=(
                    "IF TG_OP <> 'INSERT' THEN "
                    f"{_recompute_victim_to_assess_of('OLD.incident_id')} END IF; "
                    "IF TG_OP <> 'DELETE' THEN "
                    f"{_recompute_victim_to_assess_of('NEW.incident_id')} END IF; "
                    "RETURN NULL;"
                ),
            ),
            _copied_onto_party(
                "party_person_search_name",
                copy="person_search_name",
                source="cases_person.search_name",
                party_key="person_id",
            ),
            _copied_onto_party(
                "party_incident_borough",
                copy="incident_borough_id",
                source="cases_incident.borough_id",
                party_key="incident_id",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "person", "role"], name="party_once_per_role"
            ),
            models.CheckConstraint(
                name="party_relationship_only_for_suspects",
                condition=Q(role=PartyRole.SUSPECT) | Q(relationship_to_victim=""),
            ),
            models.CheckConstraint(
                name="party_separation_only_for_separating_relationships",
                condition=Q(separation="")
                | Q(role=PartyRole.SUSPECT, relationship_to_victim__in=SEPARATING_RELATIONSHIPS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.incident_id}"

    @property
    def is_victim(self) -> bool:
        return self.role == PartyRole.VICTIM

    @property
    def is_suspect(self) -> bool:
        return self.role == PartyRole.SUSPECT

    @property
    def can_be_protected(self) -> bool:
        """A protective order can protect them: a victim, or a child present or in the home."""
        return self.role in (
            PartyRole.VICTIM,
            PartyRole.CHILD_PRESENT,
            PartyRole.CHILD_IN_HOUSEHOLD,
        )


@tracked()
class Offence(models.Model):
    """An offence in an incident, alleged against one suspect."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="offences")
    offence_type = models.ForeignKey(OffenceType, on_delete=models.PROTECT, related_name="+")
    suspect = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="offences")
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suspect", "offence_type"], name="offence_once_per_suspect"
            )
        ]

    def __str__(self) -> str:
        return f"{self.offence_type} ({self.incident_id})"


# --- Positive action -----------------------------------------------------------------------------


class ArrestOutcome(models.TextChoices):
    ARRESTED = "arrested", "Arrested"
    NOT_ARRESTED = "not_arrested", "Not arrested"


class NotArrestedReason(models.TextChoices):
    SUSPECT_NOT_PRESENT = "not_present", "Suspect not present: to be traced"
    INSUFFICIENT_GROUNDS = "insufficient_grounds", "Insufficient grounds"
    NOT_NECESSARY = "not_necessary", "Not necessary or proportionate"
    OTHER = "other", "Other"


# Offered on the form and the API so the officer who would choose it is told why it is refused
# (DOMAIN.md, positive action); never stored: the services refuse it for every caller.
VICTIM_NOT_SUPPORTING = "victim_not_supporting"
VICTIM_NOT_SUPPORTING_LABEL = "Victim does not support a prosecution"
NOT_ARRESTED_REASONS_OFFERED = [
    *NotArrestedReason.choices,
    (VICTIM_NOT_SUPPORTING, VICTIM_NOT_SUPPORTING_LABEL),
]


class NecessityCriterion(models.TextChoices):
    """PACE Code G, 2.9: the reasons that can make an arrest necessary."""

    NAME = "name", "To find the person's name"
    ADDRESS = "address", "To find the person's address"
    PREVENT_INJURY = "prevent_injury", "To prevent physical injury to themselves or another"
    PREVENT_HARM = "prevent_harm", "To prevent the person suffering physical injury or harm"
    PROPERTY = "property", "To prevent loss of or damage to property"
    PUBLIC_DECENCY = "public_decency", "To prevent an offence against public decency"
    HIGHWAY = "highway", "To prevent an unlawful obstruction of the highway"
    PROTECT_VULNERABLE = "protect_vulnerable", "To protect a child or other vulnerable person"
    INVESTIGATION = (
        "investigation",
        "To allow the prompt and effective investigation of the offence or the person's conduct",
    )
    DISAPPEARANCE = (
        "disappearance",
        "To prevent a prosecution being hindered by the person's disappearance",
    )


class ReviewStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "No review needed"
    AWAITING = "awaiting", "Awaiting review"
    RETURNED = "returned", "Returned to officer"
    ENDORSED = "endorsed", "Endorsed"


@tracked(exclude=["borough"])  # derived from the incident, not an edit of the decision
class ArrestDecision(models.Model):
    """The positive-action decision for one suspect of an offence with a power of arrest."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="arrest_decisions"
    )
    # The incident's borough, set by the database (arrest_decision_borough below) whatever the
    # write says, so the access core scopes decisions without joining incidents: a borough's
    # review queue checked London's awaiting decisions against every incident of the borough
    # (8-10 ms at a million incidents, growing with history). Incidents never change borough.
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="+", db_index=False)
    suspect = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="arrest_decision")
    outcome = models.CharField(max_length=14, choices=ArrestOutcome.choices)
    arrested_at = models.DateTimeField(null=True, blank=True)
    arrested_by = models.CharField(max_length=120, blank=True, help_text="Officer name or number")
    reason = models.CharField(max_length=24, choices=NotArrestedReason.choices, blank=True)
    justification = models.TextField(blank=True)
    # The PACE Code G necessity assessment: criterion code -> why it does not apply.
    necessity_grounds = models.JSONField(default=dict, blank=True)
    # A suspect who had left the scene stays outstanding until arrested or closed.
    is_outstanding = models.BooleanField(default=False)
    outstanding_closed_at = models.DateTimeField(null=True, blank=True)
    review_status = models.CharField(
        max_length=14, choices=ReviewStatus.choices, default=ReviewStatus.NOT_REQUIRED
    )
    review_due_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [
            models.Index(
                fields=["review_due_at"],
                name="arrest_awaiting_review",
                condition=Q(review_status="awaiting"),
            ),
            models.Index(
                fields=["decided_at"], name="arrest_outstanding", condition=Q(is_outstanding=True)
            ),
            # The review queue's "returned to the officer" list.
            models.Index(
                fields=["updated_at"],
                name="arrest_returned",
                condition=Q(review_status="returned"),
            ),
            # A borough's review queue (and its count in every supervisor's navigation) and its
            # outstanding suspects, in their order.
            models.Index(
                fields=["borough", "review_due_at"],
                name="arrest_awaiting_by_borough",
                condition=Q(review_status="awaiting"),
            ),
            models.Index(
                fields=["borough", "decided_at"],
                name="arrest_outstanding_by_borough",
                condition=Q(is_outstanding=True),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="arrest_decision_borough",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("incident_id", "borough_id"),
                func=(
                    "NEW.borough_id := (SELECT borough_id FROM cases_incident "
                    "WHERE id = NEW.incident_id); RETURN NEW;"
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="arrest_decision_complete",
                condition=(
                    Q(outcome=ArrestOutcome.ARRESTED, arrested_at__isnull=False, reason="")
                    | (Q(outcome=ArrestOutcome.NOT_ARRESTED) & ~Q(reason="") & ~Q(justification=""))
                ),
                violation_error_message=(
                    "An arrest needs its time; a decision not to arrest needs a reason and a "
                    "written justification."
                ),
            ),
            models.CheckConstraint(
                name="arrest_outstanding_only_when_not_arrested",
                condition=Q(is_outstanding=False) | Q(outcome=ArrestOutcome.NOT_ARRESTED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.suspect_id})"

    @property
    def necessity_assessment(self) -> list[tuple[str, str]]:
        """The necessity grounds recorded, as (criterion, why it does not apply), in the
        order of PACE Code G 2.9."""
        grounds = self.necessity_grounds or {}
        return [(c.label, grounds[c.value]) for c in NecessityCriterion if grounds.get(c.value)]

    @property
    def is_arrested(self) -> bool:
        return self.outcome == ArrestOutcome.ARRESTED

    @property
    def is_awaiting_review(self) -> bool:
        return self.review_status == ReviewStatus.AWAITING

    @property
    def is_returned(self) -> bool:
        return self.review_status == ReviewStatus.RETURNED

    @property
    def is_endorsed(self) -> bool:
        return self.review_status == ReviewStatus.ENDORSED

    @property
    def is_review_required(self) -> bool:
        return self.review_status != ReviewStatus.NOT_REQUIRED

    @property
    def is_reviewed_on_submission(self) -> bool:
        """A decision not to arrest on a draft: it goes to a supervisor when the incident is
        submitted (every one is reviewed)."""
        return not self.is_arrested and not self.is_review_required and self.incident.is_draft

    def can_review(self) -> bool:
        return self.is_awaiting_review

    def can_respond(self) -> bool:
        return self.is_returned


class ReviewEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Sent for review"
    ENDORSED = "endorsed", "Endorsed"
    RETURNED = "returned", "Returned with a required action"
    RESPONDED = "responded", "Officer responded"
    ARRESTED = "arrested", "Suspect arrested"
    OUTSTANDING_CLOSED = "outstanding_closed", "Outstanding suspect closed"


class ArrestReviewEvent(models.Model):
    """One step in the exchange about a decision: kept in full, never overwritten."""

    decision = models.ForeignKey(
        ArrestDecision, on_delete=models.CASCADE, related_name="review_events"
    )
    kind = models.CharField(max_length=20, choices=ReviewEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    required_action = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="review_return_has_required_action",
                condition=~Q(kind="returned") | ~Q(required_action=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.decision_id})"

    @property
    def is_response(self) -> bool:
        """The officer's answer to a return."""
        return self.kind == ReviewEventKind.RESPONDED

    @property
    def is_return(self) -> bool:
        return self.kind == ReviewEventKind.RETURNED


# --- Child safeguarding ----------------------------------------------------------------------------


class ReferralReason(models.TextChoices):
    VICTIM_UNDER_AGE = "victim_under_age", "Victim under the minimum age"
    CHILDREN_IN_HOUSEHOLD = "children", "Children present or in the household"


@tracked()
class ChildrensServicesReferral(models.Model):
    """The mandatory children's services referral record for an incident."""

    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, related_name="childrens_referral"
    )
    reasons = ArrayField(models.CharField(max_length=20, choices=ReferralReason.choices))
    referred_at = models.DateTimeField(null=True, blank=True)
    referred_to = models.CharField(max_length=150, blank=True)
    referral_reference = models.CharField(max_length=60, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Children's services referral for {self.incident_id}"

    @property
    def is_made(self) -> bool:
        return self.referred_at is not None

    @property
    def reason_labels(self) -> list[str]:
        return [ReferralReason(r).label for r in self.reasons]


# --- Protective orders ---------------------------------------------------------------------------


class ProtectiveOrderType(models.TextChoices):
    NON_MOLESTATION = "non_molestation", "Non-molestation order"
    OCCUPATION = "occupation", "Occupation order"
    DVPN = "dvpn", "Domestic violence protection notice (DVPN)"
    DVPO = "dvpo", "Domestic violence protection order (DVPO)"
    RESTRAINING = "restraining", "Restraining order"
    BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
    OTHER = "other", "Other order"


@tracked()
class ProtectiveOrder(models.Model):
    """An order protecting a victim; expiring ones come up at the daily meeting."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="protective_orders"
    )
    # Copied from the incident so the access core can scope by borough without a join.
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="+")
    protected_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order_type = models.CharField(max_length=20, choices=ProtectiveOrderType.choices)
    made_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty when open-ended.")
    issued_by = models.CharField("court or authority", max_length=150, blank=True)
    conditions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_on", "id"]
        indexes = [models.Index(fields=["borough", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                name="order_expires_after_made",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("made_on")),
                violation_error_message="An order cannot expire before it was made.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_order_type_display()} ({self.incident_id})"
