from rest_framework import serializers

from ..models import Incident


class IncidentOutputSerializer(serializers.ModelSerializer):
    borough = serializers.SlugRelatedField(slug_field="code", read_only=True)
    officer_in_charge = serializers.CharField(source="officer_in_charge.display_name", default="")

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
            "cad_reference",
            "crime_reference",
            "officer_in_charge",
            "version",
        ]
        read_only_fields = fields
