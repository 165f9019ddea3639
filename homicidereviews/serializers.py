"""API shapes for reviews and recommendations. Shape only: the rules are in the services."""

from __future__ import annotations

from rest_framework import serializers

from cases.models import Person
from publicprotection.accounts.models import Borough
from publicprotection.api.fields import MAX_ID

from .models import Decision, HomicideReview, Recommendation, RecommendationStatus

# The longest name a person or an alias has in the register.
NAME_MAX_LENGTH = Person._meta.get_field("search_name").max_length


class OverdueStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    due = serializers.DateField()


class ReviewOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField()
    victim_name = serializers.CharField(source="victim.full_name")
    suspect_name = serializers.CharField(source="suspect.full_name", default=None)
    borough = serializers.CharField(source="borough.code")
    stage = serializers.CharField()

    class Meta:
        model = HomicideReview
        fields = [
            "id",
            "reference",
            "victim",
            "victim_name",
            "suspect",
            "suspect_name",
            "date_of_death",
            "borough",
            "stage",
            "decision",
            "version",
        ]
        read_only_fields = fields


class ReviewDetailOutputSerializer(ReviewOutputSerializer):
    notification_due_on = serializers.DateField()
    decision_due_on = serializers.DateField(allow_null=True)
    chronology_due = serializers.DateField(allow_null=True)
    imr_due = serializers.DateField(allow_null=True)
    completion_due_on = serializers.DateField(allow_null=True)
    has_notification_letter = serializers.SerializerMethodField()
    panel_agency_list = serializers.ListField(child=serializers.CharField())
    overdue_steps = serializers.SerializerMethodField()

    class Meta(ReviewOutputSerializer.Meta):
        fields = [
            *ReviewOutputSerializer.Meta.fields,
            "circumstances",
            "partnership",
            "notified_on",
            "notification_due_on",
            "has_notification_letter",
            "decided_on",
            "decision_due_on",
            "decision_notes",
            "chair",
            "panel_agency_list",
            "terms_of_reference",
            "chronology_due_on",
            "chronology_due",
            "chronology_submitted_on",
            "imr_due_on",
            "imr_due",
            "imr_submitted_on",
            "overview_draft_on",
            "overview_completed_on",
            "completion_due_on",
            "home_office_submitted_on",
            "published_on",
            "overdue_steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_notification_letter(self, review) -> bool:
        return bool(review.notification_letter)

    def get_overdue_steps(self, review) -> list[dict]:
        today = self.context["today"]
        return OverdueStepSerializer(review.overdue_steps(today), many=True).data


class _ReviewFieldsSerializer(serializers.Serializer):
    suspect_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    suspect_name = serializers.CharField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,
        write_only=True,
        help_text="The suspect's full name (or an alias), checked against `suspect_id`. Needed "
        "when the suspect is set or changed; not for the suspect already on the review (when "
        "sent, it is checked all the same), nor to remove them.",
    )
    date_of_death = serializers.DateField()
    circumstances = serializers.CharField()
    borough = serializers.SlugRelatedField(slug_field="code", queryset=Borough.objects.all())
    partnership = serializers.CharField(max_length=150)
    notified_on = serializers.DateField(required=False, allow_null=True)
    decision = serializers.ChoiceField(Decision.choices, required=False)
    decided_on = serializers.DateField(required=False, allow_null=True)
    decision_notes = serializers.CharField(required=False, allow_blank=True)
    chair = serializers.CharField(max_length=150, required=False, allow_blank=True)
    panel_agencies = serializers.CharField(required=False, allow_blank=True)
    terms_of_reference = serializers.CharField(required=False, allow_blank=True)
    chronology_due_on = serializers.DateField(required=False, allow_null=True)
    chronology_submitted_on = serializers.DateField(required=False, allow_null=True)
    imr_due_on = serializers.DateField(required=False, allow_null=True)
    imr_submitted_on = serializers.DateField(required=False, allow_null=True)
    overview_draft_on = serializers.DateField(required=False, allow_null=True)
    overview_completed_on = serializers.DateField(required=False, allow_null=True)
    home_office_submitted_on = serializers.DateField(required=False, allow_null=True)
    published_on = serializers.DateField(required=False, allow_null=True)


class ReviewCreateInputSerializer(_ReviewFieldsSerializer):
    victim_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    victim_name = serializers.CharField(
        max_length=NAME_MAX_LENGTH,
        write_only=True,
        help_text="The victim's full name (or an alias), checked against `victim_id`.",
    )


class ReviewUpdateInputSerializer(_ReviewFieldsSerializer):
    """PATCH: only the fields sent change. `version` (or If-Match) is the version read."""

    version = serializers.IntegerField(min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class RecommendationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = [
            "id",
            "text",
            "owner_agency",
            "due_on",
            "status",
            "evidence",
            "completed_on",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RecommendationInputSerializer(serializers.Serializer):
    text = serializers.CharField()
    owner_agency = serializers.CharField(max_length=150)
    due_on = serializers.DateField()
    status = serializers.ChoiceField(RecommendationStatus.choices, required=False)
    evidence = serializers.CharField(required=False, allow_blank=True)
    completed_on = serializers.DateField(required=False, allow_null=True)
