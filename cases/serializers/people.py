"""Shapes of the person API: one input and one output serializer per operation.

Validation here is of shape; plausibility (a date of birth in the past, an age of 0 to 120)
is the services' rule, reused so the API gives field errors before anything is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from publicprotection.api.fields import BlankAsNullEmailField, BlankChoicesAsNullMixin
from publicprotection.api.versions import IF_MATCH_HELP

from ..models import Ethnicity, Gender, Person, SafeContactMethod
from ..services.people import MAX_ESTIMATED_AGE, person_age_validate

# --- Input -------------------------------------------------------------------------------------


class PersonSearchInputSerializer(serializers.Serializer):
    """Query parameters of the list: a name searches (fuzzy, with aliases); without it, a list."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=201)
    date_of_birth = serializers.DateField(required=False, allow_null=True)


class _PersonFieldsSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100, required=False)
    family_name = serializers.CharField(max_length=100, required=False)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=201),
        required=False,
        help_text="Other names. On a change, the full list: names left out are removed.",
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_ESTIMATED_AGE,
        help_text="When the date of birth is not known.",
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    interpreter_needed = serializers.BooleanField(required=False)
    disability = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    safe_contact_method = serializers.ChoiceField(
        choices=SafeContactMethod.choices, required=False, allow_blank=True
    )
    safe_contact_times = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs):
        try:
            person_age_validate(
                date_of_birth=attrs.get("date_of_birth"),
                estimated_age=attrs.get("estimated_age"),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs


class PersonCreateInputSerializer(_PersonFieldsSerializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    confirm_new = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=(
            "True once you have checked the London-wide duplicate check "
            "(GET /api/v1/persons/duplicate-check/) for this name and date of birth and none "
            "of its candidates is this person. Without it, a name with candidates is refused "
            "(409 `possible_duplicate`)."
        ),
    )


class PersonUpdateInputSerializer(_PersonFieldsSerializer):
    """Only the fields sent are changed."""

    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=(
            "The version read; refused with 409 if the person has changed since." + IF_MATCH_HELP
        ),
    )


# --- Output ------------------------------------------------------------------------------------


class PersonListOutputSerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(slug_field="full_name", many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "full_name",
            "aliases",
            "date_of_birth",
            "estimated_age",
        ]
        read_only_fields = fields


class PersonCandidateOutputSerializer(PersonListOutputSerializer):
    """A London-wide duplicate-check candidate: only what tells people with similar names
    apart (`person_candidates_describe`), never an address or anything else of the person."""

    reference = serializers.CharField(read_only=True, help_text="The register number.")
    registered_by = serializers.CharField(source="candidate.borough", read_only=True)
    postcode_district = serializers.CharField(
        source="candidate.postcode_district",
        read_only=True,
        help_text="Of the latest address that is not confidential; empty if none.",
    )
    latest_incident_on = serializers.DateField(
        source="candidate.last_incident_on", read_only=True, allow_null=True
    )

    class Meta(PersonListOutputSerializer.Meta):
        fields = [
            *PersonListOutputSerializer.Meta.fields,
            "reference",
            "registered_by",
            "postcode_district",
            "latest_incident_on",
        ]
        read_only_fields = fields


class PersonAddressOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    line_1 = serializers.CharField(source="address.line_1")
    line_2 = serializers.CharField(source="address.line_2")
    town = serializers.CharField(source="address.town")
    postcode = serializers.CharField(source="address.postcode")
    from_date = serializers.DateField(allow_null=True)
    to_date = serializers.DateField(allow_null=True)
    is_confidential = serializers.BooleanField(
        help_text="A refuge or similar: never to be shown to partners or printed."
    )


class PersonDetailOutputSerializer(BlankChoicesAsNullMixin, serializers.ModelSerializer):
    email = BlankAsNullEmailField(read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="full_name", many=True, read_only=True)
    addresses = PersonAddressOutputSerializer(many=True, read_only=True)
    flags = serializers.SerializerMethodField(
        help_text="Repeat victim, Repeat suspect, Serial perpetrator."
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "full_name",
            "aliases",
            "date_of_birth",
            "estimated_age",
            "gender",
            "ethnicity",
            "language",
            "interpreter_needed",
            "disability",
            "phone",
            "email",
            "safe_contact_method",
            "safe_contact_times",
            "addresses",
            "flags",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_flags(self, person) -> list[str]:
        flags = self.context.get("flags")
        return flags.labels if flags is not None else []
