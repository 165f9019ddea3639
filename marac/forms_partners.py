"""Forms for partner sharing, research, action plans and minutes. Shape only: the rules are
in the services."""

from __future__ import annotations

from django import forms

from publicprotection.accounts.models import Agency
from publicprotection.govuk_forms import DateInput, GovukFormMixin, GovukRadioSelect

from .models import ActionStatus, ActionSubject


class InvitationForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency to invite",
        queryset=Agency.objects.order_by("name"),
        error_messages={"required": "Choose the agency to invite"},
    )


class ResearchForm(GovukFormMixin, forms.Form):
    # The version of the agency's research the form was opened on (0: none yet).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    facts = forms.CharField(
        label="Facts your agency holds", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    opinion = forms.CharField(
        label="Your agency's professional opinion",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    withheld = forms.CharField(
        label="Information withheld", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    withheld_reason = forms.CharField(
        label="Why it is withheld", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionForm(GovukFormMixin, forms.Form):
    subject = forms.ChoiceField(
        label="For", choices=ActionSubject.choices, widget=GovukRadioSelect(attrs={"inline": True})
    )
    agency = forms.ModelChoiceField(
        label="Owning agency",
        queryset=Agency.objects.order_by("name"),
        error_messages={"required": "Choose the owning agency"},
    )
    owner = forms.CharField(
        label="Owner", max_length=150, error_messages={"required": "Enter who owns the action"}
    )
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the action"},
    )
    due_date = forms.DateField(
        label="Due date", widget=DateInput(), error_messages={"required": "Enter the due date"}
    )


class ActionReassignForm(GovukFormMixin, forms.Form):
    """Give an action to another agency; the choices are the meeting's invited agencies (the
    service checks the invitation again)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    agency = forms.ModelChoiceField(
        label="New owning agency",
        queryset=Agency.objects.none(),
        error_messages={"required": "Choose the agency to give the action to"},
    )
    owner = forms.CharField(
        label="Owner", max_length=150, error_messages={"required": "Enter who owns the action"}
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["agency"].queryset = Agency.objects.filter(
                pk__in=meeting.invitations.values("agency_id")
            ).order_by("name")


class ActionUpdateForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the update"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        initial=ActionStatus.OPEN,
        widget=GovukRadioSelect(),
    )


class DiscussionForm(GovukFormMixin, forms.Form):
    # The version of the case's discussion summary the form was opened on (0: none yet).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    summary = forms.CharField(
        label="Discussion summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the summary of the discussion"},
    )
