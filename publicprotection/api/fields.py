"""Serializer fields the API shares."""

from __future__ import annotations

from rest_framework import serializers

# The largest id a record can have (PostgreSQL's bigint): a larger one sent to the API is a 400
# saying so, not a query PostgreSQL cannot run.
MAX_ID = 2**63 - 1


class ChoiceListField(serializers.ListField):
    """A list of distinct choices: at most one of each, so at most as many as there are."""

    default_error_messages = {"duplicates": "Each choice may be given once: {values} repeated."}

    def __init__(self, *, choices, **kwargs):
        kwargs.setdefault("max_length", len(choices))
        super().__init__(child=serializers.ChoiceField(choices=choices), **kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            self.fail("duplicates", values=", ".join(repeated))
        return values


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice the record may not have made yet (an incident's outcome before there is one):
    answered as null, not as "", so the schema's enum holds."""

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)


class BlankChoicesAsNullMixin:
    """For an output ModelSerializer: the model's optional choice fields are null when blank
    (documented as nullable), instead of an "" that is not one of the enum's values."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in kwargs and model_field.blank:
            field_class = BlankAsNullChoiceField
            kwargs["allow_null"] = True
        return field_class, kwargs


class BlankAsNullEmailField(serializers.EmailField):
    """An email address the record may not have: null, not "" (which is no email address)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None
