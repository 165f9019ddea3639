"""API shapes for RARA actions. Shape only: the rules are in the services."""

from __future__ import annotations

from rest_framework import serializers

from publicprotection.api.fields import MAX_ID
from publicprotection.api.versions import IF_MATCH_HELP

from ..models import RaraAction, RaraActionType, RaraCategory, RaraStatus

TEXT_LIMIT = 5000


# --- Output --------------------------------------------------------------------------------------


class RaraActionOutputSerializer(serializers.ModelSerializer):
    assessment = serializers.IntegerField(source="assessment_id")
    incident_reference = serializers.CharField(source="assessment.incident.reference")
    borough = serializers.CharField(source="borough.code")
    action_type = serializers.CharField(source="action_type.code")
    action_type_name = serializers.CharField(source="action_type.name")
    owner = serializers.IntegerField(source="owner_id")
    owner_name = serializers.CharField(source="owner.display_name")
    is_overdue = serializers.BooleanField(
        default=False, help_text="Planned or in progress, and due before today (London time)."
    )

    class Meta:
        model = RaraAction
        fields = [
            "id",
            "assessment",
            "incident_reference",
            "borough",
            "category",
            "action_type",
            "action_type_name",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "version",
            "is_overdue",
            "notes",
            "options_offered",
            "declined_reason",
            "monitoring",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields


# --- Input ---------------------------------------------------------------------------------------


class RaraActionFilterSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this assessment's plan."
    )
    status = serializers.ChoiceField(choices=RaraStatus.choices, required=False, allow_blank=True)
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only overdue actions."
    )
    owner = serializers.ChoiceField(
        choices=[("me", "me")], required=False, allow_blank=True, help_text="me: only yours."
    )


class RaraActionCreateInputSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    category = serializers.ChoiceField(choices=RaraCategory.choices)
    action_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RaraActionType.objects.all(),
        help_text="A code from the action catalogue, e.g. idva_referral.",
    )
    owner = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The owner's user id; yourself when left out.",
    )
    due_date = serializers.DateField()
    notes = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, default=""
    )
    options_offered = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        default="",
        help_text="Accept: each option offered to the victim.",
    )
    declined_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        default="",
        help_text="Accept: the victim's reasons for declining.",
    )
    monitoring = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        default="",
        help_text="Accept: how the remaining risk is monitored.",
    )


class RaraActionUpdateInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read; a stale one is a 409." + IF_MATCH_HELP,
    )
    status = serializers.ChoiceField(choices=RaraStatus.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    due_date = serializers.DateField(required=False)
    declined_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        help_text="Needed to mark an action declined by the victim.",
    )
