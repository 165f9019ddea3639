"""The assessment form: one yes / no / not known answer and a note per factor, then the level."""

from __future__ import annotations

from django import forms

from publicprotection.govuk_forms import GovukFormMixin, GovukRadioSelect

from ..models import AnswerValue, Instrument, Level, MaracDecision

ANSWER_CHOICES = [
    (AnswerValue.YES, "Yes"),
    (AnswerValue.NO, "No"),
    (AnswerValue.NOT_KNOWN, "Not known"),
]


class AssessmentForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    final_level = forms.ChoiceField(
        label="Final risk level",
        choices=Level.choices,
        widget=GovukRadioSelect,
        required=False,
        help_text="Raising it needs a note; lowering it below the recommendation needs a written "
        "rationale and a supervisor's confirmation.",
    )
    raise_note = forms.CharField(
        label="Why is the level higher than recommended? (professional judgement)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    lowering_rationale = forms.CharField(
        label="Why is the level lower than recommended?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    escalation_cleared_note = forms.CharField(
        label="Why did you clear the suggested escalation?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    marac_decision = forms.ChoiceField(
        label="MARAC referral (high risk, set or recommended)",
        choices=MaracDecision.choices,
        widget=GovukRadioSelect,
        required=False,
    )
    marac_not_referred_reason = forms.CharField(
        label="Why is the case not referred to MARAC?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    OFFICER_FIELDS = (
        "final_level",
        "raise_note",
        "lowering_rationale",
        "escalation_cleared_note",
        "marac_decision",
        "marac_not_referred_reason",
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        # Each question's note is quieter than the question it follows.
        self.label_classes = {
            f"note_{q.code}": "govuk-label--s govuk-!-font-weight-regular" for q in self.questions
        }
        for question in self.questions:
            self.fields[f"answer_{question.code}"] = forms.ChoiceField(
                label=question.text,
                help_text=question.help_text,
                choices=ANSWER_CHOICES,
                widget=GovukRadioSelect(attrs={"inline": True}),
                error_messages={"required": f"Answer '{question.text}': yes, no or not known"},
            )
            self.fields[f"note_{question.code}"] = forms.CharField(
                label=f"Note on {question.text.lower()} (optional)",
                required=False,
                max_length=2000,
            )
            self.fields[f"note_{question.code}"].widget.attrs["class"] = "govuk-input"
        self.order_fields(
            [f for q in self.questions for f in (f"answer_{q.code}", f"note_{q.code}")]
        )
        # A factor's note opens when it is answered "yes" (GOV.UK conditional reveal). A note
        # with something in it (from the record, a suggestion, or typed) always shows, so an
        # officer who changes a pre-filled answer sees why it was given and can say why not.
        self.revealed_notes = {}
        for question in self.questions:
            if not (self[f"note_{question.code}"].value() or "").strip():
                reveal_id = f"note-{question.code}-reveal"
                self.fields[f"answer_{question.code}"].widget.reveals = {AnswerValue.YES: reveal_id}
                self.revealed_notes[question.code] = reveal_id

    def question_fields(self):
        """(answer field, note field, question, id of the block that reveals the note or "")
        in question order, for the template."""
        return [
            (
                self[f"answer_{q.code}"],
                self[f"note_{q.code}"],
                q,
                self.revealed_notes.get(q.code, ""),
            )
            for q in self.questions
        ]

    def answers(self) -> dict[str, tuple[str, str]]:
        return {
            q.code: (self.cleaned_data[f"answer_{q.code}"], self.cleaned_data[f"note_{q.code}"])
            for q in self.questions
        }

    def officer_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.OFFICER_FIELDS}

    @classmethod
    def initial_for(cls, assessment) -> dict:
        initial = {name: getattr(assessment, name) for name in cls.OFFICER_FIELDS}
        initial["version"] = assessment.version
        for answer in assessment.answers.all():
            initial[f"answer_{answer.question.code}"] = answer.value
            initial[f"note_{answer.question.code}"] = answer.note
        return initial


class StartAssessmentForm(GovukFormMixin, forms.Form):
    instrument = forms.ModelChoiceField(
        queryset=Instrument.objects.filter(is_active=True),
        required=False,
        empty_label=None,
    )
    reassessment_reason = forms.CharField(label="What has changed?", required=False, max_length=300)
