"""API shapes for MARAC actions and their updates. Shape only: the rules are in the services."""

from __future__ import annotations

from rest_framework import serializers

from publicprotection.accounts.models import Agency
from publicprotection.api.fields import MAX_ID, BlankChoicesAsNullMixin
from publicprotection.api.versions import IF_MATCH_HELP
from publicprotection.london_time import london_today

from ..models import ActionStatus, ActionSubject, MaracAction, MaracActionUpdate


class ActionUpdateOutputSerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name")

    class Meta:
        model = MaracActionUpdate
        fields = ["id", "text", "status", "actor_name", "created_at"]
        read_only_fields = fields


class ActionUpdateCreatedOutputSerializer(ActionUpdateOutputSerializer):
    """The recorded update, and the action's status after it."""

    action = serializers.IntegerField(source="action_id")
    action_status = serializers.ChoiceField(source="action.status", choices=ActionStatus.choices)

    class Meta(ActionUpdateOutputSerializer.Meta):
        fields = ["id", "action", "text", "status", "action_status", "actor_name", "created_at"]
        read_only_fields = fields


class ActionOutputSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="listing_id")
    reference = serializers.CharField(source="listing.referral.reference")
    person_name = serializers.CharField(source="listing.referral.person.full_name")
    meeting = serializers.IntegerField(source="listing.meeting_id")
    meeting_starts_at = serializers.DateTimeField(source="listing.meeting.starts_at")
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    is_overdue = serializers.SerializerMethodField()
    agency_has_access = serializers.BooleanField(
        read_only=True,
        help_text="False when the owning agency no longer sees the case (its invitation was "
        "withdrawn, or the meeting cancelled): reassign or close the action.",
    )
    updates = ActionUpdateOutputSerializer(many=True)

    class Meta:
        model = MaracAction
        fields = [
            "id",
            "case",
            "reference",
            "person_name",
            "meeting",
            "meeting_starts_at",
            "subject",
            "agency",
            "agency_name",
            "owner",
            "description",
            "due_date",
            "status",
            "is_overdue",
            "agency_has_access",
            "created_at",
            "updated_at",
            "version",
            "updates",
        ]
        read_only_fields = fields

    def get_is_overdue(self, action) -> bool:
        return action.is_open and action.due_date < london_today()


class ActionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False, allow_blank=True)
    meeting = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: open actions past their due date; false: every other action.",
    )
    agency_has_access = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="false: actions whose agency no longer sees the case (to reassign or close).",
    )


class ActionReassignInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read; a stale one is a 409." + IF_MATCH_HELP,
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), help_text="An agency invited to the action's meeting."
    )
    owner = serializers.CharField(max_length=150)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ActionCreateInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The listed case (see /marac/cases/)."
    )
    subject = serializers.ChoiceField(choices=ActionSubject.choices)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    owner = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=5000)
    due_date = serializers.DateField()


class ActionUpdateInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    status = serializers.ChoiceField(
        choices=ActionStatus.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Leave out to keep the action open; done, not_possible or not_done finish it.",
    )
