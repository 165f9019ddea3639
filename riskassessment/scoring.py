"""Scoring rules: how an instrument's answers become a recommended level, with reasons.

Only "yes" answers count. "Not known" is an information gap: never counted as no, and since
answering it can only add a "yes", more information never lowers a recommendation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import AnswerValue, Level, ScoringRule


@dataclass(frozen=True)
class QuestionInfo:
    code: str
    text: str
    group: str


@dataclass
class Recommendation:
    level: str
    reasons: list[str] = field(default_factory=list)
    information_gaps: list[str] = field(default_factory=list)
    yes_count: int = 0


def _specss_plus(
    params: dict, questions: dict[str, QuestionInfo], yes: set[str]
) -> tuple[str, list[str]]:
    def text(code: str) -> str:
        return questions[code].text if code in questions else code

    high: list[str] = []
    named = [code for code in params.get("high_if_any", []) if code in yes]
    high += [f"{text(code)} is present" for code in named]
    for combination in params.get("high_if_all", []):
        if combination and all(code in yes for code in combination):
            high.append(" and ".join(text(code) for code in combination) + " are both present")
    high_count = params.get("high_if_count_at_least")
    if high_count and len(yes) >= high_count:
        high.append(f"{len(yes)} factors are present ({high_count} or more means high)")
    if high:
        return Level.HIGH, high

    medium: list[str] = []
    medium_count = params.get("medium_if_count_at_least")
    if medium_count and len(yes) >= medium_count:
        medium.append(f"{len(yes)} factors are present ({medium_count} or more means medium)")
    group = params.get("medium_if_any_in_group")
    if group:
        in_group = [
            code for code in sorted(yes) if questions.get(code) and questions[code].group == group
        ]
        medium += [f"{text(code)} is present (a SPECSS factor)" for code in in_group]
    if medium:
        return Level.MEDIUM, medium
    return Level.STANDARD, ["No factor that raises the level is present"]


def _count_bands(
    params: dict, questions: dict[str, QuestionInfo], yes: set[str]
) -> tuple[str, list[str]]:
    count = len(yes)
    if count >= params["high_at_least"]:
        return Level.HIGH, [f"{count} yes answers ({params['high_at_least']} or more means high)"]
    if count >= params["medium_at_least"]:
        return Level.MEDIUM, [
            f"{count} yes answers ({params['medium_at_least']} to {params['high_at_least'] - 1} means medium)"
        ]
    return Level.STANDARD, [f"{count} yes answers (fewer than {params['medium_at_least']})"]


RULES: dict[str, Callable] = {
    ScoringRule.SPECSS_PLUS: _specss_plus,
    ScoringRule.COUNT_BANDS: _count_bands,
}


def recommend(
    *, rule: str, parameters: dict, questions: list[QuestionInfo], answers: dict[str, str]
) -> Recommendation:
    by_code = {q.code: q for q in questions}
    yes = {code for code, value in answers.items() if value == AnswerValue.YES and code in by_code}
    gaps = [
        q.text
        for q in questions
        if answers.get(q.code, AnswerValue.NOT_KNOWN) == AnswerValue.NOT_KNOWN
    ]
    level, reasons = RULES[rule](parameters, by_code, yes)
    return Recommendation(level=level, reasons=reasons, information_gaps=gaps, yes_count=len(yes))
