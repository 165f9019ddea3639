import pytest

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Agenda files go to a temporary private folder, not var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    settings.DAILY_AGENDA_HOUR = 7
    settings.DAILY_AGENDA_MINUTE = 0
    return tmp_path / "private"


@pytest.fixture
def lambeth_coordinator(db):
    return UserFactory(username="lam.test.coord", role=Role.MARAC_COORDINATOR, team=team("LAM"))


@pytest.fixture
def southwark_supervisor(db):
    return UserFactory(username="sou.test.supervisor", role=Role.SUPERVISOR, team=team("SOU"))


@pytest.fixture
def central_supervisor(db):
    return UserFactory(username="cen.test.supervisor", role=Role.SUPERVISOR, team=team("CEN"))


@pytest.fixture
def eager_documents(monkeypatch):
    """The build runs in process when its task is queued (the real worker is tested in
    test_documents_worker.py)."""
    from marac import tasks

    task = tasks.generate_meeting_document
    sent = []

    def apply_async(args=None, **kwargs):
        sent.append(args)
        return task.apply(args=args)

    monkeypatch.setattr(task, "apply_async", apply_async)
    return sent


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests start from an empty database: the migrations' reference lists too
    (boroughs and teams, offences, risk instruments) are loaded again."""
    from cases.reference_data import load_reference_data as load_offences
    from publicprotection.accounts.reference_data import load_reference_data
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_reference_data()
    load_offences()
    load_instruments()
