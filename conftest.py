"""Fixtures shared by every app's tests."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import PartnerFactory, UserFactory, team


@pytest.fixture(autouse=True)
def content_types_cached(request):
    """Every model's content type cached before a database test, as a long-running server has
    them: otherwise whichever request first needs one makes one query more, and query-count
    tests comparing two requests depend on the order the tests ran in. (One query per
    process; a transactional test's flush empties the cache and the next test fills it.)"""
    if "_django_db_helper" in request.fixturenames:  # the test has database access
        request.getfixturevalue("_django_db_helper")
        ContentType.objects.get_for_models(*apps.get_models())


@pytest.fixture
def lambeth_officer(db):
    return UserFactory(username="lam.test.officer", role=Role.OFFICER, team=team("LAM"))


@pytest.fixture
def lambeth_supervisor(db):
    return UserFactory(username="lam.test.supervisor", role=Role.SUPERVISOR, team=team("LAM"))


@pytest.fixture
def southwark_officer(db):
    return UserFactory(username="sou.test.officer", role=Role.OFFICER, team=team("SOU"))


@pytest.fixture
def central_officer(db):
    return UserFactory(username="cen.test.officer", role=Role.OFFICER, team=team("CEN"))


@pytest.fixture
def analyst(db):
    return UserFactory(username="test.analyst", role=Role.ANALYST, team=team("CEN"))


@pytest.fixture
def admin_user(db):
    return UserFactory(username="test.admin", role=Role.ADMIN, team=team("CEN"))


@pytest.fixture
def partner(db):
    return PartnerFactory(username="test.partner")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
