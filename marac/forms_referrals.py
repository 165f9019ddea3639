"""Forms for MARAC referrals, triage and meetings (marac/forms.py holds the daily agendas').
Shape only: the rules (consent, capacity, transitions) are in the services."""

from __future__ import annotations

from django import forms

from publicprotection.accounts.models import Agency
from publicprotection.govuk_forms import (
    DateTimeLocalInput,
    GovukCheckboxSelectMultiple,
    GovukFormMixin,
    GovukRadioSelect,
)

from .models import AttendanceStatus, ReferralCriterion


def _to_bool(value):
    return {"true": True, "false": False}.get(value)


YES_NO = [("true", "Yes"), ("false", "No")]


class ReferralForm(GovukFormMixin, forms.Form):
    legend_classes = {"criteria": "govuk-fieldset__legend--m"}

    referring_agency = forms.CharField(
        label="Referring agency",
        max_length=150,
        initial="Metropolitan Police",
        error_messages={"required": "Enter the referring agency"},
    )
    criteria = forms.MultipleChoiceField(
        label="Criteria the referral meets",
        choices=ReferralCriterion.choices,
        widget=GovukCheckboxSelectMultiple,
        required=False,
        help_text="Criteria the records show are ticked and always kept.",
    )
    victim_aware = forms.TypedChoiceField(
        label="Does the victim know about the referral?",
        choices=YES_NO,
        coerce=_to_bool,
        widget=GovukRadioSelect(attrs={"inline": True}),
        error_messages={"required": "Say whether the victim knows about the referral"},
    )
    victim_consents = forms.TypedChoiceField(
        label="Does the victim consent?",
        choices=[*YES_NO, ("", "Not asked")],
        coerce=_to_bool,
        empty_value=None,
        required=False,
        widget=GovukRadioSelect(attrs={"inline": True}),
    )
    no_consent_reason = forms.CharField(
        label="Why the referral goes ahead without consent",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    safe_contact = forms.CharField(
        label="Safe way to contact the victim",
        help_text="A safe phone number or contact route. Never a confidential address.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    safe_contact_times = forms.CharField(label="Safe times to call", required=False, max_length=200)
    language = forms.CharField(label="Language", required=False, max_length=60)
    interpreter = forms.BooleanField(label="An interpreter is needed", required=False)
    children_in_household = forms.IntegerField(
        label="Children in the household", min_value=0, max_value=30, initial=0
    )
    perpetrators = forms.TypedMultipleChoiceField(
        label="Perpetrator or perpetrators",
        help_text="People recorded as suspects in the victim's incidents.",
        choices=[],
        coerce=int,
        widget=GovukCheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose perpetrators from the list"},
    )
    perpetrator_note = forms.CharField(
        label="A perpetrator not on record (optional)",
        help_text="For example, an unknown male: what is known of him.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    recent_history = forms.CharField(
        label="Recent history",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Enter the recent history"},
    )

    def __init__(self, *args, candidates, repeat_on_record: bool, **kwargs):
        """candidates: the people the referral may name (`perpetrator_candidates`);
        repeat_on_record: whether the records show a repeat MARAC (only then is it offered)."""
        super().__init__(*args, **kwargs)
        choices = [(person.pk, perpetrator_label(person)) for person in candidates]
        if choices:
            self.fields["perpetrators"].choices = choices
        else:
            # No suspect on record: the perpetrator can only be described.
            del self.fields["perpetrators"]
            note = self.fields["perpetrator_note"]
            note.label = "Perpetrator"
            note.help_text = "No suspect is recorded in the victim's incidents: say who it is."
            note.required = True
            note.error_messages["required"] = "Describe the perpetrator"
        if not repeat_on_record:
            self.fields["criteria"].choices = [
                choice
                for choice in self.fields["criteria"].choices
                if choice[0] != ReferralCriterion.REPEAT
            ]


def perpetrator_label(person) -> str:
    born = f", born {person.date_of_birth:%-d %B %Y}" if person.date_of_birth else ""
    where = "" if getattr(person, "in_this_incident", True) else " (an earlier incident)"
    return f"{person.full_name}{born}{where}"


class RejectForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the referral rejected?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Say why the referral is rejected"},
    )


class ListAtMeetingForm(GovukFormMixin, forms.Form):
    meeting = forms.ModelChoiceField(
        label="Meeting",
        queryset=None,
        empty_label=None,
        widget=GovukRadioSelect,
        error_messages={"required": "Choose a meeting", "invalid_choice": "Choose a meeting"},
    )
    twelve_month_review = forms.BooleanField(
        label="This case reaches 12 months since its last MARAC", required=False
    )

    def __init__(self, *args, meetings, is_repeat: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        if not is_repeat:
            # Only a repeat referral can reach 12 months since its last MARAC: not asked.
            del self.fields["twelve_month_review"]
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m} ({m.listed} of {m.max_cases} cases listed)"
        )


class MeetingForm(GovukFormMixin, forms.Form):
    # The version the edit form was opened on (a new meeting has none).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    starts_at = forms.DateTimeField(
        label="Date and time",
        widget=DateTimeLocalInput,
        help_text="Meetings are monthly by default: the next regular date is filled in.",
        error_messages={
            "required": "Enter the date and time",
            "invalid": "Enter a real date and time",
        },
    )
    venue = forms.CharField(label="Venue", required=False, max_length=200)
    is_online = forms.BooleanField(label="Online", required=False)
    chair = forms.CharField(
        label="Chair", max_length=150, error_messages={"required": "Enter who chairs the meeting"}
    )
    max_cases = forms.IntegerField(
        label="Cases (capacity)", min_value=1, max_value=60, help_text="Usually 15 to 20."
    )
    minutes_per_case = forms.IntegerField(
        label="Minutes per case", min_value=1, max_value=60, help_text="Usually 10 to 15."
    )


class AttendanceForm(GovukFormMixin, forms.Form):
    person_name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "Enter the attendee's name"}
    )
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.order_by("name"), required=False
    )
    agency_name = forms.CharField(
        label="Agency (if not in the list)", required=False, max_length=150
    )
    status = forms.ChoiceField(
        label="Attendance",
        choices=AttendanceStatus.choices,
        initial=AttendanceStatus.PRESENT,
        widget=GovukRadioSelect(attrs={"inline": True}),
    )
    confidentiality_acknowledged = forms.BooleanField(
        label="Has acknowledged the confidentiality statement", required=False
    )
