"""Serializer fields the API shares."""

from __future__ import annotations

from rest_framework import serializers


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
