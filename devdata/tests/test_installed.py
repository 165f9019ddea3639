"""The development-only app: installed by the dev and test settings, never by production's,
and its commands refuse to run where demo data is not allowed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Incident, Person
from publicprotection.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
def test_generate_synthetic_refuses_to_run_where_demo_data_is_not_allowed(settings):
    """It switches insert history triggers off on the tables it loads: never on real records."""
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="Synthetic data is not allowed with these settings"):
        call_command("generate_synthetic", incidents=5, days=1, no_analyze=True)
    assert not Incident.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_where_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    users = User.objects.count()
    with pytest.raises(CommandError, match="Demo data is not allowed with these settings"):
        call_command("seed_demo")
    assert User.objects.count() == users
    assert not Incident.objects.exists()


def _commands_under(settings_module: str, **env) -> set[str]:
    script = (
        "import django; django.setup(); "
        "from django.conf import settings; from django.core.management import get_commands; "
        "print(' '.join(sorted(get_commands()))); print(' '.join(settings.INSTALLED_APPS))"
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    commands, apps = result.stdout.splitlines()[-2:]
    return set(commands.split()) | {f"app:{app}" for app in apps.split()}


def test_production_settings_install_neither_the_app_nor_its_commands():
    production = _commands_under(
        "publicprotection.settings.production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="pp.example.org",
    )
    assert "app:devdata" not in production
    assert not {"seed_demo", "generate_synthetic"} & production
    assert "app:marac" in production  # the product itself is installed

    development = _commands_under("publicprotection.settings.dev")
    assert {"app:devdata", "seed_demo", "generate_synthetic"} <= development
