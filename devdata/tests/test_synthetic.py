"""The synthetic data generator: reproducible, valid, realistic enough to benchmark on."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import (
    ArrestDecision,
    ArrestOutcome,
    Incident,
    Offence,
    Party,
    PartyRole,
    Person,
    SearchName,
)
from cases.selectors.incidents import IncidentFilters, incident_get, incident_list
from cases.selectors.people import person_detail_get
from cases.services.incidents import incident_create
from cases.services.people import normalise_name
from cases.services.positive_action import justification_problem
from devdata import synthetic
from devdata.synthetic import Generator
from publicprotection.accounts.models import Borough
from riskassessment.models import Answer, Level, RaraAction, RiskAssessment

pytestmark = pytest.mark.django_db

N = 200


class Rollback(Exception):
    pass


def _generate(seed=1):
    return Generator(incidents=N, years=3, seed=seed, batch=50, pipeline=False).run(analyze=False)


def _fingerprint():
    return (
        list(Incident.objects.order_by("id").values_list("reference", "borough__code")),
        list(Person.objects.order_by("id").values_list("search_name", flat=True)),
    )


def test_generates_every_kind_of_record():
    before = Incident.objects.count()

    stats = _generate()

    assert Incident.objects.count() - before == N == stats.rows["incident"]
    assert Party.objects.filter(role=PartyRole.VICTIM).count() >= N
    assert Party.objects.filter(role__in=["child_present", "child_household"]).exists()
    assert Offence.objects.exists()
    assert ArrestDecision.objects.filter(outcome=ArrestOutcome.ARRESTED).exists()
    assert ArrestDecision.objects.filter(outcome=ArrestOutcome.NOT_ARRESTED).exists()
    levels = set(RiskAssessment.objects.values_list("final_level", flat=True))
    assert {Level.STANDARD, Level.MEDIUM, Level.HIGH} <= levels
    assert Answer.objects.count() > 0
    assert RaraAction.objects.exists()


def test_same_seed_gives_the_same_data():
    with pytest.raises(Rollback), transaction.atomic():
        _generate(seed=7)
        first = _fingerprint()
        raise Rollback

    _generate(seed=7)

    assert _fingerprint() == first


def test_records_satisfy_model_validation_and_policy():
    _generate()

    for model in (Incident, Person, Party, ArrestDecision, RiskAssessment, RaraAction):
        for obj in model.objects.order_by("-id")[:20]:
            obj.full_clean()
    for person in Person.objects.order_by("-id")[:50]:
        assert person.search_name == normalise_name(f"{person.given_name} {person.family_name}")
    for d in ArrestDecision.objects.filter(outcome=ArrestOutcome.NOT_ARRESTED):
        assert justification_problem(d.justification) is None


def test_about_a_third_of_victims_are_repeat_victims():
    _generate()

    per_victim = (
        Party.objects.filter(role=PartyRole.VICTIM).values("person").annotate(n=Count("id"))
    )
    repeat = sum(1 for row in per_victim if row["n"] > 1)
    assert 0.15 < repeat / len(per_victim) < 0.5
    victims_of: dict[int, set[int]] = {}
    roles = Party.objects.filter(role__in=[PartyRole.VICTIM, PartyRole.SUSPECT])
    by_incident: dict[int, dict[str, int]] = {}
    for incident_id, role, person_id in roles.values_list("incident_id", "role", "person_id"):
        by_incident.setdefault(incident_id, {})[role] = person_id
    for parties in by_incident.values():
        victims_of.setdefault(parties["suspect"], set()).add(parties["victim"])
    assert any(len(victims) > 1 for victims in victims_of.values())  # serial perpetrators


def test_real_incidents_continue_the_reference_numbering(lambeth_officer):
    _generate()
    lambeth = Borough.objects.get(code="LAM")
    year = timezone.localdate().year
    prefix = f"DV/LAM/{year}/"
    last = Incident.objects.filter(reference__startswith=prefix).order_by("-reference").first()
    now = timezone.now()

    incident = incident_create(
        actor=lambeth_officer,
        borough=lambeth,
        occurred_at=now - timedelta(hours=1),
        reported_at=now,
        how_reported="999",
    )

    expected = int(last.reference.rsplit("/", 1)[1]) + 1 if last else 1
    assert incident.reference == f"{prefix}{expected:06d}"


def test_selectors_work_on_the_data(lambeth_officer):
    _generate()
    victim = Party.objects.filter(role=PartyRole.VICTIM, incident__borough__code="LAM").first()
    person = victim.person

    listed = incident_list(viewer=lambeth_officer, filters=IncidentFilters(q=person.search_name))

    assert victim.incident in list(listed[:50])
    assert incident_get(viewer=lambeth_officer, reference=victim.incident.reference)
    assert person_detail_get(viewer=lambeth_officer, person_id=person.id) == person


def test_the_load_writes_no_insert_history_but_updates_are_still_tracked():
    incident_events = apps.get_model("cases", "IncidentEvent")
    before = incident_events.objects.count()
    _generate()
    assert incident_events.objects.count() == before

    incident = Incident.objects.order_by("-id").first()
    Incident.objects.filter(pk=incident.pk).update(injuries="Updated later.")

    assert incident_events.objects.count() == before + 1


def test_high_risk_victims_are_referred_to_marac_and_listed_at_fortnightly_meetings():
    from marac.models import MaracCaseListing, MaracMeeting, MaracReferral, ReferralStatus

    _generate()
    Generator(
        incidents=N,
        years=3,
        seed=2,
        batch=50,
        pipeline=False,
    ).run(analyze=False)
    # (a top-up run reuses the meetings and respects their capacity)

    referred = RiskAssessment.objects.filter(marac_decision="refer")
    referrals = MaracReferral.objects.all()
    assert referrals.count() == referred.count() > 0
    for referral in referrals.select_related("assessment"):
        assert referral.assessment.final_level == Level.HIGH
        assert referral.person_id == referral.assessment.person_id
        referral.full_clean()
    # Triaged referrals are listed once, at a meeting of their borough after the referral.
    listed = referrals.exclude(status=ReferralStatus.SUBMITTED)
    listings = MaracCaseListing.objects.select_related("meeting__team", "referral")
    assert listings.count() == listed.count() > 0
    for listing in listings:
        assert listing.meeting.team.borough_id == listing.referral.borough_id
        assert listing.meeting.starts_at > listing.referral.created_at
        heard = listing.meeting.starts_at < timezone.now()
        assert listing.referral.status == (ReferralStatus.HEARD if heard else ReferralStatus.LISTED)
    for meeting in MaracMeeting.objects.all():
        meeting.full_clean()
        assert meeting.listings.count() <= meeting.max_cases


@pytest.mark.parametrize("superuser", [True, False], ids=["superuser", "not-superuser"])
def test_every_trigger_is_back_on_and_every_name_registered_after_the_load(
    monkeypatch, superuser, lambeth_officer
):
    """The load switches triggers off inside each batch: a superuser's load switches off all
    of them (foreign keys checked by the load), anyone else's only the skipped ones."""
    monkeypatch.setattr(synthetic, "_is_superuser", lambda cursor: superuser)
    _generate()

    names = set(SearchName.objects.values_list("name", flat=True))
    assert set(Person.objects.values_list("search_name", flat=True)) <= names
    # Every party carries its person's name (the load writes it; its trigger was off).
    assert Party.objects.exists()
    assert not Party.objects.exclude(person_search_name=F("person__search_name")).exists()
    person = Person.objects.create(
        given_name="Zenobia", family_name="Quartermaine", search_name="zenobia quartermaine",
        created_by=lambeth_officer,
    )  # fmt: skip
    assert SearchName.objects.filter(name="zenobia quartermaine").exists()
    assert apps.get_model("cases", "PersonEvent").objects.filter(pgh_obj=person).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(incident_id=Incident.objects.last().pk, person_id=10**9,
                             role=PartyRole.VICTIM)  # fmt: skip
        with connection.cursor() as cursor:  # foreign keys are checked at commit otherwise
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize("superuser", [True, False], ids=["superuser", "not-superuser"])
def test_the_load_sets_each_assessments_open_referral_flag_as_the_triggers_would(
    monkeypatch, superuser
):
    """The load skips the triggers that keep has_open_marac_referral, and sets it itself."""
    from marac.models import MaracReferral, ReferralStatus

    monkeypatch.setattr(synthetic, "_is_superuser", lambda cursor: superuser)
    _generate()

    open_referral = MaracReferral.objects.filter(assessment_id=OuterRef("pk")).exclude(
        status=ReferralStatus.REJECTED
    )
    assessments = RiskAssessment.objects.annotate(open=Exists(open_referral))
    assert assessments.filter(has_open_marac_referral=True).exists()
    assert assessments.filter(has_open_marac_referral=False).exists()
    assert not assessments.exclude(has_open_marac_referral=F("open")).exists()


@pytest.mark.parametrize("superuser", [True, False], ids=["superuser", "not-superuser"])
def test_the_load_leaves_the_repeat_marac_candidates_the_triggers_would(monkeypatch, superuser):
    """The load skips the triggers that keep RepeatMaracCandidate and rebuilds it at the end
    (ADR 0017): the table is the rule's, and the load has repeat victims to find."""
    from marac.tests.factories import repeat_candidates_by_the_rule, repeat_candidates_kept

    monkeypatch.setattr(synthetic, "_is_superuser", lambda cursor: superuser)
    _generate()

    kept = repeat_candidates_kept()
    assert kept
    assert kept == repeat_candidates_by_the_rule()


def test_a_load_that_stops_part_way_still_leaves_the_repeat_candidates_the_rule_gives(
    monkeypatch,
):
    """Found in review: the batches committed before a failure (an error, Ctrl-C, the writer
    dying) were written with the triggers off, and the rebuild at the end never ran."""
    from marac.tests.factories import repeat_candidates_by_the_rule, repeat_candidates_kept

    written, calls = synthetic._write_batch, []

    def fail_on_the_sixth_batch(batch):
        calls.append(batch)
        if len(calls) == 6:
            raise RuntimeError("the writer died")
        written(batch)

    monkeypatch.setattr(synthetic, "_write_batch", fail_on_the_sixth_batch)
    with pytest.raises(RuntimeError):
        Generator(incidents=300, years=3, seed=1, batch=50, pipeline=False).run(analyze=False)

    assert repeat_candidates_by_the_rule()  # five batches' repeat victims
    assert repeat_candidates_kept() == repeat_candidates_by_the_rule()


def test_the_load_gives_each_arrest_decision_its_incidents_borough():
    """The load skips the trigger that copies it (arrest_decision_borough) and sets it itself."""
    from cases.models import ArrestDecision

    _generate()

    decisions = ArrestDecision.objects.all()
    assert decisions.exists()
    assert not decisions.exclude(borough_id=F("incident__borough_id")).exists()


@pytest.mark.parametrize("superuser", [True, False], ids=["superuser", "not-superuser"])
def test_a_batch_referring_to_a_missing_row_is_refused_whole(monkeypatch, superuser):
    monkeypatch.setattr(synthetic, "_is_superuser", lambda cursor: superuser)
    _generate()
    assessment = RiskAssessment.objects.order_by("id").last()
    question = Answer.objects.filter(assessment=assessment).first().question_id
    batch = synthetic.Batch(
        copies=[
            # Ids from the table's default, as the load's answers: checked all the same.
            synthetic.TableCopy(
                Answer, "assessment_id, question_id, value, note",
                f"{assessment.pk + 1000}\t{question}\tyes\t\n",
            )
        ],
        search_names=["zenobia quartermaine"],
    )  # fmt: skip
    before = Answer.objects.count()

    with pytest.raises(IntegrityError, match="foreign key"), transaction.atomic():
        synthetic._write_batch(batch)

    assert Answer.objects.count() == before
    assert not SearchName.objects.filter(name="zenobia quartermaine").exists()


@pytest.mark.django_db(transaction=True)
def test_the_pipelined_load_writes_the_same_rows_as_the_plain_one():
    """The default load writes on a second connection while the next batch is built; it must
    give exactly what the one-connection load gives from the same state and seed."""
    from cases.reference_data import load_reference_data as load_offences
    from marac.models import MaracCaseListing, MaracReferral
    from publicprotection.accounts.reference_data import load_reference_data
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_reference_data()
    load_offences()
    load_instruments()
    tables = (Incident, Person, Party, Answer, RiskAssessment, RaraAction, MaracReferral,
              MaracCaseListing)  # fmt: skip

    def snapshot():
        return _fingerprint(), {m.__name__: m.objects.count() for m in tables}

    with pytest.raises(Rollback), transaction.atomic():
        Generator(incidents=N, years=3, seed=3, batch=50, pipeline=False).run(analyze=False)
        plain = snapshot()
        raise Rollback

    Generator(incidents=N, years=3, seed=3, batch=50, pipeline=True).run(analyze=False)

    assert snapshot() == plain
    assert plain[1]["Incident"] == N


def test_the_compiled_row_text_is_what_the_field_converters_give():
    """`_row_formatter` compiles each model's COPY line; it must write every kind of value
    (nulls, escapes, arrays, JSON, dates, booleans) exactly as the field converters do."""
    when = timezone.now()
    incident = synthetic._build(
        Incident, id=41, reference="DV/LAM/2026/000001", borough_id=1, occurred_at=when,
        reported_at=when, how_reported="999", status="open", is_crime=True,
        abuse_types=["physical", 'with "quotes", a \\ and a\ttab'],
        victim_account="Line one\nline two\twith a tab and a \\ backslash",
        victim_supports_prosecution=None, closed_at=None, created_at=when, updated_at=when,
    )  # fmt: skip
    assessment = synthetic._build(
        RiskAssessment, id=7, recommendation_reasons=["Synthetic: high risk."],
        rule_parameters={"threshold": 14, "note": "tab\there"}, created_at=when,
        updated_at=when, confirmed_at=None,
    )  # fmt: skip

    for obj in (incident, assessment):
        fields = type(obj)._meta.concrete_fields
        expected = (
            "\t".join(synthetic._converter(f)(obj.__dict__[f.attname]) for f in fields) + "\n"
        )
        assert synthetic._row_formatter(type(obj))(obj.__dict__) == expected
    line = synthetic._row_formatter(Incident)(incident.__dict__)
    assert "\\N" in line  # the nulls
    assert "Line one\\nline two\\twith a tab and a \\\\ backslash" in line


def test_ids_are_reserved_from_the_sequence_in_blocks():
    generator = Generator(incidents=1, pipeline=False)
    with CaptureQueriesContext(connection) as queries:
        first = generator._ids(Incident, 3)
        rest = [generator._ids(Incident, 1)[0] for _ in range(synthetic.ID_BLOCK - 3)]
    taken = first + rest
    assert len(set(taken)) == len(taken) == synthetic.ID_BLOCK
    assert taken == sorted(taken)
    assert len(queries) <= 2  # the sequence's name once, then one block
    with connection.cursor() as cursor:  # what an ordinary insert takes its id from
        cursor.execute("SELECT nextval(pg_get_serial_sequence('cases_incident', 'id'))")
        (later,) = cursor.fetchone()
    assert later > max(taken)  # an ordinary insert never takes a reserved id
    assert generator._ids(Incident, 1)[0] > later  # and the next block comes after it


def test_the_load_leaves_the_garbage_collector_as_it_found_it():
    import gc

    assert gc.isenabled()
    _generate()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_days_spreads_the_incidents_over_a_short_span_at_the_same_rate(monkeypatch):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from devdata.management.commands import generate_synthetic

    with pytest.raises(Rollback), transaction.atomic():
        Generator(incidents=N, days=5, seed=4, batch=50, pipeline=False).run(analyze=False)
        first = Incident.objects.order_by("occurred_at").first().occurred_at
        assert timezone.now() - first < timedelta(days=5, hours=2)
        raise Rollback

    asked = {}

    def generate(**kwargs):
        asked.update(kwargs)
        return synthetic.LoadStats(rows={"incident": N}, seconds=1.0)

    monkeypatch.setattr(generate_synthetic, "generate", generate)
    out = StringIO()
    call_command("generate_synthetic", incidents=N, days=5, stdout=out)
    assert asked["days"] == 5
    assert "over 5 days" in out.getvalue()
    with pytest.raises(CommandError, match="must be positive"):
        call_command("generate_synthetic", incidents=N, days=0)


def test_a_batch_with_a_listing_at_a_missing_meeting_is_refused(monkeypatch):
    """Ids come in blocks (a meeting's from its own): the batch's key range must still cover
    every row queued, so each is checked."""
    from marac.models import MaracCaseListing, MaracMeeting

    monkeypatch.setattr(synthetic, "_is_superuser", lambda cursor: True)
    _generate()
    generator = Generator(incidents=1, pipeline=False)
    listing = MaracCaseListing.objects.order_by("id").first()
    (missing_meeting,) = generator._ids(MaracMeeting, 1)  # reserved, never written
    orphan = synthetic._build(
        MaracCaseListing, meeting_id=missing_meeting, referral_id=listing.referral_id,
        category=listing.category, listed_by_id=listing.listed_by_id, created_at=timezone.now(),
    )  # fmt: skip
    generator._copy([orphan])
    before = MaracCaseListing.objects.count()

    with pytest.raises(IntegrityError, match="meeting_id"), transaction.atomic():
        synthetic._write_batch(generator.pending)

    assert MaracCaseListing.objects.count() == before


def test_a_failed_load_leaves_the_garbage_collector_on_and_unfrozen(monkeypatch):
    import gc

    calls = []
    real_batch = Generator._batch

    def failing_batch(self, first, count):
        calls.append(first)
        if len(calls) == 2:
            raise RuntimeError("the second batch fails")
        return real_batch(self, first, count)

    monkeypatch.setattr(Generator, "_batch", failing_batch)
    with pytest.raises(RuntimeError, match="second batch"):
        _generate()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
