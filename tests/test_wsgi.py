"""The WSGI entry point starts a worker ready to serve."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def assert_holds_in_a_new_worker(check: str) -> None:
    """`check` (Python asserts) passes in a fresh process that has loaded the WSGI application,
    as a gunicorn worker has before its first request."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "publicprotection.settings.dev"}
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", f"import gc, sys, publicprotection.wsgi; {check}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_loading_the_wsgi_application_imports_the_views():
    # A worker's first request must not pay for importing every view module (1.8 s).
    assert_holds_in_a_new_worker(
        "assert 'cases.views.incidents' in sys.modules; "
        "assert 'marac.views.meetings' in sys.modules"
    )


def test_the_objects_made_at_start_up_are_kept_out_of_the_cycle_collectors_walks():
    # A full collection walks every tracked object: with start-up's (about 130,000) it took
    # 100-150 ms in the middle of a request.
    assert_holds_in_a_new_worker(
        "assert gc.get_freeze_count() > 50_000, gc.get_freeze_count(); assert gc.isenabled()"
    )
