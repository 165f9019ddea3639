from django import forms

from publicprotection.govuk_forms import GovukFormMixin


class AgendaDecisionForm(GovukFormMixin, forms.Form):
    # The version of the item's decision the form was opened on (0: none yet).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    action = forms.CharField(
        label="Action agreed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the action the meeting agreed"},
    )
    owner = forms.CharField(
        label="Owner",
        max_length=150,
        help_text="Who does it: a name, role or agency",
        error_messages={"required": "Enter who owns the action"},
    )
    done = forms.BooleanField(label="Done: nothing more to carry forward", required=False)
