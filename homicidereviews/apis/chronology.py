"""`/homicide-reviews/{id}/chronology/`: the police chronology as JSON, or as CSV with
`?format=csv` (an export, logged as such); the answer links to the PDF."""

from __future__ import annotations

import json

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from publicprotection.audit.models import AccessAction

from ..exports import chronology_csv, chronology_read_log
from ..models import HomicideReview
from ..selectors import reviews as selectors
from ..selectors.chronology import chronology_for
from .reviews import TAGS, CanWorkOnReviews


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return json.dumps(data).encode(self.charset)  # an error answer


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": "The end must be on or after the start."})
        return attrs


class EntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    kind = serializers.CharField()
    about = serializers.CharField()
    reference = serializers.CharField()
    summary = serializers.CharField()
    markers = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class ChronologySerializer(serializers.Serializer):
    review = serializers.IntegerField(source="review.pk")
    reference = serializers.CharField(source="review.reference")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    marker_count = serializers.IntegerField()
    pdf_url = serializers.SerializerMethodField()
    entries = EntrySerializer(many=True)

    def get_pdf_url(self, chronology) -> str:
        return reverse("homicidereviews:review-chronology-pdf", args=[chronology.review.pk])


class ChronologyApi(GenericAPIView):
    permission_classes = [CanWorkOnReviews]
    renderer_classes = [JSONRenderer, CSVRenderer]
    serializer_class = ChronologySerializer
    queryset = HomicideReview.objects.none()
    pagination_class = None

    @extend_schema(
        operation_id="homicide_reviews_chronology",
        tags=TAGS,
        parameters=[
            PeriodSerializer,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses={200: ChronologySerializer},
    )
    def get(self, request, pk: int):
        review = selectors.review_get(viewer=request.user, review_id=pk)
        params = PeriodSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        chronology = chronology_for(review=review, **params.validated_data)
        if request.accepted_renderer.format == "csv":
            chronology_read_log(
                request=request,
                review=review,
                action=AccessAction.EXPORT,
                label=f"{review.reference} chronology (CSV)",
            )
            base = request.build_absolute_uri("/")[:-1]
            response = Response(chronology_csv(chronology, base_url=base))
            response["Content-Disposition"] = (
                f'attachment; filename="{review.reference}-police-chronology.csv"'
            )
            return response
        chronology_read_log(request=request, review=review, label=f"{review.reference} chronology")
        return Response(ChronologySerializer(chronology).data)


urlpatterns = [
    path(
        "homicide-reviews/<int:pk>/chronology/",
        ChronologyApi.as_view(),
        name="homicide-review-chronology",
    ),
]
