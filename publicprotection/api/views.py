from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class MeOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    organisation = serializers.CharField()


class MeApi(APIView):
    """Who the API caller is, and the organisation their access is scoped to."""

    @extend_schema(responses=MeOutputSerializer, operation_id="me")
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "organisation": user.organisation_label,
        }
        return Response(MeOutputSerializer(data).data)
