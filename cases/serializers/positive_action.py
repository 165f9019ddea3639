"""API shapes for arrest decisions and their reviews. Shape only: the rules are in the services."""

from __future__ import annotations

from rest_framework import serializers

from publicprotection.api.fields import MAX_ID, BlankChoicesAsNullMixin

from ..models import (
    NOT_ARRESTED_REASONS_OFFERED,
    VICTIM_NOT_SUPPORTING,
    ArrestDecision,
    ArrestOutcome,
    ArrestReviewEvent,
    NecessityCriterion,
    ReviewStatus,
)

TEXT_LIMIT = 5000


# --- Output --------------------------------------------------------------------------------------


class ArrestReviewEventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name")

    class Meta:
        model = ArrestReviewEvent
        fields = ["id", "kind", "actor", "comment", "required_action", "created_at"]
        read_only_fields = fields


class ArrestDecisionOutputSerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id")
    incident_reference = serializers.CharField(source="incident.reference")
    borough = serializers.CharField(source="incident.borough.code")
    suspect = serializers.IntegerField(source="suspect_id")
    suspect_name = serializers.CharField(source="suspect.person.full_name")
    decided_by = serializers.CharField(source="decided_by.display_name")
    is_overdue = serializers.BooleanField(
        default=False, help_text="Awaiting review and past the review deadline."
    )

    class Meta:
        model = ArrestDecision
        fields = [
            "id",
            "incident",
            "incident_reference",
            "borough",
            "suspect",
            "suspect_name",
            "outcome",
            "arrested_at",
            "arrested_by",
            "reason",
            "justification",
            "necessity_grounds",
            "is_outstanding",
            "outstanding_closed_at",
            "review_status",
            "review_due_at",
            "is_overdue",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class ArrestDecisionDetailOutputSerializer(ArrestDecisionOutputSerializer):
    review_events = ArrestReviewEventOutputSerializer(many=True, read_only=True)

    class Meta(ArrestDecisionOutputSerializer.Meta):
        fields = [*ArrestDecisionOutputSerializer.Meta.fields, "review_events"]
        read_only_fields = fields


# --- Input ---------------------------------------------------------------------------------------


class ArrestDecisionFilterSerializer(serializers.Serializer):
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices, required=False, allow_blank=True
    )
    outstanding = serializers.BooleanField(required=False, allow_null=True)
    overdue = serializers.BooleanField(required=False, allow_null=True)
    incident = serializers.CharField(
        required=False, allow_blank=True, max_length=24, help_text="Exact incident reference"
    )


class ArrestDecisionCreateInputSerializer(serializers.Serializer):
    suspect = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The suspect's party id in the incident."
    )
    outcome = serializers.ChoiceField(choices=ArrestOutcome.choices)
    arrested_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    arrested_by = serializers.CharField(
        required=False, allow_blank=True, max_length=120, default=""
    )
    reason = serializers.ChoiceField(
        choices=NOT_ARRESTED_REASONS_OFFERED,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            f"'{VICTIM_NOT_SUPPORTING}' is offered and always refused: the victim's willingness "
            "to support a prosecution is never on its own a reason not to arrest."
        ),
    )
    justification = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, default=""
    )
    necessity_grounds = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        default=dict,
        help_text=(
            "The PACE Code G necessity assessment: for each criterion ("
            + ", ".join(NecessityCriterion.values)
            + "), why it does not make the arrest necessary. Needed, for every criterion, when "
            "the reason is not_necessary or other; errors name the field necessity_<criterion>."
        ),
    )


class ArrestDecisionReviewInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("endorse", "Endorse"), ("return", "Return")])
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, default=""
    )
    required_action = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        default="",
        help_text="What the officer must do; needed to return a decision.",
    )


class ArrestDecisionRespondInputSerializer(serializers.Serializer):
    response = serializers.CharField(
        max_length=TEXT_LIMIT,
        error_messages={
            "required": "Say what you have done about the required action",
            "blank": "Say what you have done about the required action",
        },
    )


class OutstandingSuspectArrestInputSerializer(serializers.Serializer):
    arrested_at = serializers.DateTimeField()
    arrested_by = serializers.CharField(max_length=120)


class OutstandingSuspectCloseInputSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=TEXT_LIMIT,
        error_messages={
            "required": "Say why the suspect no longer needs to be traced",
            "blank": "Say why the suspect no longer needs to be traced",
        },
    )
