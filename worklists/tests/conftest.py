import pytest

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team


@pytest.fixture
def lambeth_coordinator(db):
    return UserFactory(username="lam.test.coord", role=Role.MARAC_COORDINATOR, team=team("LAM"))


@pytest.fixture
def central_coordinator(db):
    return UserFactory(username="cen.test.coord", role=Role.MARAC_COORDINATOR, team=team("CEN"))


@pytest.fixture
def southwark_supervisor(db):
    return UserFactory(username="sou.test.supervisor", role=Role.SUPERVISOR, team=team("SOU"))
