"""API shapes for MARAC meetings and their agendas."""

from __future__ import annotations

from rest_framework import serializers

from ..models import MaracMeeting


class MeetingOutputSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.code")
    listed = serializers.IntegerField(default=0)

    class Meta:
        model = MaracMeeting
        fields = [
            "id",
            "team",
            "starts_at",
            "venue",
            "is_online",
            "chair",
            "max_cases",
            "minutes_per_case",
            "listed",
            "status",
        ]
        read_only_fields = fields


class AgendaCaseOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    referral = serializers.IntegerField(source="listing.referral_id")
    reference = serializers.CharField(source="listing.referral.reference")
    person_name = serializers.CharField(source="listing.referral.person.full_name")
    children_in_household = serializers.IntegerField(
        source="listing.referral.children_in_household"
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AgendaEntryOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    cases = AgendaCaseOutputSerializer(many=True)


class MeetingDetailOutputSerializer(MeetingOutputSerializer):
    agenda = AgendaEntryOutputSerializer(many=True)

    class Meta(MeetingOutputSerializer.Meta):
        fields = [*MeetingOutputSerializer.Meta.fields, "agenda"]
        read_only_fields = fields


class MeetingCreateInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    venue = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    is_online = serializers.BooleanField(required=False, default=False)
    chair = serializers.CharField(max_length=150)
    max_cases = serializers.IntegerField(min_value=1, max_value=60, required=False)
    minutes_per_case = serializers.IntegerField(min_value=1, max_value=60, required=False)
