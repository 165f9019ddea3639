"""Incident API: one view per operation, on the same selectors and services as the pages."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS
from publicprotection.access.scope import get_visible_or_404
from publicprotection.access.views import role_permission
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.api.versions import requested_version
from publicprotection.audit.models import AccessAction
from publicprotection.audit.services import access_log_record

from ..access_log import incident_subjects
from ..forms.incidents import IncidentFilterForm
from ..models import Incident
from ..selectors import incidents as selectors
from ..serializers.incidents import (
    ChildrensReferralInputSerializer,
    ChildrensReferralOutputSerializer,
    IncidentCreateInputSerializer,
    IncidentDetailOutputSerializer,
    IncidentOutputSerializer,
    IncidentUpdateInputSerializer,
    OffenceInputSerializer,
    OffenceOutputSerializer,
    PartyInputSerializer,
    PartyOutputSerializer,
    ProtectiveOrderInputSerializer,
    ProtectiveOrderOutputSerializer,
    SubmitInputSerializer,
    SuspectRelationshipInputSerializer,
)
from ..services import incidents as services
from ..services.orders import protective_order_add

CanReadCases = role_permission(CASE_READERS, "CanReadCases")
CanWriteCases = role_permission(CASE_WRITERS, "CanWriteCases")


class IncidentCursorPagination(CheckedCursorPagination):
    """No count(*) and no deep offsets: stays fast at a million incidents."""

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-occurred_at", "-id")


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Reference, CAD or crime number, or a person's name"),
    OpenApiParameter("borough", str, description="Borough code, e.g. LAM"),
    OpenApiParameter("status", str, enum=["draft", "open", "closed"]),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD, by when it happened"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD, inclusive"),
    OpenApiParameter("crime", str, enum=["crime", "non_crime"]),
    OpenApiParameter("outstanding_suspect", bool),
    OpenApiParameter("review_status", str, enum=["awaiting", "returned", "endorsed"]),
    OpenApiParameter("flag", str, enum=["repeat_victim", "repeat_location"]),
    OpenApiParameter("recorded_by_me", bool, description="Only the incidents you recorded"),
]


def _filters_from(query_params) -> selectors.IncidentFilters:
    form = IncidentFilterForm(query_params)
    if not form.is_valid():
        raise ApiValidationError(
            {
                field: [e["message"] for e in errors]
                for field, errors in form.errors.get_json_data().items()
            }
        )
    return form.filters()


class ReadOrWritePermissionsMixin:
    """Readers may GET; only writers may change."""

    def get_permissions(self):
        allowed = (
            CanReadCases if self.request.method in ("GET", "HEAD", "OPTIONS") else CanWriteCases
        )
        return [allowed()]


class IncidentListApi(ReadOrWritePermissionsMixin, GenericAPIView):
    serializer_class = IncidentOutputSerializer
    queryset = Incident.objects.none()  # for the schema; reads go through the selectors
    pagination_class = IncidentCursorPagination

    @extend_schema(
        operation_id="incidents_list",
        parameters=FILTER_PARAMETERS,
        responses=IncidentOutputSerializer(many=True),
    )
    def get(self, request):
        queryset = selectors.incident_list(
            viewer=request.user, filters=_filters_from(request.query_params)
        )
        page = self.paginate_queryset(queryset)
        access_log_record(request=request, objects=page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="incidents_create",
        request=IncidentCreateInputSerializer,
        responses={201: IncidentDetailOutputSerializer},
    )
    def post(self, request):
        data = _validated(IncidentCreateInputSerializer, request)
        incident = services.incident_create(actor=request.user, **data)
        return _detail_response(request, incident.pk, status.HTTP_201_CREATED)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _detail_response(request, incident_id: int, status_code=status.HTTP_200_OK) -> Response:
    incident = selectors.incident_get_by_id(viewer=request.user, incident_id=incident_id)
    return Response(IncidentDetailOutputSerializer(incident).data, status=status_code)


def _visible_incident(request, pk):
    return get_visible_or_404(selectors.incidents_visible_to(viewer=request.user), pk=pk)


class IncidentDetailApi(ReadOrWritePermissionsMixin, GenericAPIView):
    serializer_class = IncidentDetailOutputSerializer

    @extend_schema(operation_id="incidents_retrieve")
    def get(self, request, pk: int):
        incident = selectors.incident_get_by_id(viewer=request.user, incident_id=pk)
        access_log_record(
            request=request,
            obj=incident,
            label=incident.reference,
            subjects=incident_subjects(incident),
        )
        return Response(self.get_serializer(incident).data)

    @extend_schema(
        operation_id="incidents_partial_update",
        request=IncidentUpdateInputSerializer,
        responses={200: IncidentDetailOutputSerializer},
    )
    def patch(self, request, pk: int):
        incident = _visible_incident(request, pk)
        data = _validated(IncidentUpdateInputSerializer, request)
        version = requested_version(request, data.pop("version", None))
        location = data.pop("location", None)
        services.incident_update(
            actor=request.user, incident_id=incident.pk, expected_version=version,
            location=location, **data,
        )  # fmt: skip
        return _detail_response(request, incident.pk)


class IncidentPartyCreateApi(GenericAPIView):
    permission_classes = [CanWriteCases]
    serializer_class = PartyOutputSerializer

    @extend_schema(
        operation_id="incidents_parties_create",
        description=(
            "Link a person to the incident. The person is one you can already see, or one of "
            "the London-wide duplicate check's matches for the `name` (and `date_of_birth`) you "
            "send with them: check first (GET /api/v1/persons/duplicate-check/), then link. Any other id, and an id that names no "
            "one, get the same 400 on `person`. The link is written to the access log."
        ),
        request=PartyInputSerializer,
        responses={201: PartyOutputSerializer},
    )
    def post(self, request, pk: int):
        incident = _visible_incident(request, pk)
        data = _validated(PartyInputSerializer, request)
        party = services.party_add(
            actor=request.user,
            incident_id=incident.pk,
            person_id=data.pop("person"),
            searched_name=data.pop("name"),
            searched_date_of_birth=data.pop("date_of_birth"),
            **data,
        )
        person = party.person
        # The link shows the person to the incident's borough: logged as a combination.
        access_log_record(
            request=request,
            obj=person,
            action=AccessAction.COMBINE,
            label=person.full_name,
            purpose=f"Linked as {party.role} to {incident.reference}",
        )
        return Response(PartyOutputSerializer(party).data, status=status.HTTP_201_CREATED)


class IncidentSuspectRelationshipApi(GenericAPIView):
    """Correct a suspect's relationship to the victim and separation."""

    permission_classes = [CanWriteCases]
    serializer_class = PartyOutputSerializer

    @extend_schema(
        operation_id="incidents_suspects_relationship_update",
        request=SuspectRelationshipInputSerializer,
        responses={200: PartyOutputSerializer},
    )
    def patch(self, request, pk: int, party_id: int):
        incident = _visible_incident(request, pk)
        data = _validated(SuspectRelationshipInputSerializer, request)
        suspect = selectors.suspect_of(incident, party_id)
        party = services.suspect_relationship_update(
            actor=request.user,
            party_id=suspect.pk,
            expected_version=requested_version(request, data.pop("version", None)),
            **data,
        )
        access_log_record(request=request, obj=party.person, label=party.person.full_name)
        return Response(PartyOutputSerializer(party).data)


class IncidentOffenceCreateApi(GenericAPIView):
    permission_classes = [CanWriteCases]
    serializer_class = OffenceOutputSerializer

    @extend_schema(
        operation_id="incidents_offences_create",
        request=OffenceInputSerializer,
        responses={201: OffenceOutputSerializer},
    )
    def post(self, request, pk: int):
        incident = _visible_incident(request, pk)
        data = _validated(OffenceInputSerializer, request)
        suspect = incident.parties.filter(pk=data.pop("suspect")).first()
        if suspect is None:
            raise ApiValidationError({"suspect": ["Choose a suspect in this incident."]})
        offence = services.offence_add(
            actor=request.user, incident_id=incident.pk, suspect=suspect, **data
        )
        return Response(OffenceOutputSerializer(offence).data, status=status.HTTP_201_CREATED)


class IncidentProtectiveOrderCreateApi(GenericAPIView):
    permission_classes = [CanWriteCases]
    serializer_class = ProtectiveOrderOutputSerializer

    @extend_schema(
        operation_id="incidents_protective_orders_create",
        request=ProtectiveOrderInputSerializer,
        responses={201: ProtectiveOrderOutputSerializer},
    )
    def post(self, request, pk: int):
        incident = _visible_incident(request, pk)
        data = _validated(ProtectiveOrderInputSerializer, request)
        parties = {p.pk: p for p in incident.parties.all()}
        protected = parties.get(data.pop("protected"))
        respondent_id = data.pop("respondent", None)
        respondent = parties.get(respondent_id) if respondent_id else None
        if protected is None:
            raise ApiValidationError({"protected": ["Choose a victim or child in this incident."]})
        if respondent_id and respondent is None:
            raise ApiValidationError({"respondent": ["Choose a suspect in this incident."]})
        order = protective_order_add(
            actor=request.user, incident_id=incident.pk, protected=protected,
            respondent=respondent, **data,
        )  # fmt: skip
        return Response(ProtectiveOrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)


class IncidentChildrensReferralApi(GenericAPIView):
    """Record the children's services referral an incident needs before it can be submitted."""

    permission_classes = [CanWriteCases]
    serializer_class = ChildrensReferralOutputSerializer

    @extend_schema(
        operation_id="incidents_childrens_referral_record",
        request=ChildrensReferralInputSerializer,
        responses={200: ChildrensReferralOutputSerializer},
    )
    def post(self, request, pk: int):
        incident = _visible_incident(request, pk)
        data = _validated(ChildrensReferralInputSerializer, request)
        referral = services.childrens_referral_record(
            actor=request.user,
            incident_id=incident.pk,
            expected_version=requested_version(request, data.pop("version", None), required=False),
            **data,
        )
        return Response(ChildrensReferralOutputSerializer(referral).data)


class IncidentSubmitApi(GenericAPIView):
    permission_classes = [CanWriteCases]
    serializer_class = IncidentDetailOutputSerializer

    @extend_schema(
        operation_id="incidents_submit",
        request=SubmitInputSerializer,
        responses={200: IncidentDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        incident = _visible_incident(request, pk)
        data = _validated(SubmitInputSerializer, request)
        services.incident_submit(
            actor=request.user,
            incident_id=incident.pk,
            expected_version=requested_version(request, data.get("version"), required=False),
        )
        return _detail_response(request, incident.pk)


urlpatterns = [
    path("incidents/", IncidentListApi.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", IncidentDetailApi.as_view(), name="incident-detail"),
    path("incidents/<int:pk>/parties/", IncidentPartyCreateApi.as_view(), name="incident-parties"),
    path(
        "incidents/<int:pk>/suspects/<int:party_id>/relationship/",
        IncidentSuspectRelationshipApi.as_view(),
        name="incident-suspect-relationship",
    ),
    path(
        "incidents/<int:pk>/offences/", IncidentOffenceCreateApi.as_view(), name="incident-offences"
    ),
    path("incidents/<int:pk>/submit/", IncidentSubmitApi.as_view(), name="incident-submit"),
    path(
        "incidents/<int:pk>/childrens-referral/",
        IncidentChildrensReferralApi.as_view(),
        name="incident-childrens-referral",
    ),
    path(
        "incidents/<int:pk>/protective-orders/",
        IncidentProtectiveOrderCreateApi.as_view(),
        name="incident-protective-orders",
    ),
]
