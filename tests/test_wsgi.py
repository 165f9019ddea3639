"""The WSGI entry point starts a worker ready to serve."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_loading_the_wsgi_application_imports_the_views():
    # A worker's first request must not pay for importing every view module (1.8 s).
    check = (
        "import sys, publicprotection.wsgi; "
        "assert 'cases.views.incidents' in sys.modules; "
        "assert 'marac.views.meetings' in sys.modules"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "publicprotection.settings.dev"}
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_objects_made_at_start_up_are_kept_out_of_the_cycle_collectors_walks():
    # A full collection walks every tracked object: with start-up's (about 130,000) it took
    # 100-150 ms in the middle of a request.
    check = (
        "import gc, publicprotection.wsgi; "
        "assert gc.get_freeze_count() > 50_000, gc.get_freeze_count(); "
        "assert gc.isenabled()"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "publicprotection.settings.dev"}
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
