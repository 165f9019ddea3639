"""What each dashboard figure means: its name, how it is made from the rollup, its definition.

The definitions are shown on the page, in the PDF and in every CSV, and are the contract the
definitions tests check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    numerator: str
    denominator: str | None = None  # None: a plain count

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def figures() -> list[Figure]:
    window = settings.REPEAT_WINDOW_DAYS
    hours = settings.ARREST_REVIEW_DEADLINE_HOURS
    return [
        Figure(
            "incidents",
            "Incidents",
            "Domestic abuse incidents (crimes and non-crimes) recorded and submitted (drafts "
            "left out), counted on the London date the incident happened, in the borough "
            "where it happened.",
            "incidents",
        ),
        Figure("crimes", "Crimes", "Incidents recorded as a crime.", "crimes"),
        Figure("non_crimes", "Non-crimes", "Incidents recorded as a non-crime.", "non_crimes"),
        Figure(
            "arrest_rate",
            "Offence arrest rate",
            "Suspects arrested out of suspects of an offence with a power of arrest. Each "
            "suspect is counted once per incident, in the period the incident happened. "
            "Denominator: suspects of at least one offence carrying a power of arrest. "
            "Numerator: those whose arrest decision is 'arrested', or who were not arrested at "
            "the time but were arrested later (an outstanding suspect traced and arrested).",
            "arrested_suspects",
            "arrestable_suspects",
        ),
        Figure(
            "sanction_detection_rate",
            "Sanction-detection rate",
            "Crimes with a sanction outcome (charge, caution or community resolution) out of "
            "crimes that happened in the period. Crimes with no outcome yet count in the "
            "denominator only.",
            "crimes_with_sanction",
            "crimes",
        ),
        Figure(
            "repeat_victim_rate",
            "Repeat victimisation rate",
            f"Victims who had already been the victim of another domestic abuse incident in the "
            f"{window} days before, out of all victims. Each victim is counted once per incident "
            "they are a victim in, in the period the incident happened, so a person who is a "
            "victim twice in the period counts twice.",
            "repeat_victims",
            "victims",
        ),
        Figure(
            "review_compliance",
            "Supervisor review compliance",
            f"Decisions not to arrest that were reviewed by a supervisor (endorsed or returned) "
            f"within {hours} hours of first being sent for review, out of decisions not to "
            "arrest sent for review, counted on the London date of the decision. A decision "
            "still inside its deadline is counted once it is reviewed or its deadline passes.",
            "reviews_in_time",
            "reviews_due",
        ),
        Figure(
            "risk_standard",
            "Standard risk assessments",
            "Submitted risk assessments (awaiting review or confirmed) graded standard, "
            "counted on the London date they were submitted.",
            "assessments_standard",
        ),
        Figure(
            "risk_medium",
            "Medium risk assessments",
            "Submitted risk assessments graded medium.",
            "assessments_medium",
        ),
        Figure(
            "risk_high",
            "High risk assessments",
            "Submitted risk assessments graded high.",
            "assessments_high",
        ),
        Figure(
            "marac_referrals",
            "MARAC referrals",
            "Referrals of a victim to a MARAC, counted on the London date the referral was made, "
            "in the borough of the incident that prompted it, whatever the coordinator then "
            "decided.",
            "marac_referrals",
        ),
        Figure(
            "repeat_marac_rate",
            "Repeat-MARAC rate",
            f"MARAC referrals of a victim who had been referred to a MARAC in the "
            f"{settings.MARAC_REPEAT_WINDOW_DAYS} days before, out of all MARAC referrals.",
            "repeat_marac_referrals",
            "marac_referrals",
        ),
    ]


def figure(key: str) -> Figure:
    return next(f for f in figures() if f.key == key)
