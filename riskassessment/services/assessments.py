"""Writes for risk assessments: start, save a draft, submit, and the supervisor's review."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import (
    SEPARATING_RELATIONSHIPS,
    Incident,
    Offence,
    Party,
    PartyRole,
    SeparationAnswer,
)
from publicprotection.access.roles import CASE_WRITERS, SUPERVISORS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.errors import ConcurrentEditError, StateError

from ..models import (
    LEVEL_RANK,
    Answer,
    AnswerValue,
    AssessmentStatus,
    GradingReview,
    GradingReviewAction,
    Instrument,
    Level,
    MaracDecision,
    RaraStatus,
    RiskAssessment,
)
from ..scoring import QuestionInfo, Recommendation, recommend
from .escalation import escalation_suggestion

ESCALATION_CODE = "escalation"


def default_instrument() -> Instrument:
    return Instrument.objects.get(is_default=True, is_active=True)


def recommendation_for(assessment: RiskAssessment) -> Recommendation:
    answers = list(assessment.answers.select_related("question"))
    return recommend(
        rule=assessment.instrument.scoring_rule,
        parameters=assessment.rule_parameters,
        questions=[
            QuestionInfo(a.question.code, a.question.text, a.question.group) for a in answers
        ],
        answers={a.question.code: a.value for a in answers},
    )


def _refresh_recommendation(assessment: RiskAssessment) -> Recommendation:
    result = recommendation_for(assessment)
    assessment.recommended_level = result.level
    assessment.recommendation_reasons = result.reasons
    return result


def _require_assessor(actor, borough_id: int) -> None:
    """Officers and supervisors assess the victims of their borough (the central team any).
    The pages and the API check the role and scope first; every caller gets the rule here."""
    if not has_role(actor, CASE_WRITERS):
        raise PermissionDenied("Only an officer or supervisor can assess risk.")
    actor_borough = viewer_borough_id(actor)
    if actor_borough is not None and actor_borough != borough_id:
        raise PermissionDenied("This assessment belongs to another borough.")


@transaction.atomic
def assessment_start(
    *, actor, victim: Party, instrument: Instrument | None = None, reassessment_reason: str = ""
) -> RiskAssessment:
    """Open the victim's draft, or start one; a submitted one is superseded by a reassessment."""
    _require_assessor(actor, victim.incident.borough_id)
    if not victim.is_victim:
        raise ValidationError("Risk assessments are for victims.")
    # The victim's row lock makes two starts take turns: with no current assessment there is
    # no row for the lock below to wait on, and both would insert one (the second failing on
    # the one-current-assessment index). The second now opens the first's draft.
    # The incident is locked first, as every incident service does: starting it rewrites the
    # victim's has_risk_assessment and then the incident's has_victim_to_assess (database
    # triggers), and taking the two locks in the other order could deadlock with a service
    # that holds the incident and saves a party.
    Incident.objects.select_for_update().filter(pk=victim.incident_id).values_list("pk").first()
    Party.objects.select_for_update().filter(pk=victim.pk).values_list("pk").first()
    current = (
        RiskAssessment.objects.select_for_update().filter(victim=victim, is_current=True).first()
    )
    if current is not None and current.is_draft:
        return current
    if current is not None:
        if not reassessment_reason.strip():
            raise ValidationError(
                {"reassessment_reason": "Say what has changed to need a reassessment"}
            )
        RiskAssessment.objects.filter(pk=current.pk).update(is_current=False)

    instrument = instrument or default_instrument()
    incident = victim.incident
    assessment = RiskAssessment.objects.create(
        incident=incident,
        victim=victim,
        person_id=victim.person_id,
        borough_id=incident.borough_id,
        instrument=instrument,
        rule_version=instrument.version,
        rule_parameters=instrument.parameters,
        supersedes=current,
        reassessment_reason=reassessment_reason.strip(),
        created_by=actor,
    )
    previous = {a.question_id: a for a in current.answers.all()} if current else {}
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question=question,
            value=previous[question.pk].value if question.pk in previous else AnswerValue.NOT_KNOWN,
            note=previous[question.pk].note if question.pk in previous else "",
        )
        for question in instrument.questions.all()
    )
    _prefill_from_records(assessment)
    _refresh_escalation(assessment, pre_tick_over=(AnswerValue.NOT_KNOWN, AnswerValue.NO))
    _refresh_recommendation(assessment)
    assessment.save()
    return assessment


# Answers the records already give, with the note saying so (the form marks them), only over
# "not known" (a reassessment keeps what was answered). The officer may change any.
# Separation is not inferred from a "former partner" relationship: a former partner may have
# separated years ago, and the factor is about a recent or planned separation. It is asked when
# the suspect is recorded (Party.separation), and that answer, yes or no, is what is filled in.
FROM_THE_RECORD = "From the record: "
OFFENCE_FACTORS = {
    "strangulation": "strangulation",
    "threats_to_kill": "threats_to_kill",
    "stalking": "stalking",
    "sexual_assault": "sexual_assault",
    "rape": "sexual_assault",
}


def record_facts(assessment: RiskAssessment) -> dict[str, tuple[str, str]]:
    """SPECSS+ factor code -> (answer, what in the records shows it), for the assessed
    incident."""
    # Read from the database: the caller's incident object may predate an edit.
    incident = Incident.objects.only("weapons", "alcohol_involved", "drugs_involved").get(
        pk=assessment.incident_id
    )
    facts: dict[str, str] = {}
    for code, name in (
        Offence.objects.filter(incident=incident)
        .values_list("offence_type__code", "offence_type__name")
        .order_by("offence_type__seriousness")
    ):
        if code in OFFENCE_FACTORS:
            facts[OFFENCE_FACTORS[code]] = (
                AnswerValue.YES,
                f"{name} is recorded as an offence in this incident.",
            )
    if incident.weapons.strip():
        facts["weapon_use"] = (
            AnswerValue.YES,
            f"Weapons recorded in this incident: {incident.weapons.strip()}",
        )
    suspects = list(
        Party.objects.filter(incident=incident, role=PartyRole.SUSPECT).values_list(
            "person_id", "relationship_to_victim", "separation"
        )
    )
    if incident.alcohol_involved or incident.drugs_involved:
        facts["substance_misuse"] = (
            AnswerValue.YES,
            "Alcohol or drugs are recorded as involved in this incident.",
        )
    earlier = (
        Party.objects.filter(person_id__in=[p for p, _r, _s in suspects], role=PartyRole.SUSPECT)
        .exclude(incident=incident)
        .count()
    )
    if earlier:
        facts["history_of_violence"] = (
            AnswerValue.YES,
            f"The suspect is recorded as a suspect in {earlier} other incident"
            f"{'s' if earlier != 1 else ''}.",
        )
    # A child who sees, hears or experiences the abuse is a victim in their own right
    # (DOMAIN.md, Domestic Abuse Act 2021): a child recorded as present answers the factor.
    children_present = Party.objects.filter(incident=incident, role=PartyRole.CHILD_PRESENT).count()
    if children_present:
        facts["children_abused"] = (
            AnswerValue.YES,
            f"{children_present} child{'ren' if children_present != 1 else ''} recorded as "
            "present at this incident: a child who sees, hears or experiences the abuse is a "
            "victim in their own right.",
        )
    separation = _separation_fact([s for _p, r, s in suspects if r in SEPARATING_RELATIONSHIPS])
    if separation:
        facts["separation"] = separation
    return facts


def _separation_fact(answers: list[str]) -> tuple[str, str] | None:
    """From the suspects who are or were partners (or parents of the same child): "yes" if any
    separated in the last 12 months or plans to; "no" only if every one was asked and said no;
    otherwise nothing (not known stays an information gap)."""
    if SeparationAnswer.YES in answers:
        return (
            AnswerValue.YES,
            "Recorded with the suspect: they separated in the last 12 months, or a separation "
            "is planned.",
        )
    if answers and all(answer == SeparationAnswer.NO for answer in answers):
        return (
            AnswerValue.NO,
            "Recorded with the suspect: no separation in the last 12 months, and none planned.",
        )
    return None


def _prefill_from_records(assessment: RiskAssessment) -> None:
    facts = record_facts(assessment)
    answers = assessment.answers.filter(
        question__code__in=facts, value=AnswerValue.NOT_KNOWN
    ).select_related("question")
    for answer in answers:
        value, why = facts[answer.question.code]
        answer.value = value
        answer.note = (FROM_THE_RECORD + why)[:2000]
    Answer.objects.bulk_update(answers, ["value", "note"])


def _refresh_escalation(
    assessment: RiskAssessment, *, pre_tick_over=(AnswerValue.NOT_KNOWN,)
) -> None:
    """Escalation suggested from the victim's history, derived again from the records as they
    are now (DOMAIN.md: the victim's third incident within 12 months, this one included, or a
    more serious offence than the last, pre-ticks escalation with the reason shown; the officer
    may clear it with a note). Earlier incidents recorded after the assessment started count.

    A new suggestion pre-ticks the escalation answer unless the officer has already answered
    it; an officer's "no" then needs the clearing note before submission."""
    suggestion = escalation_suggestion(incident=assessment.incident, person_id=assessment.person_id)
    reason = " ".join(suggestion.reasons)[:300]
    newly = suggestion.suggested and reason != assessment.escalation_reason
    assessment.escalation_suggested = suggestion.suggested
    assessment.escalation_reason = reason
    if newly:
        assessment.answers.filter(question__code=ESCALATION_CODE, value__in=pre_tick_over).update(
            value=AnswerValue.YES,
            note="Suggested from the victim's history: " + reason,
        )


def assessment_with_current_escalation(assessment: RiskAssessment) -> RiskAssessment:
    """For reading a draft: the escalation suggestion as the records show it now, set on the
    object (not saved; saving or submitting the draft stores it)."""
    if assessment.can_edit():
        suggestion = escalation_suggestion(
            incident=assessment.incident, person_id=assessment.person_id
        )
        assessment.escalation_suggested = suggestion.suggested
        assessment.escalation_reason = " ".join(suggestion.reasons)[:300]
    return assessment


def _lock(assessment_id: int) -> RiskAssessment:
    return (
        RiskAssessment.objects.select_for_update()
        .select_related("instrument")
        .get(pk=assessment_id)
    )


def _lock_as_start_does(assessment_id: int) -> RiskAssessment:
    """Lock the incident, the victim's party and then the assessment, in `assessment_start`'s
    order. Submitting writes the party (its has_submitted_risk_assessment, by trigger): taking
    the assessment first could deadlock with a start for the same victim, which holds the party
    and waits for the assessment."""
    keys = RiskAssessment.objects.filter(pk=assessment_id).values("incident_id", "victim_id")
    for key in keys[:1]:
        Incident.objects.select_for_update().filter(pk=key["incident_id"]).values_list("pk").first()
        Party.objects.select_for_update().filter(pk=key["victim_id"]).values_list("pk").first()
    return _lock(assessment_id)


@transaction.atomic
def assessment_save(
    *,
    actor,
    assessment_id: int,
    expected_version: int,
    answers: dict[str, tuple[str, str]] | None = None,
    **fields,
) -> RiskAssessment:
    """Save a draft: answers (code -> (value, note)) and the officer's choices."""
    assessment = _lock(assessment_id)
    _require_assessor(actor, assessment.borough_id)
    if assessment.version != expected_version:
        raise ConcurrentEditError("risk assessment")
    if not assessment.can_edit():
        raise StateError("This assessment has been submitted and cannot be changed.")
    allowed = {
        "final_level",
        "raise_note",
        "lowering_rationale",
        "escalation_cleared_note",
        "marac_decision",
        "marac_not_referred_reason",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    if answers:
        by_code = {a.question.code: a for a in assessment.answers.select_related("question")}
        for code, (value, note) in answers.items():
            answer = by_code.get(code)
            if answer is None:
                raise ValidationError({f"answer_{code}": "Unknown question"})
            if value not in AnswerValue.values:
                raise ValidationError({f"answer_{code}": "Answer yes, no or not known"})
            if (answer.value, answer.note) != (value, note.strip()):
                answer.value, answer.note = value, note.strip()
                answer.save(update_fields=["value", "note"])
    note_before = assessment.escalation_cleared_note
    for name, value in fields.items():
        setattr(assessment, name, value.strip() if isinstance(value, str) else value)
    if assessment.marac_decision and assessment.marac_decided_at is None:
        assessment.marac_decided_at = timezone.now()
    _refresh_escalation(assessment)
    if assessment.escalation_cleared_note != note_before:
        # Written (or changed) now: it answers the suggestion as the officer sees it now.
        assessment.escalation_cleared_for = (
            assessment.escalation_reason if assessment.escalation_cleared_note else ""
        )
    _refresh_recommendation(assessment)
    assessment.version += 1
    assessment.save()
    return assessment


def has_rara_plan(assessment: RiskAssessment) -> bool:
    """The assessment has a RARA plan: an action that was not cancelled. An action added and
    cancelled at once leaves nothing planned, offered or done, so it is no plan (DOMAIN.md:
    medium and high risk need one)."""
    return assessment.actions.exclude(status=RaraStatus.CANCELLED).exists()


def submission_problems(assessment: RiskAssessment) -> dict[str, str]:
    """What stops an assessment being submitted, by field."""
    problems: dict[str, str] = {}
    final, recommended = assessment.final_level, assessment.recommended_level
    if not final:
        problems["final_level"] = "Select the final risk level"
    else:
        if LEVEL_RANK[final] > LEVEL_RANK[recommended] and not assessment.raise_note.strip():
            problems["raise_note"] = "Say why you have raised the level above the recommendation"
        if (
            LEVEL_RANK[final] < LEVEL_RANK[recommended]
            and not assessment.lowering_rationale.strip()
        ):
            problems["lowering_rationale"] = (
                "Give a written rationale for setting the level below the recommendation; "
                "a supervisor must confirm it"
            )
        if final in settings.RARA_PLAN_REQUIRED_LEVELS and not has_rara_plan(assessment):
            problems["plan"] = (
                f"{Level(final).label} risk needs a RARA plan: add at least one action"
            )
        problems.update(
            marac_decision_problems(
                level=final,
                recommended_level=recommended,
                marac_decision=assessment.marac_decision,
                marac_not_referred_reason=assessment.marac_not_referred_reason,
            )
        )
    if assessment.escalation_suggested:
        escalation = assessment.answers.filter(question__code=ESCALATION_CODE).first()
        if (
            escalation
            and escalation.value != AnswerValue.YES
            and not assessment.escalation_cleared_note.strip()
        ):
            problems["escalation_cleared_note"] = (
                "Escalation was suggested from the victim's history: say why you cleared it"
            )
        elif (
            escalation
            and escalation.value != AnswerValue.YES
            and assessment.escalation_note_outdated
        ):
            # The records changed since the note was written: it answers other reasons.
            problems["escalation_cleared_note"] = (
                "Escalation is now suggested for another reason: "
                f"{assessment.escalation_reason} Update your note to say why you clear it"
            )
    return problems


def assessment_submit(
    *, actor, assessment_id: int, expected_version: int | None = None
) -> RiskAssessment:
    """Submit a draft for the supervisor's review. The escalation suggestion is derived again
    first, and kept even when the submission is then refused (the officer sees why)."""
    with transaction.atomic():
        assessment = _lock(assessment_id)
        _require_assessor(actor, assessment.borough_id)
        if assessment.can_edit() and (
            expected_version is None or assessment.version == expected_version
        ):
            _refresh_escalation(assessment)
            _refresh_recommendation(assessment)
            assessment.save()
    return _submit(actor=actor, assessment_id=assessment_id, expected_version=expected_version)


@transaction.atomic
def _submit(*, actor, assessment_id: int, expected_version: int | None) -> RiskAssessment:
    assessment = _lock_as_start_does(assessment_id)
    _require_assessor(actor, assessment.borough_id)
    if expected_version is not None and assessment.version != expected_version:
        raise ConcurrentEditError("risk assessment")
    if not assessment.can_edit():
        raise StateError("This assessment has already been submitted.")
    _refresh_escalation(assessment)
    _refresh_recommendation(assessment)
    problems = submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    if not assessment.is_not_referred_to_marac:
        assessment.marac_not_referred_reason = ""
    assessment.status = AssessmentStatus.AWAITING_REVIEW
    assessment.submitted_at = timezone.now()
    assessment.level_set_by = actor
    assessment.level_set_at = assessment.submitted_at
    assessment.version += 1
    assessment.save()
    return assessment


def grading_review_refusal(*, actor, assessment: RiskAssessment) -> str | None:
    """Why `actor` may not review `assessment`'s grading, or None.

    A review is a second pair of eyes, so the reviewer neither made the assessment nor set the
    level under review: whoever submitted it (`level_set_by`). A supervisor may submit an
    officer's draft, and a level lowered below the recommendation then needs another
    supervisor's confirmation (DOMAIN.md). The page uses this to decide whether to show the
    form; the services enforce it for every caller."""
    if assessment.created_by_id == actor.pk:
        return "A supervisor cannot review their own assessment."
    if assessment.level_set_by_id == actor.pk:
        return "You submitted this grading: another supervisor must review it."
    return None


def _require_reviewer(actor, assessment: RiskAssessment) -> None:
    if not has_role(actor, SUPERVISORS):
        raise PermissionDenied("Only a supervisor can review a grading.")
    borough_id = viewer_borough_id(actor)
    if borough_id is not None and borough_id != assessment.borough_id:
        raise PermissionDenied("This assessment belongs to another borough.")
    refusal = grading_review_refusal(actor=actor, assessment=assessment)
    if refusal:
        raise PermissionDenied(refusal)


@transaction.atomic
def assessment_confirm(*, actor, assessment_id: int, rationale: str = "") -> RiskAssessment:
    assessment = _lock(assessment_id)
    _require_reviewer(actor, assessment)
    if not assessment.can_review():
        raise StateError("This assessment is not awaiting review.")
    if assessment.is_lowered and not rationale.strip():
        raise ValidationError(
            {"rationale": "The level is below the recommendation: record why you confirm it"}
        )
    GradingReview.objects.create(
        assessment=assessment,
        action=GradingReviewAction.CONFIRMED,
        from_level=assessment.final_level,
        to_level=assessment.final_level,
        rationale=rationale.strip(),
        actor=actor,
    )
    return _confirmed(assessment)


def marac_decision_problems(
    *, level: str, recommended_level: str, marac_decision: str, marac_not_referred_reason: str
) -> dict[str, str]:
    """A visible high risk is referred to MARAC or the reasons not to are recorded (DOMAIN.md,
    MARAC: "visible high risk"; professional judgement is never used to downgrade). It is
    visible when HIGH is the level set or the instrument's recommendation: a recommended HIGH
    set lower still needs the decision. Whoever sets the level, officer or supervisor, decides."""
    problems: dict[str, str] = {}
    if marac_decision == MaracDecision.NOT_REFERRED and not marac_not_referred_reason.strip():
        problems["marac_not_referred_reason"] = "Say why the case is not referred to MARAC"
    elif marac_decision not in MaracDecision.values:
        if level == Level.HIGH:
            problems["marac_decision"] = "High risk: refer to MARAC, or record why not"
        elif recommended_level == Level.HIGH:
            problems["marac_decision"] = (
                "The recommendation is high risk, which goes to MARAC whatever level is set: "
                "refer to MARAC, or record why not"
            )
    return problems


@transaction.atomic
def assessment_regrade(
    *,
    actor,
    assessment_id: int,
    level: str,
    rationale: str,
    marac_decision: str = "",
    marac_not_referred_reason: str = "",
) -> RiskAssessment:
    """A supervisor sets a different level, with a rationale. Regrading to HIGH needs the MARAC
    decision the officer's own HIGH would have needed (the officer's decision to refer stands
    unless a new one is given; a decision not to refer, made for the lower level, does not);
    the supervisor becomes the one who set the level."""
    assessment = _lock(assessment_id)
    _require_reviewer(actor, assessment)
    if not assessment.can_review():
        raise StateError("This assessment is not awaiting review.")
    if _replaced_by_a_submitted_reassessment(assessment):
        # Its level is in force nowhere: a HIGH set here would reach neither the coordinator's
        # list nor the agenda (they read the level in force). A late confirmation stays possible.
        raise StateError(
            "A reassessment of this victim has been submitted since, and its level is the one "
            "in force: confirm this grading, and review the reassessment to change the level."
        )
    errors = {}
    if level not in Level.values:
        errors["level"] = "Select the level"
    elif level == assessment.final_level:
        errors["level"] = "Choose a different level, or confirm the grading instead"
    if not rationale.strip():
        errors["rationale"] = "Give the rationale for the new level"
    if level in settings.RARA_PLAN_REQUIRED_LEVELS and not has_rara_plan(assessment):
        # DOMAIN.md, RARA: medium and high risk need a plan, whoever sets the level.
        errors["level"] = (
            f"{Level(level).label} risk needs a RARA plan: add at least one action to the plan, "
            "then regrade"
        )
    if not marac_decision and assessment.marac_decision == MaracDecision.REFER:
        # The officer's decision to refer stands, whatever the new level.
        marac_decision = MaracDecision.REFER
    elif not marac_decision and assessment.is_not_referred_to_marac and level != Level.HIGH:
        # A decision not to refer stands for a level that is not HIGH (it was made with the
        # recommendation in view), never for a HIGH: whoever sets HIGH decides (ADR 0009).
        marac_decision = MaracDecision.NOT_REFERRED
        marac_not_referred_reason = assessment.marac_not_referred_reason
    errors.update(
        marac_decision_problems(
            level=level,
            recommended_level=assessment.recommended_level,
            marac_decision=marac_decision,
            marac_not_referred_reason=marac_not_referred_reason,
        )
    )
    if errors:
        raise ValidationError(errors)
    if marac_decision and marac_decision != assessment.marac_decision:
        assessment.marac_decision = marac_decision
        assessment.marac_decided_at = timezone.now()
    if not assessment.is_not_referred_to_marac:
        assessment.marac_not_referred_reason = ""
    elif marac_not_referred_reason.strip():
        assessment.marac_not_referred_reason = marac_not_referred_reason.strip()
    GradingReview.objects.create(
        assessment=assessment,
        action=GradingReviewAction.REGRADED,
        from_level=assessment.final_level,
        to_level=level,
        rationale=rationale.strip(),
        actor=actor,
    )
    assessment.final_level = level
    assessment.level_set_by = actor
    assessment.level_set_at = timezone.now()
    return _confirmed(assessment)


def _replaced_by_a_submitted_reassessment(assessment: RiskAssessment) -> bool:
    """Superseded by a reassessment that has a level (a draft has none, so until it is submitted
    the level it replaces is still in force)."""
    return (
        not assessment.is_current
        and RiskAssessment.objects.filter(supersedes=assessment)
        .exclude(status=AssessmentStatus.DRAFT)
        .exists()
    )


def _confirmed(assessment: RiskAssessment) -> RiskAssessment:
    assessment.status = AssessmentStatus.CONFIRMED
    assessment.confirmed_at = timezone.now()
    assessment.version += 1
    assessment.save()
    return assessment
