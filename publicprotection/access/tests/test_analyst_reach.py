"""Analysts see trends, compliance and de-identified figures (reports/) only: every other page
and API endpoint in the project refuses them before reading anything, and refusing changes
nothing.

The routes are read from the URL configuration itself, so a page or endpoint added later is
checked without anyone remembering to add it here."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter

from cases.tests.factories import complete_incident
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db

# Pages every signed-in user has (their own account), and the analysts' own.
OPEN_TO_ANALYSTS = {
    "home",
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "two_factor_setup",
    "two_factor_verify",
    "two_factor_recovery",
    "recovery_codes_new",
    "account_security",
    "session_status",
    "session_keep_alive",
    "api_tokens",
    "api_token_revoke",
    "api-schema",
    "api-docs",
    "api:me",
    # Counts only, no names (DOMAIN.md: analysts see de-identified figures).
    "homicidereviews:data-return",
    "homicidereviews:data-return-csv",
    "homicidereviews:lesson-themes",
    "api:marac-data-return",
}
OPEN_NAMESPACES = {"reports", "admin", "djdt"}


def _sample(converter) -> object:
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, SlugConverter):
        return "pack"
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-0000-0000-000000000000"
    if type(converter).__name__ == "IncidentReferenceConverter":
        return "DV/LAM/2026/000001"
    return "x"


def _routes(patterns=None, namespace: str = "", converters: dict | None = None):
    """(url name, {kwarg: converter}) for every named route in the project."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    converters = converters or {}
    for entry in patterns:
        found = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _routes(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), found


def _closed_routes() -> list[tuple[str, str]]:
    routes = []
    for name, converters in _routes():
        if name in OPEN_TO_ANALYSTS or name.split(":")[0] in OPEN_NAMESPACES:
            continue
        kwargs = {key: _sample(converter) for key, converter in converters.items()}
        routes.append((name, reverse(name, kwargs=kwargs)))
    return sorted(set(routes))


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_every_case_page_and_endpoint_refuses_an_analyst_and_changes_nothing(client, analyst):
    # Given case records exist (a leak would be a 200 or a 404 after reading them)
    complete_incident()
    client.force_login(analyst)
    routes = _closed_routes()
    assert len(routes) > 80  # the walk found the project's routes
    before = _row_counts()

    # When the analyst tries every route, reading and writing
    answers = {}
    for name, url in routes:
        for method in ("get", "post"):
            answers[(name, method)] = getattr(client, method)(url).status_code

    # Then each is refused by role, before any record is read, and nothing was written
    assert {key: code for key, code in answers.items() if code != 403} == {}
    assert AccessLogEntry.objects.count() == 0
    assert _row_counts() == before


def test_analysts_keep_the_trends_dashboard_and_its_exports(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("reports:dashboard"))
    assert page.status_code == 200
    nav = [item["label"] for item in page.context["nav_items"]]
    assert "Trends" in nav
    assert "Incidents" not in nav and "People" not in nav
    assert client.get(reverse("reports:dashboard-pdf")).status_code == 200
