import pytest

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def review_lead(db):
    return UserFactory(username="test.review.lead", role=Role.REVIEW_LEAD, team=team("CEN"))


@pytest.fixture
def central_supervisor(db):
    return UserFactory(username="cen.test.supervisor", role=Role.SUPERVISOR, team=team("CEN"))


@pytest.fixture
def coordinator(db):
    return UserFactory(username="lam.test.coord", role=Role.MARAC_COORDINATOR, team=team("LAM"))
