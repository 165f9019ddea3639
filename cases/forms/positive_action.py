"""Forms for the positive action screens. They check shape; the services enforce the rules."""

from __future__ import annotations

from django import forms

from publicprotection.govuk_forms import DateTimeLocalInput, GovukFormMixin, GovukRadioSelect

ENDORSE = "endorse"
RETURN = "return"
REVIEW_CHOICES = [(ENDORSE, "Endorse the decision"), (RETURN, "Return it to the officer")]
TEXT_LIMIT = 5000


class ReviewForm(GovukFormMixin, forms.Form):
    legend_classes = {"action": "govuk-fieldset__legend--m"}

    action = forms.ChoiceField(
        label="Your review",
        choices=REVIEW_CHOICES,
        widget=GovukRadioSelect,
        error_messages={
            "required": "Select whether you endorse the decision or return it",
            "invalid_choice": "Select whether you endorse the decision or return it",
        },
    )
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    required_action = forms.CharField(
        label="Required action",
        help_text="What the officer must do. Needed when you return the decision.",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == RETURN and not (data.get("required_action") or "").strip():
            self.add_error("required_action", "Say what the officer must do")
        return data


class RespondForm(GovukFormMixin, forms.Form):
    label_classes = {"response": "govuk-label--m"}

    response = forms.CharField(
        label="Your response",
        help_text="What you have done about the required action, and what you found.",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what you have done about the required action"},
    )


class RecordArrestForm(GovukFormMixin, forms.Form):
    arrested_at = forms.DateTimeField(
        label="When was the suspect arrested?",
        widget=DateTimeLocalInput(),
        error_messages={
            "required": "Enter when the suspect was arrested",
            "invalid": "Enter a real date and time",
        },
    )
    arrested_by = forms.CharField(
        label="Arrested by",
        help_text="The arresting officer's name or number.",
        max_length=120,
        error_messages={"required": "Enter the name or number of the arresting officer"},
    )


class CloseOutstandingForm(GovukFormMixin, forms.Form):
    comment = forms.CharField(
        label="Why does the suspect no longer need to be traced?",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say why the suspect no longer needs to be traced"},
    )
