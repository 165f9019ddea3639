"""Forms for recording an incident. They check shape; the services enforce the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from publicprotection.accounts.models import Borough
from publicprotection.govuk_forms import (
    DateTimeLocalInput,
    GovukCheckboxSelectMultiple,
    GovukFormMixin,
    GovukRadioSelect,
)

from ..models import (
    NOT_ARRESTED_REASONS_OFFERED,
    AbuseType,
    ArrestOutcome,
    EvidenceType,
    HowReported,
    NecessityCriterion,
    OffenceType,
    Outcome,
    PartyRole,
    ProtectiveOrderType,
    RelationshipType,
    SeparationAnswer,
)
from ..selectors.incidents import IncidentFilters
from ..services.incidents import incident_times_validate
from ..services.positive_action import POSITIVE_ACTION_POLICY

CRIME_CHOICES = [("true", "Crime"), ("false", "Non-crime")]


def _to_bool(value) -> bool | None:
    return {"true": True, "false": False, True: True, False: False}.get(value)


class VersionedForm(GovukFormMixin, forms.Form):
    """Carries the version the user started from, for the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class IncidentDetailsForm(GovukFormMixin, forms.Form):
    occurred_at = forms.DateTimeField(
        label="When did it happen?",
        widget=DateTimeLocalInput(),
        error_messages={
            "required": "Enter when it happened",
            "invalid": "Enter a real date and time",
        },
    )
    reported_at = forms.DateTimeField(
        label="When was it reported?",
        widget=DateTimeLocalInput(),
        error_messages={
            "required": "Enter when it was reported",
            "invalid": "Enter a real date and time",
        },
    )
    how_reported = forms.ChoiceField(
        label="How was it reported?",
        choices=HowReported.choices,
        widget=GovukRadioSelect,
        error_messages={"required": "Select how it was reported"},
    )
    borough = forms.ModelChoiceField(
        queryset=Borough.objects.all(),
        to_field_name="code",
        empty_label="Select a borough",
        error_messages={"required": "Select the borough"},
    )
    location_line_1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    location_line_2 = forms.CharField(
        label="Address line 2 (optional)", required=False, max_length=200
    )
    location_postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    is_crime = forms.TypedChoiceField(
        label="Is it a crime?",
        choices=CRIME_CHOICES,
        coerce=_to_bool,
        widget=GovukRadioSelect(attrs={"inline": True}),
        error_messages={"required": "Select whether it is a crime or a non-crime"},
    )
    abuse_types = forms.MultipleChoiceField(
        label="Types of abuse",
        choices=AbuseType.choices,
        widget=GovukCheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )
    cad_reference = forms.CharField(label="CAD reference (optional)", required=False, max_length=40)
    crime_reference = forms.CharField(
        label="Crime report number (optional)", required=False, max_length=40
    )

    def __init__(self, *args, boroughs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if boroughs is not None:
            self.fields["borough"].queryset = boroughs

    def clean(self):
        cleaned = super().clean()
        occurred, reported = cleaned.get("occurred_at"), cleaned.get("reported_at")
        if occurred and reported:
            # The service's rule, shown with the form's other errors; the service applies it
            # again for every caller.
            try:
                incident_times_validate(occurred_at=occurred, reported_at=reported)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        line_1 = cleaned.get("location_line_1", "").strip()
        postcode = cleaned.get("location_postcode", "").strip()
        if line_1 and not postcode:
            self.add_error("location_postcode", "Enter the postcode of the address")
        if postcode and not line_1:
            self.add_error("location_line_1", "Enter the first line of the address")
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "occurred_at": data["occurred_at"],
            "reported_at": data["reported_at"],
            "how_reported": data["how_reported"],
            "is_crime": data["is_crime"],
            "abuse_types": data["abuse_types"],
            "cad_reference": data["cad_reference"].strip(),
            "crime_reference": data["crime_reference"].strip(),
        }

    def location(self) -> dict:
        data = self.cleaned_data
        return {
            "line_1": data["location_line_1"],
            "line_2": data["location_line_2"],
            "postcode": data["location_postcode"],
        }


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.team.name})" if obj.team_id else obj.display_name


class IncidentDetailsEditForm(IncidentDetailsForm, VersionedForm):
    officer_in_charge = OfficerChoiceField(
        label="Officer in charge",
        queryset=None,
        empty_label="Choose the officer in charge",
        error_messages={"required": "Choose the officer in charge"},
    )

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer_in_charge"].queryset = officers

    def service_fields(self) -> dict:
        return {
            **super().service_fields(),
            "officer_in_charge": self.cleaned_data["officer_in_charge"],
        }


class EvidenceForm(VersionedForm):
    injuries = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    weapons = forms.CharField(
        label="Weapons used", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    alcohol_involved = forms.BooleanField(label="Alcohol involved", required=False)
    drugs_involved = forms.BooleanField(label="Drugs involved", required=False)
    victim_account = forms.CharField(
        label="The victim's account", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    officer_narrative = forms.CharField(
        label="Your narrative",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="What you saw, heard and did. Needed before the incident can be submitted.",
    )
    evidence_types = forms.MultipleChoiceField(
        label="Evidence that does not depend on the victim's statement",
        choices=EvidenceType.choices,
        widget=GovukCheckboxSelectMultiple,
        required=False,
        help_text="Evidence-led prosecution: select everything that has been secured.",
    )
    evidence_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    victim_statement_obtained = forms.BooleanField(
        label="A victim statement was taken", required=False
    )
    victim_supports_prosecution = forms.TypedChoiceField(
        label="Does the victim support a prosecution?",
        choices=[("true", "Yes"), ("false", "No"), ("", "Not known")],
        coerce=_to_bool,
        empty_value=None,
        required=False,
        widget=GovukRadioSelect(attrs={"inline": True}),
        help_text="This never decides whether to arrest.",
    )

    FIELDS = (
        "injuries",
        "weapons",
        "alcohol_involved",
        "drugs_involved",
        "victim_account",
        "officer_narrative",
        "evidence_types",
        "evidence_notes",
        "victim_statement_obtained",
        "victim_supports_prosecution",
    )

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class PartySearchForm(GovukFormMixin, forms.Form):
    role = forms.ChoiceField(
        label="Their part in the incident",
        choices=PartyRole.choices,
        widget=GovukRadioSelect,
        error_messages={"required": "Select their part in the incident"},
    )
    relationship_to_victim = forms.ChoiceField(
        label="Relationship to the victim (suspects only)",
        choices=[("", "Select the relationship")] + RelationshipType.choices,
        required=False,
    )
    separation = forms.ChoiceField(
        label="Have they separated in the last 12 months, or is a separation planned? "
        "(a partner, former partner or parent of the same child)",
        help_text="Include a separation the victim is trying to make, and conflict over child "
        "contact. The risk assessment's separation factor is filled in from this answer.",
        choices=SeparationAnswer.choices,
        widget=GovukRadioSelect(attrs={"inline": True}),
        required=False,
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the person's name"}
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date of birth"},
    )
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=500)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == PartyRole.SUSPECT and not cleaned.get("relationship_to_victim"):
            self.add_error(
                "relationship_to_victim", "Select how the suspect is related to the victim"
            )
        if cleaned.get("role") != PartyRole.SUSPECT:
            cleaned["separation"] = ""  # asked of suspects only, like the relationship
        return cleaned


class SuspectRelationshipForm(VersionedForm):
    """A suspect's relationship to the victim and separation, corrected after they were added."""

    relationship_to_victim = forms.ChoiceField(
        label="Relationship to the victim",
        choices=[("", "Select the relationship")] + RelationshipType.choices,
        error_messages={"required": "Select how the suspect is related to the victim"},
    )
    separation = forms.ChoiceField(
        label=PartySearchForm.base_fields["separation"].label,
        help_text=PartySearchForm.base_fields["separation"].help_text,
        # A radio once chosen cannot be unticked: changing a partner to a sibling needs a way
        # to leave the question unanswered.
        choices=[*SeparationAnswer.choices, ("", "Not asked: not a partner or parent")],
        widget=GovukRadioSelect,
        required=False,
    )


class OffenceForm(GovukFormMixin, forms.Form):
    suspect = forms.ChoiceField(label="Suspect", error_messages={"required": "Select the suspect"})
    offence_type = forms.ModelChoiceField(
        label="Offence",
        queryset=OffenceType.objects.all(),
        empty_label="Select an offence",
        error_messages={"required": "Select the offence"},
    )
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=500)

    def __init__(self, *args, suspects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.suspects = {str(p.pk): p for p in suspects}
        self.fields["suspect"].choices = [("", "Select the suspect")] + [
            (str(p.pk), str(p.person)) for p in suspects
        ]
        self.fields["offence_type"].label_from_instance = lambda o: (
            f"{o.name}" + ("" if o.power_of_arrest else " (no power of arrest)")
        )

    def clean_suspect(self):
        return self.suspects[self.cleaned_data["suspect"]]


class ArrestDecisionForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Was the suspect arrested?",
        choices=ArrestOutcome.choices,
        widget=GovukRadioSelect,
        error_messages={"required": "Select whether the suspect was arrested"},
    )
    arrested_at = forms.DateTimeField(
        label="When were they arrested?",
        required=False,
        widget=DateTimeLocalInput(),
        error_messages={"invalid": "Enter a real date and time"},
    )
    arrested_by = forms.CharField(
        label="Arrested by (name or number)", required=False, max_length=120
    )
    reason = forms.ChoiceField(
        label="Why was the suspect not arrested?",
        # "Victim does not support a prosecution" is offered so that choosing it is answered
        # with the policy (by the service), not hidden.
        choices=NOT_ARRESTED_REASONS_OFFERED,
        widget=GovukRadioSelect,
        required=False,
    )
    justification = forms.CharField(
        label="Your justification",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=POSITIVE_ACTION_POLICY,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in NecessityCriterion:
            self.fields[f"necessity_{criterion.value}"] = forms.CharField(
                label=criterion.label,
                help_text="Why this does not make the arrest necessary.",
                required=False,
                max_length=1000,
                # Added after GovukFormMixin styled the declared fields: styled here (without
                # the class a textarea keeps its 40 columns and widens a 320px screen).
                widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
            )

    @property
    def necessity_fields(self):
        return [self[f"necessity_{criterion.value}"] for criterion in NecessityCriterion]

    def necessity_grounds(self) -> dict[str, str]:
        return {
            criterion.value: self.cleaned_data.get(f"necessity_{criterion.value}", "")
            for criterion in NecessityCriterion
        }

    def clean(self):
        cleaned = super().clean()
        arrested = cleaned.get("outcome") == ArrestOutcome.ARRESTED
        if arrested and not cleaned.get("arrested_at") and "arrested_at" not in self.errors:
            self.add_error("arrested_at", "Enter when the suspect was arrested")
        if cleaned.get("outcome") == ArrestOutcome.NOT_ARRESTED and not cleaned.get("reason"):
            self.add_error("reason", "Select the reason the suspect was not arrested")
        return cleaned


class ChildrensReferralForm(VersionedForm):
    referred_at = forms.DateTimeField(
        label="When was the referral made?",
        widget=DateTimeLocalInput(),
        error_messages={
            "required": "Enter when the referral was made",
            "invalid": "Enter a real date and time",
        },
    )
    referred_to = forms.CharField(
        label="Referred to",
        max_length=150,
        help_text="For example, Lambeth Children's Services MASH.",
        error_messages={"required": "Enter who the referral was made to"},
    )
    referral_reference = forms.CharField(
        label="Their reference (optional)", required=False, max_length=60
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=GovukRadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    no_further_action_reason = forms.CharField(
        label="Reason for no further action", required=False, max_length=300
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") == Outcome.NO_FURTHER_ACTION
            and not cleaned.get("no_further_action_reason", "").strip()
        ):
            self.add_error("no_further_action_reason", "Give the reason for no further action")
        return cleaned


class CloseIncidentForm(GovukFormMixin, forms.Form):
    comment = forms.CharField(
        label="Why can the incident be closed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the incident can be closed"},
    )


class IncidentFilterForm(GovukFormMixin, forms.Form):
    """The incident list filters. Invalid values are ignored with a message, never a 500."""

    q = forms.CharField(label="Reference or name", required=False, max_length=100)
    borough = forms.ModelChoiceField(
        queryset=Borough.objects.all(), to_field_name="code", required=False, empty_label="Any"
    )
    status = forms.ChoiceField(required=False, choices=())
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    crime = forms.ChoiceField(
        label="Crime or non-crime",
        required=False,
        choices=[("", "Any"), ("crime", "Crime"), ("non_crime", "Non-crime")],
    )
    review_status = forms.ChoiceField(label="Arrest review", required=False, choices=())
    flag = forms.ChoiceField(
        label="Flag",
        required=False,
        choices=[
            ("", "Any"),
            ("repeat_victim", "Repeat victim"),
            ("repeat_location", "Repeat location"),
        ],
    )
    outstanding_suspect = forms.BooleanField(label="Outstanding suspect", required=False)
    recorded_by_me = forms.BooleanField(label="Recorded by me", required=False)

    def __init__(self, *args, **kwargs):
        from ..models import IncidentStatus, ReviewStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any")] + IncidentStatus.choices
        self.fields["review_status"].choices = [("", "Any")] + [
            c for c in ReviewStatus.choices if c[0] != ReviewStatus.NOT_REQUIRED
        ]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def filters(self):
        """The validated filters for the incident list selector (pages and API alike)."""
        data = self.cleaned_data
        return IncidentFilters(
            q=data["q"],
            borough=data["borough"].code if data["borough"] else "",
            status=data["status"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            crime=data["crime"],
            outstanding_suspect=data["outstanding_suspect"],
            review_status=data["review_status"],
            flag=data["flag"],
            recorded_by_me=data["recorded_by_me"],
        )


class ProtectiveOrderForm(GovukFormMixin, forms.Form):
    protected = forms.ChoiceField(
        label="Who does it protect?", error_messages={"required": "Choose who the order protects"}
    )
    respondent = forms.ChoiceField(label="Against (optional)", required=False)
    order_type = forms.ChoiceField(
        label="Type of order",
        choices=[("", "Choose the type of order")] + ProtectiveOrderType.choices,
        error_messages={"required": "Choose the type of order"},
    )
    made_on = forms.DateField(
        label="Made on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date the order was made",
            "invalid": "Enter a real date",
        },
    )
    expires_on = forms.DateField(
        label="Expires on (optional)",
        required=False,
        help_text="Leave empty if it has no end date.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date"},
    )
    issued_by = forms.CharField(
        label="Court or authority (optional)", required=False, max_length=150
    )
    conditions = forms.CharField(
        label="Conditions (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, protected=(), respondents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = {str(p.pk): p for p in [*protected, *respondents]}
        self.fields["protected"].choices = [("", "Choose a person")] + [
            (str(p.pk), f"{p.person} ({p.get_role_display().lower()})") for p in protected
        ]
        self.fields["respondent"].choices = [("", "Nobody in this incident")] + [
            (str(p.pk), str(p.person)) for p in respondents
        ]

    def clean_protected(self):
        return self.parties[self.cleaned_data["protected"]]

    def clean_respondent(self):
        value = self.cleaned_data["respondent"]
        return self.parties[value] if value else None
