"""`/marac/data-returns/?team=&quarter=`: the MARAC quarterly data return (counts only)."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.data_returns import (
    QUARTER,
    can_read_data_returns,
    data_return,
    parse_quarter,
    teams_visible_to,
)


class CanReadDataReturns(BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_read_data_returns(request.user)


class DataReturnQuerySerializer(serializers.Serializer):
    team = serializers.CharField(max_length=3)
    quarter = serializers.RegexField(QUARTER, help_text="e.g. 2025-Q3")

    def validate_quarter(self, value: str) -> str:
        # The pattern allows a quarter the calendar has not got (0000-Q1; 9999-Q4 ends in 10000).
        if parse_quarter(value) is None:
            raise serializers.ValidationError("Enter a quarter between 0001-Q1 and 9999-Q3.")
        return value


class AgencyCountSerializer(serializers.Serializer):
    agency = serializers.CharField()
    cases = serializers.IntegerField()


class DataReturnSerializer(serializers.Serializer):
    team = serializers.CharField(source="team.code")
    team_name = serializers.CharField(source="team.name")
    quarter = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="Exclusive")
    meetings = serializers.IntegerField()
    cases_discussed = serializers.IntegerField()
    repeat_cases = serializers.IntegerField()
    children = serializers.IntegerField()
    referrals_by_agency = serializers.SerializerMethodField()
    male_victims = serializers.IntegerField()
    aged_16_17 = serializers.IntegerField()
    ethnic_minority = serializers.IntegerField()
    ethnicity_not_stated = serializers.IntegerField()
    lgbt = serializers.CharField(help_text='Always "not recorded": the register has no field.')
    disabled = serializers.IntegerField()
    definitions = serializers.DictField(child=serializers.CharField())

    def get_referrals_by_agency(self, result) -> list[dict]:
        return [{"agency": a, "cases": n} for a, n in result.referrals_by_agency]


class DataReturnApi(APIView):
    permission_classes = [CanReadDataReturns]

    @extend_schema(
        operation_id="marac_data_returns_retrieve",
        tags=["MARAC data return"],
        parameters=[DataReturnQuerySerializer],
        responses=DataReturnSerializer,
    )
    def get(self, request):
        params = DataReturnQuerySerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        team = (
            teams_visible_to(viewer=request.user).filter(code=params.validated_data["team"]).first()
        )
        if team is None:
            raise Http404("No such MARAC")
        result = data_return(team=team, quarter=params.validated_data["quarter"])
        return Response(DataReturnSerializer(result).data)


urlpatterns = [
    path("marac/data-returns/", DataReturnApi.as_view(), name="marac-data-return"),
]
