"""The access core: every read of case data is narrowed to what the viewer may see.

Officers, supervisors and coordinators see their borough (the central team sees all of
London); analysts and administrators see all of London; partner agency members see only rows
explicitly shared with their agency through a django-guardian direct group permission model.
Selectors in each app build on `scope_to_viewer`; nothing loops over objects checking
permissions.
"""

from __future__ import annotations

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from publicprotection.accounts.models import Role

from .roles import ALL_LONDON_ROLES, CASE_READERS


def viewer_borough_id(viewer) -> int | None:
    """The borough a police viewer is confined to, or None for pan-London reach."""
    if viewer.role in ALL_LONDON_ROLES or viewer.team is None or viewer.team.borough_id is None:
        return None
    return viewer.team.borough_id


def shared_with_agency(
    share_model: type[Model], agency_group_id, codename: str, *, shared: str = "pk"
) -> Exists:
    """An Exists() over a guardian direct group-object-permission model for one agency.

    shared: the outer query's lookup to the shared object (a related row reads it through
    its foreign key, "listing_id"). agency_group_id may be an OuterRef, for rows that each
    name their own agency."""
    return Exists(
        share_model.objects.filter(
            content_object=OuterRef(shared),
            group_id=agency_group_id,
            permission__codename=codename,
        )
    )


def scope_to_viewer(
    queryset: QuerySet,
    *,
    viewer,
    borough_field: str | None,
    share_model: type[Model] | None = None,
    share_codename: str | None = None,
    police_roles: frozenset | None = None,
) -> QuerySet:
    """Narrow `queryset` to the rows `viewer` may see.

    borough_field: the lookup from the model to its borough id (e.g. "borough_id"), or None for
        records that have no borough (visible pan-London to the police roles).
    share_model / share_codename: the guardian direct permission model and codename through
        which rows are shared with partner agencies; without it partners see nothing.
    police_roles: the roles allowed to read this kind of record at all (default: the roles that
        read case records, so never analysts, whose reach is de-identified figures only).
    """
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return queryset.none()
    if viewer.role == Role.PARTNER:
        if share_model is None or viewer.agency_id is None:
            return queryset.none()
        group_id = viewer.agency.group_id
        return queryset.filter(shared_with_agency(share_model, group_id, share_codename))
    if viewer.role not in (CASE_READERS if police_roles is None else police_roles):
        return queryset.none()
    borough_id = viewer_borough_id(viewer)
    if borough_id is None or borough_field is None:
        return queryset
    return queryset.filter(**{borough_field: borough_id})


def get_visible_or_404(queryset: QuerySet, **lookup):
    """Fetch one row from an already-scoped queryset; missing and forbidden are the same 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such record") from exc
