"""Forms for reviews, recommendations and lessons: shape only; the rules are in services."""

from __future__ import annotations

from django import forms

from cases.models import Person
from publicprotection.accounts.models import Borough
from publicprotection.govuk_forms import DateInput, GovukFormMixin, GovukRadioSelect

from .models import Decision, LessonTheme, RecommendationStatus

# The longest name a person or an alias has in the register.
NAME_MAX_LENGTH = Person._meta.get_field("search_name").max_length

DATE_FIELDS = (
    "date_of_death",
    "notified_on",
    "decided_on",
    "chronology_due_on",
    "chronology_submitted_on",
    "imr_due_on",
    "imr_submitted_on",
    "overview_draft_on",
    "overview_completed_on",
    "home_office_submitted_on",
    "published_on",
)
LABELS = {
    "date_of_death": "Date of death",
    "notified_on": "Date the partnership was notified in writing",
    "decided_on": "Date of the partnership's decision",
    "chronology_due_on": "Police chronology due",
    "chronology_submitted_on": "Police chronology sent",
    "imr_due_on": "Individual management review (IMR) due",
    "imr_submitted_on": "Individual management review (IMR) sent",
    "overview_draft_on": "Overview report drafted",
    "overview_completed_on": "Overview report completed",
    "home_office_submitted_on": "Overview report sent to the Home Office",
    "published_on": "Overview report published",
}


class ReviewForm(GovukFormMixin, forms.Form):
    victim_id = forms.IntegerField(
        label="Victim's person record number",
        min_value=1,
        help_text="The number in the address of the person's page in the register.",
        error_messages={"required": "Enter the victim's person record number"},
    )
    victim_name = forms.CharField(
        label="Victim's full name",
        max_length=NAME_MAX_LENGTH,
        help_text="As the register has it, or another name they are known by: it is checked "
        "against the record number.",
        error_messages={"required": "Enter the victim's full name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    suspect_id = forms.IntegerField(
        label="Suspect's person record number (optional)",
        min_value=1,
        required=False,
        help_text="Leave empty when no suspect is known.",
    )
    # Required by the service when the suspect is added or changed (not for one already on the
    # review, nor to remove them): the form only carries it.
    suspect_name = forms.CharField(
        label="Suspect's full name",
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text="Needed when you add or change the suspect: it is checked against the record "
        "number.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    circumstances = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the circumstances of the death"},
    )
    borough = forms.ModelChoiceField(
        queryset=Borough.objects.all(),
        label="Borough where the death occurred",
        error_messages={"required": "Select the borough where the death occurred"},
    )
    partnership = forms.CharField(
        label="Community Safety Partnership",
        max_length=150,
        error_messages={"required": "Enter the Community Safety Partnership"},
    )
    letter = forms.FileField(
        label="Notification letter (PDF)",
        required=False,
        help_text="The letter the police sent to the partnership.",
    )
    decision = forms.ChoiceField(
        choices=Decision.choices, initial=Decision.PENDING, widget=GovukRadioSelect
    )
    decision_notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Decision notes"
    )
    chair = forms.CharField(label="Independent chair", max_length=150, required=False)
    panel_agencies = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One agency a line.",
    )
    terms_of_reference = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # The service names the people by the review's fields: its errors go by the record number
    # (where the form has it; on edit the victim's error is shown at the top).
    service_error_fields = {"victim": "victim_id", "suspect": "suspect_id"}

    field_order = [
        "victim_id",
        "victim_name",
        "suspect_id",
        "suspect_name",
        "date_of_death",
        "circumstances",
        "borough",
        "partnership",
        "notified_on",
        "letter",
        "decision",
        "decided_on",
        "decision_notes",
        "chair",
        "panel_agencies",
        "terms_of_reference",
    ]

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The victim is fixed once the review exists: a review is about one death.
            del self.fields["victim_id"]
            del self.fields["victim_name"]
        self.order_fields(self.field_order + list(DATE_FIELDS))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


# The review's dates, declared with the form's other fields (so GovukFormMixin makes each the
# day, month and year boxes of every other form, where a date added in __init__ stayed the
# browser's own date picker).
for _name in DATE_FIELDS:
    ReviewForm.base_fields[_name] = forms.DateField(
        label=LABELS[_name],
        required=_name == "date_of_death",
        error_messages={"required": f"Enter the {LABELS[_name].lower()}"},
    )


class RecommendationForm(GovukFormMixin, forms.Form):
    text = forms.CharField(label="Recommendation", widget=forms.Textarea(attrs={"rows": 3}))
    owner_agency = forms.CharField(label="Owner agency", max_length=150)
    due_on = forms.DateField(label="Due date", widget=DateInput)
    status = forms.ChoiceField(
        choices=RecommendationStatus.choices,
        initial=RecommendationStatus.OPEN,
        widget=GovukRadioSelect,
    )
    evidence = forms.CharField(
        label="Evidence of completion", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    completed_on = forms.DateField(label="Date completed", required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LessonForm(GovukFormMixin, forms.Form):
    theme = forms.ModelChoiceField(queryset=LessonTheme.objects.all())
    summary = forms.CharField(label="Lesson", widget=forms.Textarea(attrs={"rows": 3}))
