"""Fictional, reproducible case data at London scale, for benchmarks and demonstrations.

Rows are built as model instances of the real models and written with PostgreSQL COPY in
batches of 2,000 incidents (one transaction each), so every database constraint, foreign key
and index applies as for any insert. Deliberate shortcuts, all for speed and all documented in
benchmarks/README.md:

- Row history: the pghistory *insert* triggers of the tracked tables are switched off inside
  each batch's transaction (see `_write_batch`). Synthetic rows are not case records anyone
  worked on; their history would only double the load. Update and delete triggers, and the
  append-only protection of every event table, stay on, so anything done to synthetic rows
  afterwards is tracked.
- Search names: the trigger registering a new person's name is switched off the same way; the
  batch registers its new names in one statement instead.
- Timestamps: created_at, decided_at and similar fields are set to when the record would have
  been made, spread over the years like real records (COPY bypasses `auto_now`; the context
  manager below also switches it off, should a model be saved the ordinary way in the load).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import multiprocessing
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pgtrigger
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, JSONField, Max, OuterRef, Subquery
from django.db.models.base import ModelState
from django.utils import timezone

from cases.models import (
    AbuseType,
    Address,
    ArrestDecision,
    ArrestOutcome,
    ArrestReviewEvent,
    ChildrensServicesReferral,
    Ethnicity,
    EvidenceType,
    Gender,
    HowReported,
    Incident,
    IncidentReferenceCounter,
    IncidentStatus,
    NotArrestedReason,
    Offence,
    OffenceType,
    Outcome,
    Party,
    PartyRole,
    Person,
    ReferralReason,
    RelationshipType,
    ReviewEventKind,
    ReviewStatus,
    SearchName,
)
from cases.services.people import address_match_key, normalise_name
from marac.models import (
    AssessmentReferralState,
    ListingCategory,
    MaracCaseListing,
    MaracMeeting,
    MaracReferral,
    MeetingStatus,
    ReferralCriterion,
    ReferralEventKind,
    ReferralHistoryEntry,
    ReferralStatus,
    RepeatCandidateParty,
)
from publicprotection.accounts.models import Borough, Role, Team
from riskassessment.models import (
    Answer,
    AnswerValue,
    AssessmentStatus,
    Instrument,
    Level,
    MaracDecision,
    RaraAction,
    RaraActionType,
    RaraCategory,
    RaraStatus,
    RiskAssessment,
    VictimAssessmentState,
)

INCIDENTS_PER_YEAR = 102_000
BATCH_INCIDENTS = 2_000
ID_BLOCK = 500  # ids reserved from a sequence at a time (see Generator._ids)
# Chance that an incident is another one for a victim already known: gives roughly a third of
# victims more than one incident (1 - e^(-q/(1-q)) with q = 0.3 is about 0.35).
REPEAT_VICTIM_CHANCE = 0.30
SERIAL_PERPETRATOR_CHANCE = 0.06
CHILDREN_CHANCE = 0.35
CRIME_CHANCE = 0.85
ARRESTED_CHANCE = 0.78
# Victims of open incidents assessed so far (a closed incident's are all assessed).
ASSESSED_CHANCE = 0.92
OPEN_DAYS = 60
# Choice values, listed once: TextChoices.values builds a new list on every call.
ETHNICITIES = Ethnicity.values
CHILD_GENDERS = Gender.values[:2]
RELATIONSHIPS = RelationshipType.values[:5]
HOW_REPORTED = HowReported.values
ABUSE_TYPES = AbuseType.values
EVIDENCE_TYPES = EvidenceType.values

GIVEN_FEMALE = [
    "Amara",
    "Beatrix",
    "Carys",
    "Delphine",
    "Elowen",
    "Fenella",
    "Gwendolyn",
    "Honora",
    "Isolde",
    "Jessamy",
    "Kestrel",
    "Linnea",
    "Marisol",
    "Nerys",
    "Orla",
    "Philippa",
    "Quilla",
    "Rosalind",
    "Saoirse",
    "Tamsin",
    "Ulrika",
    "Verity",
    "Wren",
    "Xanthe",
    "Yselda",
    "Zinnia",
    "Aoife",
    "Bronwen",
    "Cosima",
    "Dervla",
    "Eilidh",
    "Flavia",
]
GIVEN_MALE = [
    "Alaric",
    "Barnaby",
    "Caspian",
    "Dorian",
    "Eamon",
    "Fitzroy",
    "Gideon",
    "Hamish",
    "Ivo",
    "Jago",
    "Kester",
    "Lorcan",
    "Magnus",
    "Niall",
    "Oisin",
    "Peregrine",
    "Quentin",
    "Rafferty",
    "Silas",
    "Tobias",
    "Ulric",
    "Valentine",
    "Wilfred",
    "Xavier",
    "Yorick",
    "Zeb",
    "Anselm",
    "Bartholomew",
    "Cormac",
    "Dashiell",
    "Emrys",
    "Fergus",
]
# Family names are composed from a stem and an ending (59 x 40 = 2,360 names): with one short
# list, a fuzzy search for any name matched several thousand people, far more than in London.
FAMILY_STEMS = [
    "Aber", "Ash", "Black", "Brack", "Bright", "Cart", "Cold", "Crane", "Dun", "Drum", "Elder",
    "Elling", "Fair", "Fern", "Gor", "Green", "Hal", "Haw", "Hollo", "Ingle", "Iron", "Jelli",
    "Kettle", "King", "Lark", "Lock", "Merri", "Moor", "Nether", "North", "Oaken", "Orms",
    "Pem", "Penning", "Quar", "Raven", "Red", "Sallow", "Stir", "Thistle", "Under", "Up",
    "Vane", "Wester", "Whit", "Yard", "Yel", "Zouche", "Bram", "Castle", "Dray", "East", "Frith",
    "Glen", "Hart", "Kirk", "Lang", "Mill", "Oster",
]  # fmt: skip
FAMILY_ENDINGS = [
    "wood", "well", "ton", "by", "field", "ley", "ham", "hurst", "combe", "worth", "more",
    "ridge", "shaw", "stead", "thorpe", "wick", "ford", "brook", "croft", "dale", "gate", "holt",
    "mere", "side", "water", "weather", "cott", "den", "ing", "sby", "bury", "hill", "ington",
    "land", "low", "mont", "port", "stone", "ville", "wright",
]  # fmt: skip
STREETS = [
    "Acacia Road",
    "Bramble Lane",
    "Cedar Grove",
    "Dovecote Street",
    "Elm Row",
    "Foxglove Way",
    "Garnet Close",
    "Heron Walk",
    "Ivy Terrace",
    "Juniper Mews",
    "Kingfisher Road",
    "Lavender Hill",
    "Maple Crescent",
    "Nightingale Lane",
    "Orchard Place",
    "Primrose Street",
    "Quince Court",
    "Rowan Avenue",
    "Sorrel Gardens",
    "Teasel Road",
    "Umber Lane",
    "Violet Row",
    "Willow Walk",
    "Yarrow Close",
]
JUSTIFICATIONS = (
    "The suspect had left the address before officers arrived; searches of the area and "
    "known associates were made and a circulation is in place so he is arrested when traced.",
    "Officers considered the necessity test carefully; the suspect is in hospital under "
    "supervision, cannot leave, and will be interviewed under caution on discharge.",
    "There were no grounds to suspect an offence: the account, the body-worn video and the "
    "neighbours' statements all describe a verbal dispute without threats or damage.",
    "The suspect attended the station voluntarily, was interviewed under caution the same "
    "day and bail conditions were not needed because he has moved to another county.",
)
NFA_REASONS = (
    "Evidential difficulties: no independent evidence and the account could not be corroborated.",
    "Public interest test not met after review by the CPS.",
    "Suspect not identified despite enquiries.",
)
INJURIES = ("", "", "Bruising to the arms.", "Cut lip.", "Red marks to the neck.", "None seen.")


@dataclass
class Household:
    victim: int
    suspect: int
    borough: int  # index into the borough list
    address: int
    relationship: str
    children: tuple[int, ...] = ()
    # The search_names their parties carry (Party.person_search_name), in the same order.
    victim_name: str = ""
    suspect_name: str = ""
    child_names: tuple[str, ...] = ()


@dataclass
class LoadStats:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


TIMESTAMP_FIELDS = {
    Person: ("created_at", "updated_at"),
    Incident: ("created_at", "updated_at"),
    Party: ("created_at",),
    ArrestDecision: ("decided_at", "updated_at"),
    ArrestReviewEvent: ("created_at",),
    RiskAssessment: ("created_at", "updated_at"),
    RaraAction: ("created_at", "updated_at"),
    MaracReferral: ("created_at", "updated_at"),
    ReferralHistoryEntry: ("created_at",),
    MaracMeeting: ("created_at", "updated_at"),
    MaracCaseListing: ("created_at",),
}

TRACKED_MODELS = (
    Person,
    Address,
    Incident,
    Party,
    Offence,
    ArrestDecision,
    ChildrensServicesReferral,
    RiskAssessment,
    Answer,
    RaraAction,
    MaracReferral,
    ReferralHistoryEntry,
    MaracMeeting,
    MaracCaseListing,
)


@contextlib.contextmanager
def _historical_timestamps():
    """Let the load set created_at and friends to when the record would have been made."""
    saved = []
    for model, names in TIMESTAMP_FIELDS.items():
        for name in names:
            f = model._meta.get_field(name)
            saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextlib.contextmanager
def _collect_between_batches():
    """Python's cyclic garbage collector off while batches are built; between batches, one
    collection of what is new since the last, then everything alive is frozen (left out of
    later collections) until the load ends.

    A batch holds a few hundred thousand model instances at once. With the collector on they
    outlived the young generations and set off about one full collection per batch, each also
    walking everything the load keeps (households, names, meetings): a fifth of the builder's
    time at 100,000 incidents, growing with the run. Between batches those instances are gone
    (reference counting frees them: they form no cycles), so the collection walks only the
    few thousand objects the batch added to what the load keeps."""
    was_enabled = gc.isenabled()
    # Freeze only if nothing else froze objects: unfreezing at the end would release theirs.
    freezing = gc.get_freeze_count() == 0
    gc.disable()

    def collect():
        if was_enabled:  # a caller that switched the collector off keeps it off
            gc.collect()
        if freezing:
            gc.freeze()

    try:
        yield collect
    finally:
        if freezing:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_INTEGER_TYPES = {
    "AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
}  # fmt: skip
_TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField"}


def _generic_text(value) -> str:
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return str(value).translate(_COPY_ESCAPES)


def _converter(field):
    """A function turning a non-null value of `field` into COPY's text format, chosen once per
    field by its type: the load converts tens of millions of values, and a type test per
    value was a fifth of the time spent building rows."""
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    if isinstance(field, ArrayField):

        def convert(value):
            items = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
            return ("{" + items + "}").translate(_COPY_ESCAPES)

    elif isinstance(field, JSONField):

        def convert(value):
            return json.dumps(value).translate(_COPY_ESCAPES)

    elif kind in _INTEGER_TYPES:
        convert = str
    elif kind == "BooleanField":
        convert = {True: "t", False: "f"}.__getitem__
    elif kind in ("DateTimeField", "DateField"):
        convert = _isoformat
    elif kind in _TEXT_TYPES:

        def convert(value):
            return value.translate(_COPY_ESCAPES)

    else:
        convert = _generic_text
    if not field.null:
        return convert

    def convert_or_null(value):
        return "\\N" if value is None else convert(value)

    return convert_or_null


def _isoformat(value) -> str:
    return value.isoformat()


@functools.cache
def _row_formatter(model):
    """A function turning one instance's `__dict__` into its COPY text line, compiled once per
    model: one f-string per row instead of a loop over the fields (the loop, its list and its
    join were most of the time spent turning rows into text, the load's largest Python cost).
    Non-null integers and datetimes are formatted inline; other values go through their field's
    converter. Values are read from `__dict__`, where `_Blueprint` puts every field, which skips
    Django's attribute descriptors. The source holds only attribute names of the model's own
    fields, never data."""
    namespace, parts = {}, []
    for i, f in enumerate(model._meta.concrete_fields):
        value = f"d[{f.attname!r}]"
        convert = _converter(f)
        if convert is str:
            parts.append(f"{{{value}}}")
        elif convert is _isoformat:
            parts.append(f"{{{value}.isoformat()}}")
        else:
            namespace[f"c{i}"] = convert
            parts.append(f"{{c{i}({value})}}")
    source = 'lambda d: f"' + "\\t".join(parts) + '\\n"'
    return eval(source, namespace)  # noqa: S307 (built from field names, see above)


@dataclass
class TableCopy:
    """One table's rows of a batch in COPY's text format. Every row of the batch has its `key`
    column between `first` and `last`, which is how their foreign keys are checked (ids come
    in blocks, so the range may also hold other batches' or sessions' rows, already checked).
    Rows taking ids from the table's default (answers) have no range yet: it is every id
    above the table's largest before the COPY."""

    model: type
    columns: str
    text: str
    key: str = "id"
    first: int | None = None
    last: int | None = None


@dataclass
class Batch:
    """What one batch writes: its tables in foreign-key order, and the names of its new people
    that no earlier batch of this run registered for name search."""

    copies: list[TableCopy] = field(default_factory=list)
    search_names: list[str] = field(default_factory=list)


def _write_batch(batch: Batch) -> None:
    """COPY one batch's rows, table by table in foreign-key order, in the current transaction,
    with the load's skipped triggers switched off for that transaction only.

    ALTER TABLE … DISABLE TRIGGER is transactional: no other session ever sees the triggers
    off, and a failed batch rolls the switch back with its rows. (`pgtrigger.ignore` still
    calls every trigger, which returns early: with one trigger call per answer row that was
    half of PostgreSQL's time for the load.) It locks out other writers, not readers, of
    these tables until the batch commits.

    As a superuser the load also switches off the foreign-key triggers, like `pg_restore
    --disable-triggers`, and checks the batch's foreign keys itself with one query per key
    (row-by-row checks were half of PostgreSQL's time once the other triggers were off)."""
    if not connection.in_atomic_block:
        raise RuntimeError("A batch must be written in a transaction (the trigger switch).")
    with connection.cursor() as cursor:
        superuser = _is_superuser(cursor)
        tables = [c.model._meta.db_table for c in batch.copies]
        if superuser:
            disable = [f"ALTER TABLE {t} DISABLE TRIGGER ALL" for t in tables]
            enable = [f"ALTER TABLE {t} ENABLE TRIGGER ALL" for t in tables]
        else:
            disable, enable = _trigger_switches()
        for sql in disable:
            cursor.execute(sql)
        for copy in batch.copies:
            if copy.first is None:
                table = copy.model._meta.db_table
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
                copy.first, copy.last = cursor.fetchone()[0] + 1, 2**63 - 1
        for copy in batch.copies:
            # One read of the whole text: psycopg2 reads the file in `size` chunks, and each
            # read needs the GIL, which the thread building the next batch holds (8 kB chunks
            # left this writer waiting on the GIL more than on PostgreSQL).
            cursor.cursor.copy_expert(
                f"COPY {copy.model._meta.db_table} ({copy.columns}) FROM STDIN",
                io.StringIO(copy.text),
                size=len(copy.text) + 1,
            )
        # What the person trigger (skipped for the load) would have done, once per name.
        cursor.execute(
            f"INSERT INTO {SearchName._meta.db_table} (name) SELECT unnest(%s::text[]) "
            "ON CONFLICT DO NOTHING",
            [batch.search_names],
        )
        if superuser:
            for copy in batch.copies:
                _check_foreign_keys(cursor, copy)
        else:
            # ALTER TABLE refuses while the COPY's deferred foreign-key checks are pending: run
            # them now, and defer again after (Django's foreign keys are the only deferrable
            # constraints, all INITIALLY DEFERRED).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in enable:
            cursor.execute(sql)
        if not superuser:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _is_superuser(cursor) -> bool:
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    return cursor.fetchone()[0]


def _check_foreign_keys(cursor, copy: TableCopy) -> None:
    """Raise IntegrityError, as PostgreSQL would, if a row of `copy` refers to a missing row."""
    table = copy.model._meta.db_table
    for f in copy.model._meta.concrete_fields:
        if not (f.is_relation and f.db_constraint):
            continue
        parent = f.related_model._meta.db_table
        # Table and column names come from the models, not from input.
        missing_parent = (
            f"SELECT c.{f.column} FROM {table} c WHERE c.{copy.key} BETWEEN %s AND %s "  # noqa: S608
            f"AND c.{f.column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT FROM {parent} p WHERE p.{f.target_field.column} = c.{f.column}) LIMIT 1"
        )
        cursor.execute(missing_parent, [copy.first, copy.last])
        if (missing := cursor.fetchone()) is not None:
            raise IntegrityError(
                f'insert into "{table}" violates foreign key "{f.column}": '
                f'{missing[0]} is not in "{parent}"'
            )


@functools.cache
def _trigger_switches() -> tuple[list[str], list[str]]:
    """The DISABLE and ENABLE statements of the triggers the load skips (not a superuser)."""
    compiled = [
        trigger.compile(model) for model, trigger in pgtrigger.registered(*_skipped_trigger_uris())
    ]
    return [c.disable_sql for c in compiled], [c.enable_sql for c in compiled]


class BatchWriter:
    """Writes batches in order, each in its own transaction, in a second process with its own
    database connection: PostgreSQL stores batch n while Python builds batch n+1, so both
    cores work instead of taking turns. (A thread did not overlap: psycopg2 keeps the GIL
    while it waits for a COPY to finish.) Batches commit in order, so rows of earlier batches
    (a repeat victim's household) exist before a later batch refers to them."""

    def __init__(self):
        context = multiprocessing.get_context("fork")
        self.queue = context.Queue(maxsize=2)
        self.errors = context.Queue()
        # The child must not share the parent's connection: close it before forking (Django
        # reopens it on the parent's next query); the child opens its own.
        connection.close()
        self.process = context.Process(target=self._run, name="synthetic-writer", daemon=True)
        self.process.start()

    def _run(self) -> None:
        try:
            with connection.cursor() as cursor:
                # Synthetic data can be regenerated: no need to wait for each commit's flush.
                cursor.execute("SET synchronous_commit TO off")
            while (payload := self.queue.get()) is not None:
                with transaction.atomic():
                    _write_batch(payload)
        except BaseException as error:  # noqa: BLE001 (handed to the parent)
            self.errors.put(f"{type(error).__name__}: {error}")
            while self.queue.get() is not None:  # let the producer finish without blocking
                pass
        finally:
            connection.close()

    def put(self, payload) -> None:
        self._raise()
        self.queue.put(payload)

    def close(self) -> None:
        self.queue.put(None)
        self.process.join()
        self._raise()
        if self.process.exitcode:
            raise RuntimeError(f"the synthetic data writer exited with {self.process.exitcode}")

    def _raise(self) -> None:
        if not self.errors.empty():
            raise RuntimeError(f"writing synthetic data failed: {self.errors.get()}")


def _skipped_trigger_uris() -> list[str]:
    """Triggers skipped for the load: history of inserts, and registering each new person's
    name for search row by row (the writer registers a batch's new names in one statement;
    the trigger cost three times the rest of a person row)."""
    return [f"{m._meta.label}:insert_insert" for m in TRACKED_MODELS] + [
        f"{Person._meta.label}:person_search_name_registered",
        f"{Party._meta.label}:party_person_search_name",  # the load writes the name itself
        f"{Party._meta.label}:party_incident_borough",  # and the incident's borough
        f"{ArrestDecision._meta.label}:arrest_decision_borough",  # and the decision's borough
        # The load sets each assessment's has_open_marac_referral itself (`_assessments`).
        f"{AssessmentReferralState._meta.label}:assessment_flag_from_referrals",
        f"{MaracReferral._meta.label}:referral_sets_assessment_flag",
        # And each victim's has_risk_assessment and each incident's has_victim_to_assess (the
        # rows are built knowing which victims are assessed).
        f"{VictimAssessmentState._meta.label}:party_flag_from_assessments",
        f"{RiskAssessment._meta.label}:assessment_sets_victim_flag",
        f"{Party._meta.label}:party_sets_incident_flag",
        f"{Incident._meta.label}:incident_flag_from_parties",
        # Each party and referral row would lock and recompute its person's candidacy: the
        # load rebuilds them all once at the end instead (`run`).
        f"{RepeatCandidateParty._meta.label}:party_refreshes_repeat_candidates",
        f"{MaracReferral._meta.label}:referral_refreshes_repeat_candidates",
    ]


class _Blueprint:
    """What `Model(**kwargs)` does, cut down to what the load needs: Django's __init__ (field
    defaults, related-object descriptors, the pre/post init signals) was a third of the
    time spent building rows. Values are set by attribute name; a related instance sets the
    foreign key (it must already have its id) and the cache, so `obj.incident` still works
    without a query. No model here has a custom __init__ or init signal receiver."""

    def __init__(self, model):
        self.model = model
        self.constant, self.computed = {}, []
        self.relations = {}
        for f in model._meta.concrete_fields:
            if f.is_relation:
                self.relations[f.name] = (f.attname, f.target_field.attname)
            if f.has_default() and callable(f.default):
                self.computed.append((f.attname, f.default))
            else:
                self.constant[f.attname] = f.get_default()

    def __call__(self, **kwargs):
        obj = self.model.__new__(self.model)
        state = obj._state = ModelState()
        values = obj.__dict__
        values.update(self.constant)
        for attname, default in self.computed:
            values[attname] = default()
        for name, value in kwargs.items():
            relation = self.relations.get(name)
            if relation is None:
                values[name] = value
            else:
                attname, target = relation
                # The related row's key from its __dict__ (the `pk` property is a call).
                values[attname] = None if value is None else value.__dict__[target]
                state.fields_cache[name] = value
        return obj


_BLUEPRINTS: dict[type, _Blueprint] = {}


def _build(model, **kwargs):
    """A model instance for COPY (see _Blueprint)."""
    blueprint = _BLUEPRINTS.get(model) or _BLUEPRINTS.setdefault(model, _Blueprint(model))
    return blueprint(**kwargs)


def synthetic_users(boroughs: list[Borough]) -> tuple[dict[int, object], ...]:
    """An officer, a supervisor and a MARAC coordinator per borough team, who cannot sign in."""
    User = get_user_model()
    officers, supervisors, coordinators = {}, {}, {}
    teams = {t.borough_id: t for t in Team.objects.filter(borough__in=boroughs)}
    for b in boroughs:
        for role, store, suffix in (
            (Role.OFFICER, officers, "officer"),
            (Role.SUPERVISOR, supervisors, "supervisor"),
            (Role.MARAC_COORDINATOR, coordinators, "coordinator"),
        ):
            username = f"synthetic.{b.code.lower()}.{suffix}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name="Synthetic", last_name=suffix.title())
                user.role, user.team = role, teams.get(b.id)
                user.set_unusable_password()
                user.save()
            store[b.id] = user
    return officers, supervisors, coordinators


class Generator:
    def __init__(
        self,
        *,
        incidents: int,
        years: int = 10,
        days: int | None = None,
        seed: int = 1,
        stdout=None,
        batch=BATCH_INCIDENTS,
        pipeline: bool = True,
    ):
        self.n = incidents
        self.pipeline = pipeline
        self.pending = Batch()
        self.registered_names: set[str] = set()  # search names registered by this run
        self.batch = batch
        self.years = years
        self.rng = random.Random(seed)  # noqa: S311 (reproducible fiction, not secrets)
        self.stdout = stdout
        self.stats = LoadStats()
        self.end = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        # `days` instead of years: a short span at London's daily rate (benchmarks compare a
        # small dataset of the same density with ten years of history).
        self.start = self.end - timedelta(days=365 * years if days is None else days)
        self.households: list[Household] = []
        self.id_pools: dict[type, list[int]] = {}  # ids reserved from each table's sequence
        self.sequences: dict[type, str] = {}  # each table's id sequence
        self.new_meetings: list[MaracMeeting] = []  # created by this batch, not yet queued
        self.suspects: list[tuple[int, str]] = []  # (id, search_name)

    # --- reference data -----------------------------------------------------------------

    def _prepare(self) -> None:
        self.boroughs = list(Borough.objects.order_by("code"))
        self.officers, self.supervisors, self.coordinators = synthetic_users(self.boroughs)
        self.teams = {t.borough_id: t for t in Team.objects.filter(borough__in=self.boroughs)}
        # Meetings already generated by an earlier run, so a top-up run reuses them.
        self.meetings = {}
        self.listed: dict[int, int] = {}  # cases listed per meeting id, to respect capacity
        for m in (
            MaracMeeting.objects.filter(created_by__in=list(self.coordinators.values()))
            .select_related("team")
            .annotate(listed=Count("listings"))
        ):
            self.meetings[(m.team.borough_id, timezone.localdate(m.starts_at))] = m
            self.listed[m.pk] = m.listed
        # The last referral of each victim and perpetrator pair (a repeat MARAC is the same
        # pair again within a year).
        perpetrator = Party.objects.filter(
            incident_id=OuterRef("incident_id"), role=PartyRole.SUSPECT
        ).values("person_id")[:1]
        self.last_referral: dict[tuple[int, int], datetime] = {
            (victim, suspect): last
            for victim, suspect, last in MaracReferral.objects.annotate(
                perpetrator=Subquery(perpetrator)
            )
            .values("person_id", "perpetrator")
            .annotate(last=Max("created_at"))
            .values_list("person_id", "perpetrator", "last")
        }
        self.offence_types = list(OffenceType.objects.order_by("code"))
        self.instrument = Instrument.objects.get(is_default=True)
        self.questions = list(self.instrument.questions.order_by("order"))
        self.rara_types = [
            t
            for t in RaraActionType.objects.order_by("order", "code")
            if t.default_category != RaraCategory.ACCEPT
        ]
        self.counters = {
            (c.borough_id, c.year): c.last_number for c in IncidentReferenceCounter.objects.all()
        }
        self.address_serial = (Address.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    # --- people -------------------------------------------------------------------------

    def _person(self, *, gender: str, age: int, borough: Borough, when: datetime) -> Person:
        rng = self.rng
        given = rng.choice(GIVEN_FEMALE if gender == Gender.FEMALE else GIVEN_MALE)
        family = rng.choice(FAMILY_STEMS) + rng.choice(FAMILY_ENDINGS)
        born = (when - timedelta(days=365 * age + rng.randrange(365))).date()
        known_dob = rng.random() < 0.9
        # Interned: households keep every person's name for their parties (151k distinct).
        search_name = sys.intern(normalise_name(f"{given} {family}"))
        if search_name not in self.registered_names:
            self.registered_names.add(search_name)
            self.pending.search_names.append(search_name)
        return _build(
            Person,
            given_name=given,
            family_name=family,
            search_name=search_name,
            date_of_birth=born if known_dob else None,
            estimated_age=None if known_dob else age,
            gender=gender,
            ethnicity=rng.choice(ETHNICITIES),
            registered_borough=borough,
            created_by=self.officers[borough.id],
            created_at=when,
            updated_at=when,
        )

    def _address(self, borough: Borough) -> Address:
        rng = self.rng
        serial = self.address_serial
        self.address_serial += 1
        line_1 = f"Flat {serial}, {rng.randrange(1, 300)} {rng.choice(STREETS)}"
        postcode = f"{borough.code[:2]}{rng.randrange(1, 30)} {rng.randrange(1, 10)}ZZ"
        return _build(
            Address,
            line_1=line_1,
            postcode=postcode,
            match_key=address_match_key(line_1=line_1, postcode=postcode),
        )

    # --- one batch ----------------------------------------------------------------------

    def _households_for(self, whens: list[datetime]) -> list[Household]:
        """Pick or create the household of each incident; new people are created in bulk."""
        rng = self.rng
        chosen: list[Household | int] = []
        new_people: list[Person] = []
        new_addresses: list[Address] = []
        plans = []
        for when in whens:
            known = len(self.households) + len(plans)
            if known and rng.random() < REPEAT_VICTIM_CHANCE:
                k = rng.randrange(known)
                chosen.append(
                    self.households[k] if k < len(self.households) else k - len(self.households)
                )
                continue
            b = rng.randrange(len(self.boroughs))
            borough = self.boroughs[b]
            victim = self._person(
                gender=Gender.FEMALE if rng.random() < 0.8 else Gender.MALE,
                age=rng.randrange(18, 70),
                borough=borough,
                when=when,
            )
            serial = self.suspects and rng.random() < SERIAL_PERPETRATOR_CHANCE
            suspect = (
                None
                if serial
                else self._person(
                    gender=Gender.MALE if victim.gender == Gender.FEMALE else Gender.FEMALE,
                    age=rng.randrange(18, 70),
                    borough=borough,
                    when=when,
                )
            )
            children = [
                self._person(gender=rng.choice(CHILD_GENDERS), age=rng.randrange(0, 16),
                             borough=borough, when=when)
                for _ in range(rng.randrange(1, 4) if rng.random() < CHILDREN_CHANCE else 0)
            ]  # fmt: skip
            address = self._address(borough)
            new_people.append(victim)
            if suspect:
                new_people.append(suspect)
            new_people.extend(children)
            new_addresses.append(address)
            plans.append((b, victim, suspect, children, address))
            chosen.append(len(plans) - 1)  # an index: a household new in this batch
        self._copy(new_people)
        self._copy(new_addresses)
        self.stats.add("person", len(new_people))
        self.stats.add("address", len(new_addresses))
        created = []
        for b, victim, suspect, children, address in plans:
            if suspect:
                self.suspects.append((suspect.id, suspect.search_name))
            suspect_id, suspect_name = (
                (suspect.id, suspect.search_name) if suspect else self.rng.choice(self.suspects)
            )
            h = Household(
                victim=victim.id,
                suspect=suspect_id,
                borough=b,
                address=address.id,
                relationship=self.rng.choice(RELATIONSHIPS),
                children=tuple(c.id for c in children),
                victim_name=victim.search_name,
                suspect_name=suspect_name,
                child_names=tuple(c.search_name for c in children),
            )
            created.append(h)
        self.households.extend(created)
        return [created[c] if isinstance(c, int) else c for c in chosen]

    def _reference(self, borough: Borough, reported_at: datetime) -> str:
        year = timezone.localtime(reported_at).year
        key = (borough.id, year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"DV/{borough.code}/{year}/{self.counters[key]:06d}"

    def _batch(self, first: int, count: int) -> None:
        rng = self.rng
        span = (self.end - self.start).total_seconds()
        whens = [
            self.start + timedelta(seconds=span * (first + i + rng.random()) / self.n)
            for i in range(count)
        ]
        households = self._households_for(whens)
        now = self.end
        incidents, meta, assessed = [], [], []
        for when, h in zip(whens, households, strict=True):
            borough = self.boroughs[h.borough]
            officer = self.officers[borough.id]
            reported = when + timedelta(minutes=rng.randrange(5, 600))
            is_open = (now - when).days < OPEN_DAYS
            status = (
                (IncidentStatus.DRAFT if rng.random() < 0.05 else IncidentStatus.OPEN)
                if is_open
                else IncidentStatus.CLOSED
            )
            # Whether the victim is assessed is decided here, so that the incident and party
            # rows carry the flags that triggers the load skips would set. A closed incident's
            # victims are all assessed (closing needs it); some in open incidents still wait.
            is_assessed = status != IncidentStatus.DRAFT and (
                not is_open or rng.random() <= ASSESSED_CHANCE
            )
            is_crime = rng.random() < CRIME_CHANCE
            outcome, nfa = "", ""
            if status == IncidentStatus.CLOSED and is_crime:
                r = rng.random()
                if r < 0.28:
                    outcome = Outcome.CHARGE
                elif r < 0.33:
                    outcome = Outcome.CAUTION
                elif r < 0.38:
                    outcome = Outcome.COMMUNITY_RESOLUTION
                else:
                    outcome, nfa = Outcome.NO_FURTHER_ACTION, rng.choice(NFA_REASONS)
            incidents.append(
                _build(
                    Incident,
                    reference=self._reference(borough, reported),
                    borough=borough,
                    occurred_at=when,
                    reported_at=reported,
                    how_reported=rng.choice(HOW_REPORTED),
                    location_id=h.address,
                    status=status,
                    is_crime=is_crime,
                    abuse_types=rng.sample(ABUSE_TYPES, rng.randrange(1, 3)),
                    cad_reference=f"CAD{rng.randrange(10**6):06d}",
                    crime_reference=f"CR{rng.randrange(10**7):07d}" if is_crime else "",
                    injuries=rng.choice(INJURIES),
                    alcohol_involved=rng.random() < 0.3,
                    drugs_involved=rng.random() < 0.1,
                    victim_account="Synthetic record: the victim's account is not reproduced.",
                    officer_narrative="Synthetic record: officers attended and spoke to both.",
                    evidence_types=rng.sample(EVIDENCE_TYPES, rng.randrange(0, 4)),
                    victim_statement_obtained=rng.random() < 0.6,
                    victim_supports_prosecution=rng.choice((True, False, None)),
                    outcome=outcome,
                    no_further_action_reason=nfa,
                    officer_in_charge=officer,
                    created_by=officer,
                    created_at=reported,
                    updated_at=reported,
                    submitted_at=None if status == IncidentStatus.DRAFT else reported,
                    has_victim_to_assess=not is_assessed,
                    closed_at=when + timedelta(days=rng.randrange(14, 50))
                    if status == IncidentStatus.CLOSED
                    else None,
                )
            )
            meta.append((h, borough, officer, is_open, is_crime, status))
            assessed.append(is_assessed)
        self._copy(incidents)
        self.stats.add("incident", len(incidents))

        parties, victims, suspects, statuses = [], [], [], []
        for inc, (h, _b, _o, is_open, _crime, _s), is_assessed in zip(
            incidents, meta, assessed, strict=True
        ):
            # The assessment's status is drawn here, so the victim's flags are written with it.
            status = self._assessment_status(is_open) if is_assessed else None
            statuses.append(status)
            v = _build(Party, incident=inc, person_id=h.victim, role=PartyRole.VICTIM,
                      created_at=inc.reported_at, has_risk_assessment=is_assessed,
                      has_submitted_risk_assessment=is_assessed
                      and status != AssessmentStatus.DRAFT,
                      person_search_name=h.victim_name, incident_borough_id=inc.borough_id)  # fmt: skip
            s = _build(Party, incident=inc, person_id=h.suspect, role=PartyRole.SUSPECT,
                      relationship_to_victim=h.relationship, created_at=inc.reported_at,
                      person_search_name=h.suspect_name, incident_borough_id=inc.borough_id)  # fmt: skip
            parties += [v, s]
            victims.append(v)
            suspects.append(s)
            for child, child_name in zip(h.children, h.child_names, strict=True):
                role = (
                    PartyRole.CHILD_PRESENT if rng.random() < 0.4 else PartyRole.CHILD_IN_HOUSEHOLD
                )
                parties.append(_build(Party, incident=inc, person_id=child, role=role,
                                     created_at=inc.reported_at, person_search_name=child_name,
                                     incident_borough_id=inc.borough_id))  # fmt: skip
        self._copy(parties)
        self.stats.add("party", len(parties))

        offences, decisions, referrals = [], [], []
        for inc, s, (h, b, officer, is_open, is_crime, _status) in zip(
            incidents, suspects, meta, strict=True
        ):
            if h.children:
                referrals.append(
                    _build(
                        ChildrensServicesReferral,
                        incident=inc,
                        reasons=[ReferralReason.CHILDREN_IN_HOUSEHOLD],
                        referred_at=inc.reported_at + timedelta(hours=rng.randrange(1, 24)),
                        referred_to=f"{b.name} Children's Social Care MASH",
                        recorded_by=officer,
                    )
                )
            if not is_crime:
                continue
            for ot in rng.sample(self.offence_types, rng.choice((1, 1, 1, 2))):
                offences.append(_build(Offence, incident=inc, offence_type=ot, suspect=s))
            decided = inc.reported_at + timedelta(minutes=rng.randrange(10, 240))
            if rng.random() < ARRESTED_CHANCE:
                decisions.append(
                    _build(ArrestDecision,
                        incident=inc, borough_id=inc.borough_id, suspect=s,
                        outcome=ArrestOutcome.ARRESTED,
                        arrested_at=decided, arrested_by=f"PC {rng.randrange(100, 9999)}",
                        decided_by=officer, decided_at=decided, updated_at=decided,
                    )
                )  # fmt: skip
                continue
            reason = rng.choice(
                (
                    NotArrestedReason.SUSPECT_NOT_PRESENT,
                    NotArrestedReason.SUSPECT_NOT_PRESENT,
                    NotArrestedReason.NOT_NECESSARY,
                    NotArrestedReason.INSUFFICIENT_GROUNDS,
                )
            )
            awaiting = is_open and rng.random() < 0.5
            decisions.append(
                _build(
                    ArrestDecision,
                    incident=inc,
                    borough_id=inc.borough_id,
                    suspect=s,
                    outcome=ArrestOutcome.NOT_ARRESTED,
                    reason=reason,
                    justification=JUSTIFICATIONS[
                        0
                        if reason == NotArrestedReason.SUSPECT_NOT_PRESENT
                        else rng.randrange(1, 4)
                    ],
                    is_outstanding=reason == NotArrestedReason.SUSPECT_NOT_PRESENT and is_open,
                    outstanding_closed_at=inc.closed_at
                    if reason == NotArrestedReason.SUSPECT_NOT_PRESENT and not is_open
                    else None,
                    review_status=ReviewStatus.AWAITING if awaiting else ReviewStatus.ENDORSED,
                    review_due_at=decided + timedelta(hours=24),
                    decided_by=officer,
                    decided_at=decided,
                    updated_at=decided,
                )
            )
        self._copy(offences)
        self._copy(referrals)
        self._copy(decisions)
        self.stats.add("offence", len(offences))
        self.stats.add("childrens_referral", len(referrals))
        self.stats.add("arrest_decision", len(decisions))

        events = []
        for d in decisions:
            if d.outcome != ArrestOutcome.NOT_ARRESTED:
                continue
            sup = self.supervisors[d.incident.borough_id]
            events.append(_build(ArrestReviewEvent, decision=d, kind=ReviewEventKind.SUBMITTED,
                                            actor=d.decided_by, created_at=d.decided_at))  # fmt: skip
            if d.review_status == ReviewStatus.ENDORSED:
                events.append(
                    _build(ArrestReviewEvent,
                        decision=d, kind=ReviewEventKind.ENDORSED, actor=sup,
                        comment="Decision reviewed and endorsed.",
                        created_at=d.decided_at + timedelta(hours=rng.randrange(1, 20)),
                    )
                )  # fmt: skip
        self._copy(events)
        self.stats.add("arrest_review_event", len(events))
        self._assessments(incidents, victims, meta, statuses)

    def _assessment_status(self, is_open: bool) -> str:
        rng = self.rng
        if is_open and rng.random() < 0.1:
            return AssessmentStatus.DRAFT
        if is_open and rng.random() < 0.3:
            return AssessmentStatus.AWAITING_REVIEW
        return AssessmentStatus.CONFIRMED

    def _assessments(self, incidents, victims, meta, statuses) -> None:
        rng = self.rng
        assessments, plans = [], []
        for inc, v, (h, b, officer, is_open, _crime, _status), a_status in zip(
            incidents, victims, meta, statuses, strict=True
        ):
            if a_status is None:  # not assessed
                continue
            r = rng.random()
            level = Level.STANDARD if r < 0.6 else Level.MEDIUM if r < 0.88 else Level.HIGH
            created = inc.reported_at + timedelta(hours=rng.randrange(1, 48))
            draft = a_status == AssessmentStatus.DRAFT
            marac = ""
            if not draft and level == Level.HIGH:
                marac = MaracDecision.REFER
            assessments.append(
                _build(
                    RiskAssessment,
                    incident=inc,
                    victim=v,
                    person_id=h.victim,
                    borough=b,
                    instrument=self.instrument,
                    rule_version=self.instrument.version,
                    rule_parameters=self.instrument.parameters,
                    status=a_status,
                    recommended_level="" if draft else level,
                    final_level="" if draft else level,
                    recommendation_reasons=[] if draft else [f"Synthetic: {level} risk."],
                    marac_decision=marac,
                    marac_decided_at=created if marac else None,
                    # `_marac` refers every one the officer decided to refer, and the load
                    # skips the triggers that would set this from those referrals.
                    has_open_marac_referral=marac == MaracDecision.REFER,
                    created_by=officer,
                    created_at=created,
                    updated_at=created,
                    submitted_at=None if draft else created,
                    confirmed_at=created + timedelta(hours=4)
                    if a_status == AssessmentStatus.CONFIRMED
                    else None,
                )
            )
            plans.append((level, b, officer, is_open))
        self._copy(assessments)
        self.stats.add("risk_assessment", len(assessments))
        self._marac(assessments, [m[0] for m in meta], incidents)

        yes_chance = {Level.STANDARD: 0.1, Level.MEDIUM: 0.35, Level.HIGH: 0.65}
        answers, actions = [], []
        for a, (level, b, officer, is_open) in zip(assessments, plans, strict=True):
            for q in self.questions:
                value = (
                    AnswerValue.YES
                    if rng.random() < yes_chance[level]
                    else (AnswerValue.NO if rng.random() < 0.85 else AnswerValue.NOT_KNOWN)
                )
                answers.append(f"{a.id}\t{q.id}\t{value}\t\n")
            if level == Level.STANDARD:
                continue
            for t in rng.sample(self.rara_types, rng.randrange(1, 4)):
                due = (a.created_at + timedelta(days=rng.randrange(1, 28))).date()
                done = not is_open or rng.random() < 0.3
                actions.append(
                    _build(
                        RaraAction,
                        assessment=a,
                        borough=b,
                        category=t.default_category,
                        action_type=t,
                        owner=officer,
                        due_date=due,
                        status=RaraStatus.DONE
                        if done
                        else rng.choice((RaraStatus.PLANNED, RaraStatus.IN_PROGRESS)),
                        created_by=officer,
                        created_at=a.created_at,
                        updated_at=a.created_at,
                        completed_at=a.created_at + timedelta(days=2) if done else None,
                    )
                )
        self._copy_answers(answers)
        self._copy(actions)
        self.stats.add("answer", len(answers))
        self.stats.add("rara_action", len(actions))

    # --- MARAC ----------------------------------------------------------------------------

    def _meeting(self, borough: Borough, after: datetime) -> MaracMeeting:
        """The borough's first fortnightly MARAC (Thursdays, 10:00) at least three days after
        `after` with room for one more case; created when first needed. Fortnightly keeps each
        meeting near its capacity at London's referral rate."""
        day = timezone.localdate(after) + timedelta(days=3)
        epoch = date(2000, 1, 6)  # a Thursday: every borough meets on the same fortnights
        day += timedelta(days=(-(day - epoch).days) % 14)
        while (full := self.meetings.get((borough.id, day))) is not None and self.listed.get(
            full.pk, 0
        ) >= full.max_cases:
            day += timedelta(days=14)
        key = (borough.id, day)
        meeting = self.meetings.get(key)
        if meeting is None:
            starts = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
                hours=10
            )
            coordinator = self.coordinators[borough.id]
            meeting = _build(
                MaracMeeting,
                team=self.teams[borough.id],
                starts_at=starts,
                venue=f"{borough.name} Civic Centre, Committee Room 2",
                is_online=self.rng.random() < 0.3,
                chair=f"DI {self.rng.choice(FAMILY_STEMS)}{self.rng.choice(FAMILY_ENDINGS)}",
                max_cases=18,
                minutes_per_case=12,
                status=MeetingStatus.HELD if starts < self.end else MeetingStatus.SCHEDULED,
                created_by=coordinator,
                created_at=starts - timedelta(days=60),
                updated_at=starts,
            )
            # Its id now (listings refer to it); copied with the batch's other new meetings.
            (meeting.__dict__["id"],) = self._ids(MaracMeeting, 1)
            self.new_meetings.append(meeting)
            self.stats.add("marac_meeting", 1)
            self.meetings[key] = meeting
        self.listed[meeting.pk] = self.listed.get(meeting.pk, 0) + 1
        return meeting

    def _marac(self, assessments, households, incidents) -> None:
        """A referral for each high-risk assessment the officer referred: triaged and listed at
        the borough's next MARAC (heard once that meeting has passed); the most recent ones
        still await the coordinator. A referral within a year of the same victim and perpetrator's
        last is a repeat."""
        rng = self.rng
        household = {inc.pk: h for inc, h in zip(incidents, households, strict=True)}
        referrals, history, listings = [], [], []
        for a in assessments:
            if a.marac_decision != MaracDecision.REFER:
                continue
            h = household[a.incident_id]
            created = a.submitted_at + timedelta(hours=rng.randrange(1, 12))
            last = self.last_referral.get((a.person_id, h.suspect))
            repeat = last is not None and created - last <= timedelta(days=365)
            self.last_referral[(a.person_id, h.suspect)] = created
            meeting = None if (self.end - created).days < 3 else self._meeting(a.borough, created)
            status = (
                ReferralStatus.SUBMITTED
                if meeting is None
                else ReferralStatus.HEARD
                if meeting.status == MeetingStatus.HELD
                else ReferralStatus.LISTED
            )
            consents = rng.random() < 0.8
            referral = _build(
                MaracReferral,
                borough=a.borough,
                person_id=a.person_id,
                incident=a.incident,
                assessment=a,
                referring_agency="Metropolitan Police Service",
                referred_by=a.created_by,
                criteria=[ReferralCriterion.VISIBLE_HIGH_RISK]
                + ([ReferralCriterion.REPEAT] if repeat else []),
                victim_aware=True,
                victim_consents=consents,
                no_consent_reason="" if consents else "High risk of serious harm to the victim.",
                safe_contact="Mobile, text first.",
                children_in_household=len(h.children),
                perpetrator_note="Synthetic record: the perpetrator named in the incident.",
                recent_history="Synthetic record: see the incident.",
                status=status,
                is_repeat=repeat,
                created_at=created,
                updated_at=created,
            )
            referrals.append((referral, meeting))
        self._copy(self.new_meetings)
        self.new_meetings = []
        self._copy([r for r, _m in referrals])
        for referral, meeting in referrals:
            history.append(
                _build(
                    ReferralHistoryEntry,
                    referral=referral,
                    kind=ReferralEventKind.SUBMITTED,
                    actor=referral.referred_by,
                    created_at=referral.created_at,
                )
            )
            if meeting is None:
                continue
            coordinator = self.coordinators[referral.borough_id]
            listed_at = referral.created_at + timedelta(days=1)
            history.append(
                _build(
                    ReferralHistoryEntry,
                    referral=referral,
                    kind=ReferralEventKind.LISTED,
                    actor=coordinator,
                    comment=f"Listed at {meeting.starts_at:%d %b %Y}.",
                    created_at=listed_at,
                )
            )
            listings.append(
                _build(
                    MaracCaseListing,
                    meeting=meeting,
                    referral=referral,
                    category=ListingCategory.NEW_WITH_CHILDREN
                    if referral.children_in_household
                    else ListingCategory.NEW_ADULT_ONLY,
                    listed_by=coordinator,
                    created_at=listed_at,
                )
            )
        self._copy(history)
        self._copy(listings)
        self.stats.add("marac_referral", len(referrals))
        self.stats.add("marac_referral_history", len(history))
        self.stats.add("marac_listing", len(listings))

    def _copy(self, objs: list) -> None:
        """Queue model instances for COPY: ids from the table's sequence (unless they have
        theirs already), values as text.

        Django's bulk_create spends most of its time compiling SQL; COPY is several times
        faster and the database still checks every constraint and foreign key.
        """
        if not objs:
            return
        model = type(objs[0])
        meta = model._meta
        pk_name = meta.pk.attname
        if missing := [obj for obj in objs if obj.__dict__[pk_name] is None]:
            for obj, pk in zip(missing, self._ids(model, len(missing)), strict=True):
                obj.__dict__[pk_name] = pk
        text = "".join(map(_row_formatter(model), (obj.__dict__ for obj in objs)))
        columns = ", ".join(connection.ops.quote_name(f.column) for f in meta.concrete_fields)
        ids = [obj.__dict__[pk_name] for obj in objs]
        self.pending.copies.append(
            TableCopy(model, columns, text, key=meta.pk.column, first=min(ids), last=max(ids))
        )

    def _ids(self, model, count: int) -> list[int]:
        """`count` new ids of `model`'s table, reserved from its sequence in blocks of at
        least ID_BLOCK: nextval() needs no transaction, so the rows can be written later by
        the batch writer, and a block serves many small requests (a meeting at a time) with
        one query. Ids left in a block at the end are a gap, as a rolled-back insert leaves."""
        pool = self.id_pools.setdefault(model, [])
        if len(pool) < count:
            with connection.cursor() as cursor:
                if model not in self.sequences:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table]
                    )
                    self.sequences[model] = cursor.fetchone()[0]
                # The sequence by name: pg_get_serial_sequence() per row was 3/4 of the time.
                cursor.execute(
                    "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                    [self.sequences[model], max(count - len(pool), ID_BLOCK)],
                )
                pool.extend(cursor.fetchone()[0])
        taken = pool[:count]
        del pool[:count]
        return taken

    def _copy_answers(self, lines: list[str]) -> None:
        """Answers are most of the rows: their COPY text is built directly (no model instances).
        They take ids from the table's default (see TableCopy)."""
        if lines:
            self.pending.copies.append(
                TableCopy(Answer, "assessment_id, question_id, value, note", "".join(lines))
            )

    def _save_counters(self) -> None:
        existing = {(c.borough_id, c.year): c for c in IncidentReferenceCounter.objects.all()}
        new = []
        for (borough_id, year), last in self.counters.items():
            c = existing.get((borough_id, year))
            if c is None:
                new.append(
                    IncidentReferenceCounter(borough_id=borough_id, year=year, last_number=last)
                )
            elif c.last_number != last:
                c.last_number = last
                c.save(update_fields=["last_number"])
        IncidentReferenceCounter.objects.bulk_create(new)

    # --- the whole run ------------------------------------------------------------------

    def run(self, *, analyze: bool = True) -> LoadStats:
        started = time.monotonic()
        self._prepare()
        writer = BatchWriter() if self.pipeline else None
        try:
            with _historical_timestamps(), _collect_between_batches() as collect:
                done = 0
                while done < self.n:
                    count = min(self.batch, self.n - done)
                    self.pending = Batch()
                    self._batch(done, count)
                    if writer:
                        writer.put(self.pending)
                    else:
                        with transaction.atomic():
                            _write_batch(self.pending)
                    done += count
                    collect()
                    if self.stdout and (done // self.batch) % 10 == 0:
                        rate = done / (time.monotonic() - started)
                        self.stdout.write(f"  {done} incidents ({rate:.0f}/s)")
        finally:
            try:
                if writer:
                    writer.close()
            finally:
                # What the skipped repeat-candidate triggers would have kept (ADR 0017), also
                # when the load stops part way: its committed batches have victims too.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT marac_repeat_candidates_rebuild()")
        with transaction.atomic():
            self._save_counters()
        if analyze:
            with connection.cursor() as cursor:
                # Statistics for the planner, and the visibility map that index-only scans
                # need (autovacuum would get there too, later).
                cursor.execute("VACUUM (ANALYZE)")
        self.stats.seconds = time.monotonic() - started
        return self.stats


def generate(
    *,
    incidents: int,
    years: int = 10,
    days: int | None = None,
    seed: int = 1,
    stdout=None,
    analyze=True,
    pipeline=True,
):
    """Load `incidents` synthetic incidents. `pipeline` writes on a second connection while the
    next batch is built (the rows are committed batch by batch, so a test's own transaction
    cannot see them: tests inside one transaction pass pipeline=False)."""
    return Generator(
        incidents=incidents,
        years=years,
        days=days,
        seed=seed,
        stdout=stdout,
        pipeline=pipeline,
    ).run(analyze=analyze)
