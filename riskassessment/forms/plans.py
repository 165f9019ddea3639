"""Forms for the RARA plan pages. They check shape; the services enforce the rules."""

from __future__ import annotations

from django import forms

from publicprotection.govuk_forms import DateInput, GovukFormMixin, GovukRadioSelect

from ..models import RaraActionType, RaraCategory, RaraStatus

TEXT_LIMIT = 5000


class ActionTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RaraActionType) -> str:
        return f"{obj.name} (usually {obj.get_default_category_display()})"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.team.name})" if obj.team_id else obj.display_name


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _due_date() -> forms.DateField:
    return forms.DateField(
        label="Due date",
        widget=DateInput(),
        error_messages={"required": "Enter the due date", "invalid": "Enter a real date"},
    )


class RaraActionAddForm(GovukFormMixin, forms.Form):
    legend_classes = {"category": "govuk-fieldset__legend--m"}

    category = forms.ChoiceField(
        label="RARA category",
        help_text=(
            "Remove the risk, Avoid it, Reduce it, or Accept it when the victim has declined "
            "every option offered."
        ),
        choices=RaraCategory.choices,
        widget=GovukRadioSelect,
        error_messages={
            "required": "Select the RARA category",
            "invalid_choice": "Select the RARA category",
        },
    )
    action_type = ActionTypeChoiceField(
        label="Action",
        queryset=RaraActionType.objects.all(),
        empty_label="Choose an action",
        error_messages={"required": "Choose the action", "invalid_choice": "Choose the action"},
    )
    owner = OwnerChoiceField(
        label="Owner",
        help_text="Who is responsible for making it happen.",
        queryset=None,
        empty_label="Choose the owner",
        error_messages={"required": "Choose the owner", "invalid_choice": "Choose the owner"},
    )
    due_date = _due_date()
    notes = _text("Notes (optional)")
    options_offered = _text(
        "Options offered to the victim", "List each option you offered, one a line.", rows=4
    )
    declined_reason = _text("The victim's reasons for declining", rows=4)
    monitoring = _text("How the remaining risk is monitored", rows=4)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class RaraActionEditForm(GovukFormMixin, forms.Form):
    legend_classes = {"status": "govuk-fieldset__legend--m"}

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Status",
        choices=RaraStatus.choices,
        widget=GovukRadioSelect,
        error_messages={"required": "Select the status", "invalid_choice": "Select the status"},
    )
    due_date = _due_date()
    notes = _text("Notes (optional)", rows=4)
    declined_reason = _text(
        "Why the victim declined",
        "Needed when the victim declined the action, and for an Accept action.",
        rows=4,
    )

    def __init__(self, *args, statuses: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, RaraStatus(value).label) for value in statuses]
