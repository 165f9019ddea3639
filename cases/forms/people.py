"""Forms for the person register: shape only; the services hold the rules."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from publicprotection.govuk_forms import DateInput, GovukFormMixin, GovukRadioSelect

from ..models import Ethnicity, Gender, SafeContactMethod
from ..services.people import MAX_ESTIMATED_AGE, person_age_validate

# Loose: the outward code, then the inward code (digit and two letters); the space is optional.
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
POSTCODE_MESSAGE = "Enter a real postcode, like SW1A 1AA"

_DATE_INVALID = "{} must be a real date"


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _DATE_INVALID.format(label)},
        **kwargs,
    )


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class PersonSearchForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        min_length=2,
        max_length=201,
        help_text="A name or alias. Close spellings are found too.",
        error_messages={
            "required": "Enter a name to search for",
            "min_length": "Enter at least 2 letters of the name",
        },
    )
    date_of_birth = _date_field("Date of birth", help_text="Optional. People born then come first.")


class PersonForm(GovukFormMixin, forms.Form):
    given_name = forms.CharField(
        label="Given name",
        max_length=100,
        error_messages={"required": "Enter the given name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=100,
        error_messages={"required": "Enter the family name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    aliases = forms.CharField(
        label="Other names (aliases)",
        required=False,
        help_text="One name on each line, for example a previous family name or a nickname.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    date_of_birth = _date_field("Date of birth")
    estimated_age = forms.IntegerField(
        label="Estimated age",
        required=False,
        min_value=0,
        max_value=MAX_ESTIMATED_AGE,
        help_text="If the date of birth is not known.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": "Estimated age must be a whole number, like 35",
            "min_value": f"Estimated age must be between 0 and {MAX_ESTIMATED_AGE}",
            "max_value": f"Estimated age must be between 0 and {MAX_ESTIMATED_AGE}",
        },
    )
    gender = forms.ChoiceField(
        label="Gender",
        required=False,
        choices=Gender.choices,
        initial=Gender.NOT_KNOWN,
        widget=GovukRadioSelect,
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        required=False,
        choices=Ethnicity.choices,
        initial=Ethnicity.NOT_STATED,
        widget=GovukRadioSelect,
    )
    language = forms.CharField(
        label="Main language", required=False, max_length=60, initial="English"
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    disability = forms.CharField(
        label="Disability or access needs",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    safe_contact_method = forms.ChoiceField(
        label="Safe way to make contact",
        required=False,
        choices=[("", "Not recorded"), *SafeContactMethod.choices],
        widget=GovukRadioSelect,
    )
    safe_contact_times = forms.CharField(
        label="Safe times to make contact",
        required=False,
        max_length=200,
        help_text="For example, weekdays 10am to 2pm while the suspect is at work.",
    )

    def clean_aliases(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["aliases"].splitlines()]
        names = list(dict.fromkeys(name for name in names if name))
        if any(len(name) > 201 for name in names):
            raise ValidationError("Each alias must be 201 characters or fewer")
        return names

    def clean(self):
        cleaned = super().clean()
        cleaned["gender"] = cleaned.get("gender") or Gender.NOT_KNOWN
        cleaned["ethnicity"] = cleaned.get("ethnicity") or Ethnicity.NOT_STATED
        try:
            person_age_validate(
                date_of_birth=cleaned.get("date_of_birth"),
                estimated_age=cleaned.get("estimated_age"),
            )
        except ValidationError as error:
            _add_service_errors(self, error)
        return cleaned

    def person_fields(self) -> dict:
        """The cleaned values as keyword arguments for the person services."""
        data = dict(self.cleaned_data)
        for name in ("confirm_new", "version"):
            data.pop(name, None)
        return data


class PersonCreateForm(PersonForm):
    confirm_new = forms.BooleanField(
        label="None of these is the person: create a new record", required=False
    )


class PersonEditForm(PersonForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is out of date. Open the person again and make your changes.",
            "invalid": "This form is out of date. Open the person again and make your changes.",
        },
    )


class PersonAddressForm(GovukFormMixin, forms.Form):
    line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter address line 1, typically the building and street"},
    )
    line_2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=200)
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        initial="London",
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
        error_messages={"required": "Enter the town or city"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
        error_messages={"required": "Enter a postcode", "max_length": POSTCODE_MESSAGE},
    )
    from_date = _date_field("Lived here from")
    to_date = _date_field("Lived here until", help_text="Leave blank if they still live here.")
    is_confidential = forms.BooleanField(
        label="Confidential address",
        required=False,
        help_text="A refuge or other address that must never be shown to partners or printed",
    )

    def clean_postcode(self) -> str:
        postcode = re.sub(r"\s+", " ", self.cleaned_data["postcode"]).strip().upper()
        if not UK_POSTCODE.match(postcode):
            raise ValidationError(POSTCODE_MESSAGE)
        return postcode

    def clean(self):
        cleaned = super().clean()
        from_date, to_date = cleaned.get("from_date"), cleaned.get("to_date")
        if from_date and to_date and to_date < from_date:
            self.add_error(
                "to_date", "The date they left must be the same as or after the date they moved in"
            )
        return cleaned
