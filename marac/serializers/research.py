"""API shapes for an agency's research on a shared case. Shape only: the rules (a reason for
anything withheld, something recorded) are in marac.services.research."""

from __future__ import annotations

from rest_framework import serializers

from publicprotection.api.versions import IF_MATCH_HELP

from ..models import CaseResearch


class ResearchOutputSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="listing_id")
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    recorded_by_name = serializers.CharField(source="recorded_by.display_name")

    class Meta:
        model = CaseResearch
        fields = [
            "id",
            "case",
            "agency",
            "agency_name",
            "facts",
            "opinion",
            "withheld",
            "withheld_reason",
            "recorded_by_name",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class ResearchInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=(
            "The version of your agency's research you read, 0 when it had none; a stale one is "
            "a 409." + IF_MATCH_HELP
        ),
    )
    facts = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, default="", help_text="Facts held."
    )
    opinion = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        default="",
        help_text="The agency's professional opinion, kept apart from the facts.",
    )
    withheld = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        default="",
        help_text="What the agency holds but does not share.",
    )
    withheld_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        default="",
        help_text="Why it is withheld; required when something is withheld.",
    )
