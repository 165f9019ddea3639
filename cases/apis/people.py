"""Person API: on the same selectors and services as the pages.

Reads are scoped by the access core (another borough's person is the same 404 as a missing
one); partner agencies are refused outright; a detail read is written to the access log.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ValidationErrorResponseSerializer
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS
from publicprotection.access.views import role_permission
from publicprotection.api.errors import Conflict
from publicprotection.api.versions import requested_version
from publicprotection.audit.services import access_log_record
from publicprotection.pagination import paginate_without_count
from publicprotection.query_params import whole_number

from ..models import Person
from ..selectors import people as selectors
from ..selectors.flags import person_flags
from ..serializers.people import (
    PersonCandidateOutputSerializer,
    PersonCreateInputSerializer,
    PersonDetailOutputSerializer,
    PersonListOutputSerializer,
    PersonSearchInputSerializer,
    PersonUpdateInputSerializer,
)
from ..services import people as services

CanReadPeople = role_permission(CASE_READERS, "CanReadPeople")
CanWritePeople = role_permission(CASE_WRITERS, "CanWritePeople")


class PagesWithoutCount(BasePagination):
    """Previous and next links, no total: counting millions of people per request is too slow."""

    page_size = 25
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = whole_number(request.query_params.get("page_size", ""))
        size = self.page_size if size is None else min(max(size, 1), self.max_page_size)
        self.page = paginate_without_count(queryset, request.query_params.get("page"), size)
        return self.page.object_list

    def _link(self, number: int | None) -> str | None:
        if number is None:
            return None
        url = self.request.build_absolute_uri()
        return (
            remove_query_param(url, "page")
            if number == 1
            else replace_query_param(url, "page", number)
        )

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "next": self._link(page.next_page_number() if page.has_next else None),
                "previous": self._link(page.previous_page_number() if page.has_previous else None),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number (1 to 400).",
                "schema": {"type": "integer"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Results per page (at most {self.max_page_size}).",
                "schema": {"type": "integer"},
            },
        ]


class _MethodPermissions:
    """Reading needs a case-reading role; writing a case-writing one."""

    def get_permissions(self):
        if self.request is not None and self.request.method in ("POST", "PATCH"):
            return [CanWritePeople()]
        return [CanReadPeople()]


class PersonListApi(_MethodPermissions, GenericAPIView):
    queryset = Person.objects.none()  # for the schema only: reads go through the selectors
    pagination_class = PagesWithoutCount
    serializer_class = PersonListOutputSerializer

    @extend_schema(
        operation_id="persons_list",
        summary="Search for people, or list them by name",
        description=(
            "With `name`: likely matches, best first (close spellings and aliases count; a "
            "matching date of birth first). Without: visible people by name, optionally "
            "narrowed to a date of birth."
        ),
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, description="A name or alias to search"),
            OpenApiParameter("date_of_birth", OpenApiTypes.DATE, description="YYYY-MM-DD"),
        ],
        responses={
            200: PersonListOutputSerializer(many=True),
            400: OpenApiResponse(ValidationErrorResponseSerializer, description="Bad parameter"),
        },
    )
    def get(self, request):
        query = PersonSearchInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        name = (query.validated_data.get("name") or "").strip()
        date_of_birth = query.validated_data.get("date_of_birth")
        if name:
            people = selectors.PersonSearchResults(
                viewer=request.user, name=name, date_of_birth=date_of_birth
            )
        else:
            people = selectors.person_list(viewer=request.user)
            if date_of_birth:
                people = people.filter(date_of_birth=date_of_birth)
        page = self.paginate_queryset(people)
        access_log_record(request=request, objects=page)
        return self.get_paginated_response(PersonListOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="persons_create",
        summary="Register a person",
        description=(
            "Check first (GET /api/v1/persons/duplicate-check/ with the name and date of birth) "
            "so the same person is not registered twice: a name with London-wide candidates is "
            "refused (409 `possible_duplicate`) unless `confirm_new` is true."
        ),
        request=PersonCreateInputSerializer,
        responses={201: PersonDetailOutputSerializer},
    )
    def post(self, request):
        data = PersonCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        # As the registration page: the London-wide duplicate check first, so that a person
        # already on the register (in any borough) is linked, not registered again (a second
        # record splits their history and hides them as a repeat victim).
        if not fields.pop("confirm_new") and _london_wide_candidates(
            request, f"{fields['given_name']} {fields['family_name']}", fields.get("date_of_birth")
        ):
            raise Conflict(POSSIBLE_DUPLICATE, code="possible_duplicate")
        person = services.person_create(actor=request.user, **fields)
        person = selectors.person_detail_get(viewer=request.user, person_id=person.pk)
        output = PersonDetailOutputSerializer(person, context={"flags": person_flags(person)})
        return Response(output.data, status=status.HTTP_201_CREATED)


class PersonDetailApi(_MethodPermissions, GenericAPIView):
    queryset = Person.objects.none()  # for the schema only: reads go through the selectors
    serializer_class = PersonDetailOutputSerializer

    @extend_schema(operation_id="persons_retrieve", summary="A person, with addresses and flags")
    def get(self, request, pk: int):
        person = selectors.person_detail_get(viewer=request.user, person_id=pk)
        access_log_record(request=request, obj=person, label=person.full_name)
        output = PersonDetailOutputSerializer(person, context={"flags": person_flags(person)})
        return Response(output.data)

    @extend_schema(
        operation_id="persons_partial_update",
        summary="Change a person's details",
        request=PersonUpdateInputSerializer,
        responses={200: PersonDetailOutputSerializer},
    )
    def patch(self, request, pk: int):
        person = selectors.person_get(viewer=request.user, person_id=pk)
        data = PersonUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = requested_version(request, fields.pop("version", None))
        services.person_update_with_aliases(
            actor=request.user, person_id=person.pk, expected_version=version, **fields
        )
        person = selectors.person_detail_get(viewer=request.user, person_id=person.pk)
        output = PersonDetailOutputSerializer(person, context={"flags": person_flags(person)})
        return Response(output.data)


POSSIBLE_DUPLICATE = (
    "People already on the register may be this person. Check the London-wide duplicate check "
    "(GET /api/v1/persons/duplicate-check/ with this name and date of birth) and link one of "
    "them, or send confirm_new: true to register a new person."
)


def _london_wide_candidates(request, name: str, date_of_birth) -> list[Person]:
    """The duplicate check's candidates from every borough, described and logged as read."""
    people = selectors.person_search(
        viewer=request.user, name=name, date_of_birth=date_of_birth, visible_only=False
    )
    selectors.person_candidates_describe(people=people)
    access_log_record(request=request, objects=people)
    return people


class PersonDuplicateCheckApi(GenericAPIView):
    """The registration's duplicate check: similar names from every borough, so that a person
    known elsewhere is linked to an incident rather than registered twice."""

    queryset = Person.objects.none()  # for the schema only: reads go through the selectors
    permission_classes = [CanWritePeople]
    serializer_class = PersonCandidateOutputSerializer
    pagination_class = None

    @extend_schema(
        operation_id="persons_duplicate_check",
        summary="London-wide candidates for a name, before registering or linking a person",
        description=(
            "People in any borough whose name or an alias is similar to `name` (a matching "
            "date of birth first), at most 20, with only what tells them apart. Link one to an "
            "incident with POST /api/v1/incidents/{id}/parties/ (sending the same `name`), or "
            "register a new person with `confirm_new`."
        ),
        parameters=[
            OpenApiParameter(
                "name", OpenApiTypes.STR, required=True, description="The full name searched"
            ),
            OpenApiParameter("date_of_birth", OpenApiTypes.DATE, description="YYYY-MM-DD"),
        ],
        responses={
            200: PersonCandidateOutputSerializer(many=True),
            400: OpenApiResponse(ValidationErrorResponseSerializer, description="Bad parameter"),
        },
    )
    def get(self, request):
        query = PersonSearchInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        name = (query.validated_data.get("name") or "").strip()
        if len(name) < 2:
            raise ValidationError({"name": ["Enter the name to check (at least 2 letters)."]})
        people = _london_wide_candidates(request, name, query.validated_data.get("date_of_birth"))
        return Response(PersonCandidateOutputSerializer(people, many=True).data)


from django.urls import path  # noqa: E402

urlpatterns = [
    path("persons/", PersonListApi.as_view(), name="person-list"),
    path(
        "persons/duplicate-check/",
        PersonDuplicateCheckApi.as_view(),
        name="person-duplicate-check",
    ),
    path("persons/<int:pk>/", PersonDetailApi.as_view(), name="person-detail"),
]
