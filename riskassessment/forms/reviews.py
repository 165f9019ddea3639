"""The supervisor's review of a grading. Shape only: when a rationale or a new level is needed
is decided by the services (assessment_confirm, assessment_regrade), whose field errors the view
shows on these fields."""

from __future__ import annotations

from django import forms

from publicprotection.govuk_forms import GovukFormMixin, GovukRadioSelect

from ..models import Level, MaracDecision

CONFIRM = "confirm"
REGRADE = "regrade"
REVIEW_ACTIONS = [(CONFIRM, "Confirm the grading"), (REGRADE, "Regrade")]
TEXT_LIMIT = 5000


class GradingReviewForm(GovukFormMixin, forms.Form):
    action = forms.ChoiceField(
        label="Your decision",
        choices=REVIEW_ACTIONS,
        widget=GovukRadioSelect,
        error_messages={
            "required": "Select whether you confirm the grading or regrade it",
            "invalid_choice": "Select whether you confirm the grading or regrade it",
        },
    )
    level = forms.ChoiceField(
        label="New risk level",
        help_text="Only if you regrade.",
        choices=Level.choices,
        required=False,
        widget=GovukRadioSelect,
        error_messages={"invalid_choice": "Select standard, medium or high"},
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text=(
            "Needed to regrade, and to confirm a level below the recommendation. "
            "It is kept with the assessment's history."
        ),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    marac_decision = forms.ChoiceField(
        label="MARAC referral",
        help_text=(
            "Needed if you regrade to high and the officer did not refer the case, or if the "
            "recommendation is high and no decision is recorded."
        ),
        choices=MaracDecision.choices,
        required=False,
        widget=GovukRadioSelect,
    )
    marac_not_referred_reason = forms.CharField(
        label="Why is the case not referred to MARAC?",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
