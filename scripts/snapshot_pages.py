"""Snapshot the pages of the demo data, as each demo user sees them, to compare the HTML before
and after a change that should change nothing a user sees (a template refactoring).

    SNAPSHOT_DIR=var/snapshots/before pytest scripts/snapshot_pages.py -p no:randomly
    ... change the templates ...
    SNAPSHOT_DIR=var/snapshots/after pytest scripts/snapshot_pages.py -p no:randomly
    diff -r var/snapshots/before var/snapshots/after

Pages are found by following links from each user's home (Django's test client, GET only),
plus the error state of every POST form reached: the form posted with only its hidden fields,
in a transaction rolled back afterwards, so the crawl sees the same data each time. The HTML is
normalized (one tag a line, whitespace around tags dropped, tokens and the clock blanked:
RUN_TO_RUN) so only differences a user could see remain. Each run needs a new test database
(not --reuse-db: rolled-back inserts still use up ids), and the two runs the same demo data.
Not a test (pytest collects it only when named): it passes whatever the pages say.
"""

from __future__ import annotations

import hashlib
import os
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

USERS = [
    "lam.officer",
    "lam.supervisor",
    "lam.coordinator",
    "central.coordinator",
    "analyst",
    "partner.idva",
    "review.lead",
    "central.supervisor",
    "admin",
]
SKIPPED = re.compile(
    r"\.(pdf|csv)$|/pdf/$|/letter/(draft/)?$|/status/$|/panel/$|^/api/|^/admin/|^/static/"
    r"|^/account/sign-out/|/download/"
)
SEARCHES = ["/cases/people/?name=Okafor", "/cases/incidents/?q=Okafor", "/audit/?username=analyst"]
PAGES_PER_USER = int(os.environ.get("SNAPSHOT_PAGES", "160"))
PER_SHAPE = 3


def url_shape(url: str) -> str:
    parts = urlsplit(url)
    path = "/".join("{}" if re.fullmatch(r"\d+|[A-Z]{3}", p) else p for p in parts.path.split("/"))
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + (f"?{'&'.join(keys)}" if keys else "")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "hidden": {}, "visible": 0}
        elif self._form is not None and tag in ("input", "select", "textarea"):
            if a.get("type") == "hidden":
                self._form["hidden"][a.get("name")] = a.get("value") or ""
            elif a.get("type") not in ("submit", "button"):
                self._form["visible"] += 1

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if self._form["visible"]:
                self.forms.append(self._form)
            self._form = None


# What differs from one run to the next whatever the templates: tokens, one-time values, the
# clock (the demo data is dated from now; forms default to the current time).
RUN_TO_RUN = [
    (r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1"),
    (r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""'),
    (r'\snonce="[^"]*"', ""),
    (r'name="_once" value="[^"]*"', 'name="_once" value=""'),
    (r'<path d="[^"]*" id="qr-path"', '<path d="" id="qr-path"'),
    (r"\b[A-Z2-7]{32}\b", "SECRET"),
    (r'datetime="[^"]*"', 'datetime=""'),
    (r"\b\d{1,2}:\d\d(:\d\d)?\b", "HH:MM"),
    (r'(name="\w+_(?:minute|hour|day)" value=")\d+', r"\1N"),
    (r"\b\d+ (minutes?|seconds?|hours?) ago", "N ago"),
]


def normalize(html: str) -> str:
    for pattern, replacement in RUN_TO_RUN:
        html = re.sub(pattern, replacement, html)
    html = re.sub(r'class="([^"]*)"', lambda m: 'class="' + " ".join(m[1].split()) + '"', html)
    html = re.sub(r"\s*(<[^>]+>)\s*", r"\n\1\n", html)
    lines = (" ".join(line.split()) for line in html.splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def file_name(user: str, path: str, suffix: str = "") -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")[:120] or "home"
    digest = hashlib.sha1(path.encode()).hexdigest()[:8]  # noqa: S324 - a file name
    return f"{user}/{slug}_{digest}{suffix}.html"


@pytest.mark.django_db
def test_snapshot(client, tmp_path):
    from django.contrib.auth import get_user_model

    from marac.services.agendas import agenda_generate
    from publicprotection.accounts.models import Team
    from publicprotection.london_time import london_today

    User = get_user_model()  # noqa: N806
    out = Path(os.environ.get("SNAPSHOT_DIR", "var/snapshots/now"))
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        call_command("seed_demo", stdout=StringIO())
        agenda_generate(team=Team.objects.get(code="LAM"), meeting_date=london_today())
        index = []
        for user in USERS:
            client.logout()
            client.force_login(User.objects.get(username=user))
            queue, visited, shapes = ["/", *SEARCHES], set(), {}
            shown = 0
            while queue and shown < PAGES_PER_USER:
                path = queue.pop(0)
                shape = url_shape(path)
                if path in visited or shapes.get(shape, 0) >= PER_SHAPE:
                    continue
                visited.add(path)
                response = client.get(path)
                if response.status_code != 200 or "html" not in response.get("content-type", ""):
                    continue
                shapes[shape] = shapes.get(shape, 0) + 1
                shown += 1
                html = response.content.decode()
                name = file_name(user, path)
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_text(normalize(html))
                index.append(f"{name} {path}")
                parsed = _Links()
                parsed.feed(html)
                for number, form in enumerate(parsed.forms):
                    action = urljoin(path, form["action"]) if form["action"] else path
                    with transaction.atomic():
                        posted = client.post(action, form["hidden"])
                        transaction.set_rollback(True)
                    if "html" in posted.get("content-type", "") and posted.status_code < 500:
                        name = file_name(user, path, f"_post{number}")
                        (out / name).write_text(
                            f"status {posted.status_code}\n" + normalize(posted.content.decode())
                        )
                        index.append(f"{name} POST {action}")
                for href in parsed.links:
                    url, _ = urldefrag(urljoin(path, href))
                    parts = urlsplit(url)
                    if parts.netloc or not parts.path.startswith("/"):
                        continue
                    if SKIPPED.search(parts.path):
                        continue
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        (out / "index.txt").write_text("\n".join(index) + "\n")
    assert len(index) > 100
