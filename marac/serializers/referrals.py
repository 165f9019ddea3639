"""API shapes for MARAC referrals. Shape only: the rules are in the services."""

from __future__ import annotations

from rest_framework import serializers

from publicprotection.api.fields import MAX_ID, ChoiceListField

from ..models import MaracReferral, ReferralCriterion, ReferralHistoryEntry, ReferralStatus


class ReferralHistoryOutputSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name")

    class Meta:
        model = ReferralHistoryEntry
        fields = ["kind", "actor_name", "comment", "created_at"]
        read_only_fields = fields


class ReferralPerpetratorOutputSerializer(serializers.Serializer):
    """A person on record named as a perpetrator."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class ReferralOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField()
    borough = serializers.CharField(source="borough.code")
    incident_reference = serializers.CharField(source="incident.reference")
    person_name = serializers.CharField(source="person.full_name")
    referred_by_name = serializers.CharField(source="referred_by.display_name")
    criteria = serializers.ListField(child=serializers.ChoiceField(ReferralCriterion.choices))
    perpetrators = ReferralPerpetratorOutputSerializer(many=True)

    class Meta:
        model = MaracReferral
        fields = [
            "id",
            "reference",
            "borough",
            "person",
            "person_name",
            "incident",
            "incident_reference",
            "assessment",
            "referring_agency",
            "referred_by_name",
            "criteria",
            "victim_aware",
            "victim_consents",
            "no_consent_reason",
            "safe_contact",
            "safe_contact_times",
            "language",
            "interpreter",
            "children_in_household",
            "perpetrators",
            "perpetrator_note",
            "recent_history",
            "status",
            "rejection_reason",
            "is_repeat",
            "created_at",
        ]
        read_only_fields = fields


class ReferralDetailOutputSerializer(ReferralOutputSerializer):
    history = ReferralHistoryOutputSerializer(many=True)

    class Meta(ReferralOutputSerializer.Meta):
        fields = [*ReferralOutputSerializer.Meta.fields, "history"]
        read_only_fields = fields


class ReferralFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ReferralStatus.choices, required=False, allow_blank=True
    )


class ReferralCreateInputSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    referring_agency = serializers.CharField(max_length=150)
    criteria = ChoiceListField(
        choices=ReferralCriterion.choices,
        required=False,
        default=list,
    )
    victim_aware = serializers.BooleanField()
    victim_consents = serializers.BooleanField(allow_null=True, required=False, default=None)
    no_consent_reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    safe_contact = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    safe_contact_times = serializers.CharField(required=False, allow_blank=True, max_length=200)
    language = serializers.CharField(required=False, allow_blank=True, max_length=60)
    interpreter = serializers.BooleanField(required=False, default=False)
    children_in_household = serializers.IntegerField(min_value=0, max_value=30, default=0)
    perpetrators = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=20,
        help_text="Ids of people recorded as suspects in the victim's incidents.",
    )
    perpetrator_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="A perpetrator not on record. Required when no perpetrators are given.",
    )
    recent_history = serializers.CharField(max_length=10000)


class ReferralRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ReferralListAtInputSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    twelve_month_review = serializers.BooleanField(required=False, default=False)
