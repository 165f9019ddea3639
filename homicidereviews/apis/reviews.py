"""Review API: list and record (`/homicide-reviews/`), read and change one (`/{id}/`), its
recommendations (`/{id}/recommendations/`). Same door, selectors and services as the pages:
403 for a role that does not work on reviews, 404 for a missing review, 400 for field errors,
409 (or 412 with If-Match) for a stale version."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from publicprotection.access.scope import get_visible_or_404
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.api.versions import requested_version
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import london_today

from .. import services
from ..access_log import review_subjects
from ..models import HomicideReview, Recommendation, RecommendationStatus
from ..selectors import reviews as selectors
from ..serializers import (
    RecommendationInputSerializer,
    RecommendationOutputSerializer,
    ReviewCreateInputSerializer,
    ReviewDetailOutputSerializer,
    ReviewOutputSerializer,
    ReviewUpdateInputSerializer,
)

TAGS = ["Domestic homicide reviews"]


class CanWorkOnReviews(BasePermission):
    def has_permission(self, request, view) -> bool:
        return selectors.can_work_on_reviews(request.user)


class ReviewCursorPagination(CheckedCursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-date_of_death", "-id")


def _detail(request, review_id: int, status_code=status.HTTP_200_OK, *, log=False) -> Response:
    review = selectors.review_get(viewer=request.user, review_id=review_id)
    if log:
        access_log_record(request=request, obj=review, subjects=review_subjects([review]))
    context = {"today": london_today()}
    return Response(ReviewDetailOutputSerializer(review, context=context).data, status=status_code)


class ReviewListCreateApi(GenericAPIView):
    permission_classes = [CanWorkOnReviews]
    serializer_class = ReviewOutputSerializer
    pagination_class = ReviewCursorPagination
    queryset = HomicideReview.objects.none()

    @extend_schema(
        operation_id="homicide_reviews_list",
        tags=TAGS,
        responses=ReviewOutputSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.review_list(viewer=request.user))
        access_log_record(request=request, objects=page, subjects=review_subjects(page))
        return self.get_paginated_response(ReviewOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="homicide_reviews_create",
        description="Record a death for review. The victim (and suspect, if known) are people "
        "of the register, named by id and by name: the name (or an alias, close spellings "
        "too) must match the record, or the request is refused with a 400 on `victim` or "
        "`suspect`, the same whether the id is unknown or the name does not match.",
        tags=TAGS,
        request=ReviewCreateInputSerializer,
        responses={201: ReviewDetailOutputSerializer},
    )
    def post(self, request):
        data = ReviewCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(actor=request.user, **data.validated_data)
        return _detail(request, review.pk, status.HTTP_201_CREATED)


class ReviewDetailApi(GenericAPIView):
    permission_classes = [CanWorkOnReviews]
    serializer_class = ReviewDetailOutputSerializer
    queryset = HomicideReview.objects.none()

    @extend_schema(operation_id="homicide_reviews_retrieve", tags=TAGS)
    def get(self, request, pk: int):
        return _detail(request, pk, log=True)

    @extend_schema(
        operation_id="homicide_reviews_partial_update",
        description="Change the fields sent. Send the version read (body or If-Match). A new "
        "suspect (`suspect_id` other than the review's) needs `suspect_name`, matched as on "
        "create; `suspect_id: null` removes the suspect.",
        tags=TAGS,
        request=ReviewUpdateInputSerializer,
        responses={200: ReviewDetailOutputSerializer},
    )
    def patch(self, request, pk: int):
        review = selectors.review_get(viewer=request.user, review_id=pk)
        data = ReviewUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = requested_version(request, changes.pop("version", None))
        fields = {name: getattr(review, name) for name in services.REVIEW_FIELDS}
        fields["suspect_id"] = review.suspect_id
        fields.update(changes)
        services.review_update(
            actor=request.user,
            review_id=review.pk,
            version=version,
            **fields,
        )
        return _detail(request, review.pk)


class RecommendationListCreateApi(GenericAPIView):
    permission_classes = [CanWorkOnReviews]
    serializer_class = RecommendationOutputSerializer
    queryset = Recommendation.objects.none()
    pagination_class = None

    @extend_schema(
        operation_id="homicide_reviews_recommendations_list",
        tags=TAGS,
        responses=RecommendationOutputSerializer(many=True),
    )
    def get(self, request, pk: int):
        review = selectors.review_get(viewer=request.user, review_id=pk)
        access_log_record(request=request, obj=review, subjects=review_subjects([review]))
        rows = review.recommendations.all()
        return Response(RecommendationOutputSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="homicide_reviews_recommendations_create",
        tags=TAGS,
        request=RecommendationInputSerializer,
        responses={201: RecommendationOutputSerializer},
    )
    def post(self, request, pk: int):
        review = selectors.review_get(viewer=request.user, review_id=pk)
        data = RecommendationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recommendation = services.recommendation_add(
            actor=request.user,
            review_id=review.pk,
            **data.validated_data,
        )
        return Response(
            RecommendationOutputSerializer(recommendation).data, status=status.HTTP_201_CREATED
        )


class RecommendationUpdateInputSerializer(serializers.Serializer):
    """PATCH: only the fields sent change. `version` (or If-Match) is the version read."""

    text = serializers.CharField(required=False)
    owner_agency = serializers.CharField(max_length=150, required=False)
    due_on = serializers.DateField(required=False)
    status = serializers.ChoiceField(RecommendationStatus.choices, required=False)
    evidence = serializers.CharField(required=False, allow_blank=True)
    completed_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, required=False)


class RecommendationDetailApi(GenericAPIView):
    permission_classes = [CanWorkOnReviews]
    serializer_class = RecommendationOutputSerializer
    queryset = Recommendation.objects.none()

    def _recommendation(self, request, pk: int, recommendation_id: int) -> Recommendation:
        review = selectors.review_get(viewer=request.user, review_id=pk)
        return get_visible_or_404(review.recommendations.all(), pk=recommendation_id)

    @extend_schema(
        operation_id="homicide_reviews_recommendations_partial_update",
        description="Move a recommendation on: completing it needs the evidence and the date.",
        tags=TAGS,
        request=RecommendationUpdateInputSerializer,
        responses={200: RecommendationOutputSerializer},
    )
    def patch(self, request, pk: int, recommendation_id: int):
        recommendation = self._recommendation(request, pk, recommendation_id)
        data = RecommendationUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = requested_version(request, changes.pop("version", None))
        updated = services.recommendation_update(
            actor=request.user,
            recommendation_id=recommendation.pk,
            version=version,
            **changes,
        )
        return Response(RecommendationOutputSerializer(updated).data)


urlpatterns = [
    path(
        "homicide-reviews/<int:pk>/recommendations/<int:recommendation_id>/",
        RecommendationDetailApi.as_view(),
        name="homicide-review-recommendation",
    ),
    path("homicide-reviews/", ReviewListCreateApi.as_view(), name="homicide-review-list"),
    path("homicide-reviews/<int:pk>/", ReviewDetailApi.as_view(), name="homicide-review-detail"),
    path(
        "homicide-reviews/<int:pk>/recommendations/",
        RecommendationListCreateApi.as_view(),
        name="homicide-review-recommendations",
    ),
]
