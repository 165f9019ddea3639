"""API shapes for incidents. Validation of shape only; the services hold the rules."""

from rest_framework import serializers

from publicprotection.accounts.models import Borough
from publicprotection.api.fields import MAX_ID, BlankChoicesAsNullMixin, ChoiceListField
from publicprotection.api.versions import IF_MATCH_HELP

from ..models import (
    AbuseType,
    ArrestDecision,
    ArrestReviewEvent,
    ChildrensServicesReferral,
    EvidenceType,
    HowReported,
    Incident,
    Offence,
    OffenceType,
    Party,
    PartyRole,
    ProtectiveOrder,
    ProtectiveOrderType,
    RelationshipType,
    SeparationAnswer,
)


class IncidentOutputSerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    borough = serializers.SlugRelatedField(slug_field="code", read_only=True)
    officer_in_charge = serializers.CharField(source="officer_in_charge.display_name", default="")
    is_sanction_detection = serializers.BooleanField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "borough",
            "occurred_at",
            "reported_at",
            "how_reported",
            "status",
            "is_crime",
            "abuse_types",
            "cad_reference",
            "crime_reference",
            "outcome",
            "is_sanction_detection",
            "child_safeguarding",
            "officer_in_charge",
            "version",
        ]
        read_only_fields = fields


class PartyOutputSerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name")

    class Meta:
        model = Party
        fields = [
            "id",
            "person",
            "person_name",
            "role",
            "relationship_to_victim",
            "separation",
            "notes",
        ]
        read_only_fields = fields


class OffenceOutputSerializer(serializers.ModelSerializer):
    offence_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    power_of_arrest = serializers.BooleanField(source="offence_type.power_of_arrest")

    class Meta:
        model = Offence
        fields = ["id", "offence_type", "power_of_arrest", "suspect", "notes"]
        read_only_fields = fields


class ProtectiveOrderOutputSerializer(serializers.ModelSerializer):
    protected_person_name = serializers.CharField(source="protected_person.full_name")

    class Meta:
        model = ProtectiveOrder
        fields = [
            "id",
            "order_type",
            "protected_person",
            "protected_person_name",
            "respondent",
            "made_on",
            "expires_on",
            "issued_by",
            "conditions",
        ]
        read_only_fields = fields


class ProtectiveOrderInputSerializer(serializers.Serializer):
    protected = serializers.IntegerField(help_text="Party id of a victim or child in this incident")
    respondent = serializers.IntegerField(
        required=False, allow_null=True, help_text="Suspect party id"
    )
    order_type = serializers.ChoiceField(choices=ProtectiveOrderType.choices)
    made_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True)
    issued_by = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    conditions = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewEventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name")

    class Meta:
        model = ArrestReviewEvent
        fields = ["kind", "actor", "comment", "required_action", "created_at"]
        read_only_fields = fields


class ArrestDecisionSummarySerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    events = ReviewEventOutputSerializer(source="review_events", many=True)

    class Meta:
        model = ArrestDecision
        fields = [
            "id",
            "suspect",
            "outcome",
            "arrested_at",
            "arrested_by",
            "reason",
            "justification",
            "is_outstanding",
            "review_status",
            "review_due_at",
            "decided_at",
            "events",
        ]
        read_only_fields = fields


class ChildrensReferralOutputSerializer(serializers.ModelSerializer):
    is_made = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChildrensServicesReferral
        fields = [
            "reasons",
            "is_made",
            "referred_at",
            "referred_to",
            "referral_reference",
            "notes",
        ]
        read_only_fields = fields


class ChildrensReferralInputSerializer(serializers.Serializer):
    referred_at = serializers.DateTimeField(help_text="When the referral was made.")
    referred_to = serializers.CharField(
        max_length=150, help_text="Who it was made to (for example, Lambeth MASH)."
    )
    referral_reference = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        help_text="The incident's version you read (the referral is part of the incident); a "
        "stale one gets 409." + IF_MATCH_HELP,
    )


class IncidentDetailOutputSerializer(IncidentOutputSerializer):
    location = serializers.CharField(allow_null=True)
    parties = PartyOutputSerializer(many=True)
    offences = OffenceOutputSerializer(many=True)
    arrest_decisions = ArrestDecisionSummarySerializer(many=True)
    protective_orders = ProtectiveOrderOutputSerializer(many=True)
    could_proceed_without_victim = serializers.BooleanField()
    childrens_referral = ChildrensReferralOutputSerializer(
        allow_null=True,
        default=None,
        help_text="The children's services referral the incident needs (null when none).",
    )

    class Meta(IncidentOutputSerializer.Meta):
        fields = IncidentOutputSerializer.Meta.fields + [
            "location",
            "injuries",
            "weapons",
            "alcohol_involved",
            "drugs_involved",
            "victim_account",
            "officer_narrative",
            "evidence_types",
            "evidence_notes",
            "victim_statement_obtained",
            "victim_supports_prosecution",
            "could_proceed_without_victim",
            "no_further_action_reason",
            "submitted_at",
            "parties",
            "offences",
            "arrest_decisions",
            "protective_orders",
            "childrens_referral",
        ]
        read_only_fields = fields


class LocationInputSerializer(serializers.Serializer):
    line_1 = serializers.CharField(max_length=200)
    line_2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10)


class IncidentWritableFields(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    reported_at = serializers.DateTimeField()
    how_reported = serializers.ChoiceField(choices=HowReported.choices)
    location = LocationInputSerializer(required=False, allow_null=True)
    is_crime = serializers.BooleanField(default=True)
    abuse_types = ChoiceListField(choices=AbuseType.choices, required=False, default=list)
    cad_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    crime_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    injuries = serializers.CharField(required=False, allow_blank=True)
    weapons = serializers.CharField(required=False, allow_blank=True)
    alcohol_involved = serializers.BooleanField(required=False)
    drugs_involved = serializers.BooleanField(required=False)
    victim_account = serializers.CharField(required=False, allow_blank=True)
    officer_narrative = serializers.CharField(required=False, allow_blank=True)
    evidence_types = ChoiceListField(choices=EvidenceType.choices, required=False)
    evidence_notes = serializers.CharField(required=False, allow_blank=True)
    victim_statement_obtained = serializers.BooleanField(required=False)
    victim_supports_prosecution = serializers.BooleanField(required=False, allow_null=True)


class IncidentCreateInputSerializer(IncidentWritableFields):
    borough = serializers.SlugRelatedField(slug_field="code", queryset=Borough.objects.all())


class IncidentUpdateInputSerializer(IncidentWritableFields):
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a stale one gets 409." + IF_MATCH_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class PartyInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Person id: a person you can already see (GET /api/v1/persons/), or a match "
        "of the London-wide duplicate check for `name` (and `date_of_birth`), sent with it. "
        "Any other id, or one that names no one, is the same 400 on `person`: search for "
        "the person by name first.",
    )
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The name you searched for, to link someone you cannot see yet: the person "
        "must be one of the people whose name or an alias is similar to it (the London-wide "
        "duplicate check). Not needed for a person you can already see.",
    )
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The date of birth you searched with, if any (YYYY-MM-DD).",
    )
    role = serializers.ChoiceField(choices=PartyRole.choices)
    relationship_to_victim = serializers.ChoiceField(
        choices=RelationshipType.choices, required=False, allow_blank=True, default=""
    )
    separation = serializers.ChoiceField(
        choices=SeparationAnswer.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="A suspect who is or was a partner, or a parent of the same child: have they "
        "separated in the last 12 months, or is a separation planned? Empty: not asked.",
    )
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SuspectRelationshipInputSerializer(serializers.Serializer):
    relationship_to_victim = serializers.ChoiceField(choices=RelationshipType.choices)
    separation = serializers.ChoiceField(
        choices=SeparationAnswer.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=PartyInputSerializer().fields["separation"].help_text,
    )
    version = serializers.IntegerField(
        required=False,
        help_text="The incident's version you read; a stale one gets 409." + IF_MATCH_HELP,
    )


class OffenceInputSerializer(serializers.Serializer):
    suspect = serializers.IntegerField(help_text="Party id of a suspect in this incident")
    offence_type = serializers.SlugRelatedField(
        slug_field="code", queryset=OffenceType.objects.all()
    )
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SubmitInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)
