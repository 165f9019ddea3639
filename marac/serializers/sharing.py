"""API shapes for the cases shared with partner agencies. No addresses at all; safe contact
details only for the IDVA (and the coordinator)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import MaracCaseListing
from ..selectors.sharing import age_of, may_see_safe_contact

CONTACT_THROUGH_IDVA = "Contact through the IDVA."


class SharedCaseOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="referral.reference")
    person_name = serializers.CharField(source="referral.person.full_name")
    meeting = serializers.IntegerField(source="meeting_id")
    meeting_starts_at = serializers.DateTimeField(source="meeting.starts_at")

    class Meta:
        model = MaracCaseListing
        fields = ["id", "reference", "person_name", "meeting", "meeting_starts_at"]
        read_only_fields = fields


class SharedCaseDetailOutputSerializer(SharedCaseOutputSerializer):
    age = serializers.SerializerMethodField()
    language = serializers.CharField(source="referral.language")
    interpreter = serializers.BooleanField(source="referral.interpreter")
    children_in_household = serializers.IntegerField(source="referral.children_in_household")
    perpetrators = serializers.SerializerMethodField()
    recent_history = serializers.CharField(source="referral.recent_history")
    risk_level = serializers.SerializerMethodField()
    safe_contact = serializers.SerializerMethodField()
    safe_contact_times = serializers.SerializerMethodField()

    class Meta(SharedCaseOutputSerializer.Meta):
        fields = [
            *SharedCaseOutputSerializer.Meta.fields,
            "age",
            "language",
            "interpreter",
            "children_in_household",
            "perpetrators",
            "recent_history",
            "risk_level",
            "safe_contact",
            "safe_contact_times",
        ]
        read_only_fields = fields

    def get_perpetrators(self, listing) -> str:
        """Names only, as the text was before perpetrators were linked: an agency opens no
        person record."""
        referral = listing.referral
        names = [person.full_name for person in referral.perpetrators.all()]
        return "\n".join(
            [*names, *([referral.perpetrator_note] if referral.perpetrator_note else [])]
        )

    def get_age(self, listing) -> int | None:
        return age_of(listing.referral.person)

    def get_risk_level(self, listing) -> str:
        assessment = listing.referral.assessment
        return assessment.final_level if assessment is not None else ""

    def _may_contact(self) -> bool:
        return may_see_safe_contact(self.context["request"].user)

    def get_safe_contact(self, listing) -> str:
        return listing.referral.safe_contact if self._may_contact() else CONTACT_THROUGH_IDVA

    def get_safe_contact_times(self, listing) -> str:
        return listing.referral.safe_contact_times if self._may_contact() else ""
