from django import forms
from django.contrib.contenttypes.models import ContentType

from publicprotection.govuk_forms import GovukFormMixin

from .selectors import AUDITABLE_MODELS


def _record_type_choices():
    choices = [("", "Any")]
    for label in AUDITABLE_MODELS:
        app_label, model = label.split(".")
        choices.append((label, model.replace("_", " ").capitalize()))
    return choices


class AuditSearchForm(GovukFormMixin, forms.Form):
    username = forms.CharField(required=False, label="User name")
    record_type = forms.ChoiceField(required=False, label="Record type", choices=())
    record = forms.CharField(
        required=False, label="Record", help_text="An incident reference or a record number"
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = _record_type_choices()

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def content_type(self) -> ContentType | None:
        label = self.cleaned_data.get("record_type")
        if not label:
            return None
        app_label, model = label.split(".")
        return ContentType.objects.get_by_natural_key(app_label, model)
