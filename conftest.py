"""Fixtures shared by every app's tests."""

import contextlib
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections
from django.db.models.signals import post_migrate

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import PartnerFactory, UserFactory, team

TEMPLATE_VARIABLE = "TEST_DATABASE_TEMPLATE"


def pytest_sessionstart(session):
    """Under `pytest -n N` the controller migrates one database before the workers start, and
    each worker's test database is created from it (publicprotection/settings/test.py names
    it the TEMPLATE), instead of every worker running all the migrations at once on the same
    cores (80 s each with three). Their migrate then finds nothing to apply."""
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    from django.test.utils import setup_databases
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        config.template_databases = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
        )
        call_command("grant_app_role", "--create", verbosity=0)
        os.environ[TEMPLATE_VARIABLE] = connections["default"].settings_dict["NAME"]
        connections.close_all()  # a database is copied only while nobody is connected to it


def pytest_sessionfinish(session):
    config = session.config
    if databases := getattr(config, "template_databases", None):
        from django.test.utils import teardown_databases
        from pytest_django.plugin import blocking_manager_key

        with config.stash[blocking_manager_key].unblock():
            teardown_databases(databases, verbosity=0)


def _load_reference_data_again(sender, **kwargs):
    """A transactional test ends by emptying every table, the migrations' reference lists too
    (boroughs and teams, agency types, offences, risk instruments, lesson themes), and Django's
    flush then
    sends post_migrate: they are loaded again here. The tests that run after it on the same
    worker need them, and pytest-xdist's work stealing can put any test there (a CI run lost
    25 tests to Team.DoesNotExist that way)."""
    from cases.reference_data import load_reference_data as load_offences
    from homicidereviews.reference_data import load_reference_data as load_lesson_themes
    from publicprotection.accounts.reference_data import load_reference_data
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_reference_data()
    load_offences()
    load_instruments()
    load_lesson_themes()


# Once a flush (the accounts app's signal; every app sends one).
post_migrate.connect(_load_reference_data_again, sender=apps.get_app_config("accounts"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as deployed: the owner (DATABASE_URL) migrated it, and the
    application's role exists with its grants (docs/adr/0002-audit.md)."""
    with django_db_blocker.unblock():
        call_command("grant_app_role", "--create", verbosity=0)


def app_role_connection(alias="default"):
    """A new Django connection to the test database as the application's role."""
    owner = connections[alias]
    settings_dict = {
        **owner.settings_dict,
        "USER": settings.DATABASE_APP_ROLE,
        "PASSWORD": settings.DATABASE_APP_PASSWORD,
    }
    return owner.__class__(settings_dict, alias)


@contextlib.contextmanager
def connected_as_app_role(alias="default"):
    """This thread's ORM runs as the application's role until the block ends."""
    owner = connections[alias]
    app = app_role_connection(alias)
    connections[alias] = app
    try:
        yield app
    finally:
        app.close()
        connections[alias] = owner


@pytest.fixture
def as_app_role(transactional_db):
    """The test's ORM calls run as the application's role (committed, so transactional)."""
    with connected_as_app_role() as app:
        yield app


@pytest.fixture(scope="session")
def live_server(request):
    """Django's live server (as pytest-django's fixture), its requests served as the
    application's role, as deployed: each request thread gets its own connection as it."""
    from django.core.servers.basehttp import ThreadedWSGIServer
    from pytest_django.live_server_helper import LiveServer

    class AppRoleWSGIServer(ThreadedWSGIServer):
        def process_request_thread(self, request, client_address):
            with connected_as_app_role():
                super().process_request_thread(request, client_address)

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = AppRoleWSGIServer
    server.start()
    yield server
    server.stop()


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
