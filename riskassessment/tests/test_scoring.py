"""The recommendation rules, table-driven: every rule and every boundary."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskassessment.models import AnswerValue, Level, ScoringRule
from riskassessment.reference_data import (
    DASH_PARAMETERS,
    DASH_QUESTIONS,
    SPECSS_PLUS_PARAMETERS,
    SPECSS_PLUS_QUESTIONS,
)
from riskassessment.scoring import QuestionInfo, recommend

SPECSS = [QuestionInfo(code, text, group) for code, text, group in SPECSS_PLUS_QUESTIONS]
DASH = [QuestionInfo(code, text, "question") for code, text in DASH_QUESTIONS]
PLUS_ONLY = [
    "history_of_violence",
    "mental_health",
    "substance_misuse",
    "children_abused",
    "pets_abused",
    "suicidal_homicidal",
    "jealous_controlling",
]


def specss(*yes, no=()):
    answers = dict.fromkeys(yes, AnswerValue.YES)
    answers.update(dict.fromkeys(no, AnswerValue.NO))
    return recommend(
        rule=ScoringRule.SPECSS_PLUS,
        parameters=SPECSS_PLUS_PARAMETERS,
        questions=SPECSS,
        answers=answers,
    )


@pytest.mark.parametrize(
    ("yes", "level", "reason_fragment"),
    [
        # Nothing present.
        ((), Level.STANDARD, "No factor"),
        # Any one of the named high factors.
        (("threats_to_kill",), Level.HIGH, "Credible threats to kill is present"),
        (("strangulation",), Level.HIGH, "Strangulation or choking is present"),
        (("weapon_use",), Level.HIGH, "Weapon use is present"),
        # Escalation and separation together; either alone is a SPECSS factor (medium).
        (("escalation", "separation"), Level.HIGH, "are both present"),
        (("escalation",), Level.MEDIUM, "(a SPECSS factor)"),
        (("separation",), Level.MEDIUM, "(a SPECSS factor)"),
        # Any SPECSS factor alone is medium.
        (("pregnancy",), Level.MEDIUM, "Pregnancy"),
        (("community",), Level.MEDIUM, "Community"),
        (("stalking",), Level.MEDIUM, "Stalking"),
        (("sexual_assault",), Level.MEDIUM, "Sexual assault"),
        # Plus factors by count: 2 standard, 3 medium, 5 medium, 6 high.
        (PLUS_ONLY[:1], Level.STANDARD, "No factor"),
        (PLUS_ONLY[:2], Level.STANDARD, "No factor"),
        (PLUS_ONLY[:3], Level.MEDIUM, "3 factors are present (3 or more means medium)"),
        (PLUS_ONLY[:5], Level.MEDIUM, "5 factors"),
        (PLUS_ONLY[:6], Level.HIGH, "6 factors are present (6 or more means high)"),
        (PLUS_ONLY[:7], Level.HIGH, "7 factors"),
    ],
)
def test_specss_plus_rules(yes, level, reason_fragment):
    result = specss(*yes)

    assert result.level == level
    assert any(reason_fragment in reason for reason in result.reasons), result.reasons


def test_not_known_is_an_information_gap_never_a_no():
    result = specss("stalking")

    assert len(result.information_gaps) == len(SPECSS) - 1
    assert "Stalking" not in result.information_gaps


def test_no_answers_are_not_gaps():
    result = specss(no=["stalking", "pregnancy"])

    assert "Stalking" not in result.information_gaps
    assert result.level == Level.STANDARD


@pytest.mark.parametrize(
    ("count", "level"),
    [
        (0, Level.STANDARD),
        (9, Level.STANDARD),
        (10, Level.MEDIUM),
        (13, Level.MEDIUM),
        (14, Level.HIGH),
        (27, Level.HIGH),
    ],
)
def test_dash_bands(count, level):
    answers = {code: AnswerValue.YES for code, _ in DASH_QUESTIONS[:count]}

    result = recommend(
        rule=ScoringRule.COUNT_BANDS, parameters=DASH_PARAMETERS, questions=DASH, answers=answers
    )

    assert result.level == level
    assert result.yes_count == count


RANK = {Level.STANDARD: 0, Level.MEDIUM: 1, Level.HIGH: 2}
codes = [q.code for q in SPECSS]


@settings(max_examples=300, deadline=None)
@given(
    answers=st.fixed_dictionaries({code: st.sampled_from(AnswerValue.values) for code in codes}),
    resolve=st.sampled_from(codes),
)
def test_more_information_never_lowers_the_recommendation(answers, resolve):
    """Turning a 'not known' into a 'yes' or a 'no' never lowers the level."""
    before = recommend(
        rule=ScoringRule.SPECSS_PLUS,
        parameters=SPECSS_PLUS_PARAMETERS,
        questions=SPECSS,
        answers=answers,
    )
    if answers[resolve] != AnswerValue.NOT_KNOWN:
        return
    for value in (AnswerValue.YES, AnswerValue.NO):
        after = recommend(
            rule=ScoringRule.SPECSS_PLUS,
            parameters=SPECSS_PLUS_PARAMETERS,
            questions=SPECSS,
            answers={**answers, resolve: value},
        )
        assert RANK[after.level] >= RANK[before.level]
