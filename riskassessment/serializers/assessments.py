"""API shapes for risk assessments. Shape only: the rules are in the services.

Names carry a "RiskAssessment" prefix so their OpenAPI components cannot collide with other
apps' (cases has its own review, status and action serializers)."""

from __future__ import annotations

from rest_framework import serializers

from publicprotection.api.fields import MAX_ID, BlankChoicesAsNullMixin
from publicprotection.api.versions import IF_MATCH_HELP

from ..models import (
    Answer,
    AnswerValue,
    AssessmentStatus,
    GradingReview,
    Level,
    MaracDecision,
    RaraAction,
    RiskAssessment,
)

TEXT_LIMIT = 5000


# --- Output --------------------------------------------------------------------------------------


class RiskAssessmentAnswerOutputSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.code")
    text = serializers.CharField(source="question.text")
    group = serializers.CharField(source="question.group")

    class Meta:
        model = Answer
        fields = ["question", "text", "group", "value", "note"]
        read_only_fields = fields


class RiskAssessmentReviewOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name")

    class Meta:
        model = GradingReview
        fields = ["id", "action", "from_level", "to_level", "rationale", "actor", "created_at"]
        read_only_fields = fields


class RiskAssessmentActionSummarySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="action_type.code")

    class Meta:
        model = RaraAction
        fields = ["id", "category", "type", "status", "due_date"]
        read_only_fields = fields


class RiskAssessmentRecommendationSerializer(serializers.Serializer):
    level = serializers.CharField(source="recommended_level")
    reasons = serializers.ListField(child=serializers.CharField(), source="recommendation_reasons")


class RiskAssessmentEscalationSerializer(serializers.Serializer):
    suggested = serializers.BooleanField(source="escalation_suggested")
    reason = serializers.CharField(source="escalation_reason")
    cleared_note = serializers.CharField(source="escalation_cleared_note")


class RiskAssessmentOutputSerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    incident_reference = serializers.CharField(source="incident.reference")
    person_name = serializers.CharField(source="person.full_name")
    instrument = serializers.CharField(source="instrument.code")
    created_by = serializers.CharField(source="created_by.display_name")
    level_set_by = serializers.CharField(
        source="level_set_by.display_name",
        allow_null=True,
        help_text="Who set the level in force: the submitting officer or a regrading supervisor.",
    )
    is_lowered = serializers.BooleanField(
        help_text="The final level is below the recommendation (a supervisor must confirm it)."
    )

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "incident",
            "incident_reference",
            "victim",
            "person",
            "person_name",
            "instrument",
            "rule_version",
            "status",
            "is_current",
            "supersedes",
            "reassessment_reason",
            "recommended_level",
            "final_level",
            "is_lowered",
            "level_set_by",
            "level_set_at",
            "created_by",
            "created_at",
            "submitted_at",
            "confirmed_at",
            "version",
        ]
        read_only_fields = fields


class RiskAssessmentDetailOutputSerializer(RiskAssessmentOutputSerializer):
    recommendation = RiskAssessmentRecommendationSerializer(source="*")
    information_gaps = serializers.SerializerMethodField(
        help_text="The questions answered 'not known': gaps, never counted as 'no'."
    )
    answers = RiskAssessmentAnswerOutputSerializer(many=True)
    escalation = RiskAssessmentEscalationSerializer(source="*")
    actions = RiskAssessmentActionSummarySerializer(many=True)
    reviews = RiskAssessmentReviewOutputSerializer(many=True)

    class Meta(RiskAssessmentOutputSerializer.Meta):
        fields = [
            *RiskAssessmentOutputSerializer.Meta.fields,
            "recommendation",
            "information_gaps",
            "answers",
            "raise_note",
            "lowering_rationale",
            "escalation",
            "marac_decision",
            "marac_not_referred_reason",
            "marac_decided_at",
            "actions",
            "reviews",
        ]
        read_only_fields = fields

    def get_information_gaps(self, assessment) -> list[str]:
        # From the prefetched answers: no extra query.
        return [
            answer.question.text
            for answer in assessment.answers.all()
            if answer.value == AnswerValue.NOT_KNOWN
        ]


# --- Input ---------------------------------------------------------------------------------------


class RiskAssessmentFilterSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    incident = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Incident id"
    )
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, required=False)
    final_level = serializers.ChoiceField(choices=Level.choices, required=False)


class RiskAssessmentCreateInputSerializer(serializers.Serializer):
    victim = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The victim's party id in the incident."
    )
    instrument = serializers.SlugField(
        required=False,
        allow_blank=True,
        default="",
        max_length=30,
        help_text="Instrument code, e.g. specss_plus or dash; the force's default if omitted.",
    )
    reassessment_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="What has changed; needed when the victim already has a submitted assessment.",
    )


class RiskAssessmentAnswerInputSerializer(serializers.Serializer):
    question = serializers.SlugField(max_length=40, help_text="Question code")
    value = serializers.ChoiceField(choices=AnswerValue.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_LIMIT
    )


class RiskAssessmentUpdateInputSerializer(serializers.Serializer):
    """A partial update of a draft: only the fields sent are changed."""

    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="The version you read; a stale one is a 409." + IF_MATCH_HELP,
    )
    answers = RiskAssessmentAnswerInputSerializer(many=True, required=False)
    final_level = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)
    raise_note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    lowering_rationale = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT
    )
    escalation_cleared_note = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT
    )
    marac_decision = serializers.ChoiceField(
        choices=MaracDecision.choices, required=False, allow_blank=True
    )
    marac_not_referred_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT
    )

    def validate_answers(self, answers: list[dict]) -> list[dict]:
        codes = [a["question"] for a in answers]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError("Answer each question once.")
        return answers


class RiskAssessmentSubmitInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Optional; a stale one is a 409."
    )


class RiskAssessmentReviewInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("confirm", "Confirm"), ("regrade", "Regrade")])
    level = serializers.ChoiceField(
        choices=Level.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The new level; needed to regrade.",
    )
    rationale = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TEXT_LIMIT,
        help_text="Needed to regrade, and to confirm a level below the recommendation.",
    )
    marac_decision = serializers.ChoiceField(
        choices=MaracDecision.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed to regrade to high unless the officer decided to refer.",
    )
    marac_not_referred_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TEXT_LIMIT,
        help_text="Why a high risk case is not referred to MARAC.",
    )
