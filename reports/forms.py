from __future__ import annotations

from datetime import date

from django import forms

from publicprotection.govuk_forms import GovukFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DashboardForm(GovukFormMixin, forms.Form):
    """The area shown and the period of the borough comparison (a GET form)."""

    borough = forms.ChoiceField(label="Area", required=False)
    start = forms.DateField(label="Comparison from", widget=DateInput)
    end = forms.DateField(label="Comparison to", widget=DateInput)

    def __init__(self, *args, boroughs, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["borough"].choices = [("", "London (all boroughs)")] + [
            (b.code, b.name) for b in boroughs
        ]
        self.fields["start"].error_messages["required"] = "Enter the start of the period"
        self.fields["end"].error_messages["required"] = "Enter the end of the period"
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = "Enter a real date"

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end > self.today:
            raise forms.ValidationError("The end of the period must be today or in the past")
        return end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period must be on or after its start")
        return data
