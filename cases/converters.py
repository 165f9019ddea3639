"""URL converters shared by every app that links to an incident by its reference."""

from django.urls import register_converter


class IncidentReferenceConverter:
    """DV/LAM/2026/000123: slashes included, nothing else."""

    regex = r"DV/[A-Z]{3}/[0-9]{4}/[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IncidentReferenceConverter, "incident_ref")
