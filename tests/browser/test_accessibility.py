"""Accessibility: axe-core (from npm, node_modules/axe-core) audits every kind of page each
role can reach in the demo data, and the error states of the main forms, against WCAG 2.2 A
and AA; each page is also checked to reflow on a 320 CSS px screen (WCAG 1.4.10). Automated
checks find a part of the problems a person with a screen reader would; they keep the rest of
the markup from regressing.

The pages are found by following links from the home page, as a user would, plus a few
searches: one page per URL shape (`/cases/incidents/{}/`, with the names of its query
parameters), so a new page is audited as soon as something links to it.
"""

from __future__ import annotations

import importlib
import re
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from cases.reference_data import load_reference_data as load_offences
from marac.services.agendas import agenda_generate
from publicprotection.accounts.models import Team
from publicprotection.london_time import london_today
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import AXE, audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Roles whose pages differ; each signs in with the demo password.
DEMO_USERS = [
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
# Not pages: documents, htmx fragments and polling, the API, Django's admin, sign-out.
SKIPPED = re.compile(
    r"\.(pdf|csv)$|/pdf/$|/letter/(draft/)?$|/status/$|/panel/$|^/api/|^/admin/|^/static/"
    r"|^/account/sign-out/"
)
PAGES_PER_USER = 90
# Pages no link leads to: search results (the forms are GET forms).
SEARCHES = ["/cases/people/?name=Okafor", "/cases/incidents/?q=Okafor", "/audit/?username=analyst"]


def url_shape(url: str) -> str:
    """`/cases/incidents/DV/LAM/2026/000123/` and `/cases/people/42/?page=2` by their shape:
    ids and borough codes as {}, and the names (not values) of the query parameters."""
    parts = urlsplit(url)
    path = "/".join(
        "{}" if re.fullmatch(r"\d+|[A-Z]{3}", part) else part for part in parts.path.split("/")
    )
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + (f"?{'&'.join(keys)}" if keys else "")


def next_frame(page: Page) -> None:
    """After layout and the page's own resize handlers (requestAnimationFrame). A page that
    draws no frame (hidden) runs no animation frame, and an evaluate has no timeout: it would
    wait for ever, so it gives up after 5 seconds."""
    page.evaluate(
        """() => new Promise(done => {
            requestAnimationFrame(() => requestAnimationFrame(done))
            setTimeout(done, 5000)
        })"""
    )


def reflow_problems(page: Page) -> list[str]:
    """WCAG 1.4.10: at 320 CSS px wide the page does not scroll sideways (every table is in
    its own box, which scrolls), and a table box that does scroll can be reached from the
    keyboard."""
    path, size = urlsplit(page.url).path, page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        next_frame(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        problems = [f"{path}: {overflow}px wider than a 320px screen"] if overflow > 0 else []
        if bare := page.evaluate(
            "[...document.querySelectorAll('main table')]"
            ".filter(table => !table.parentElement.matches('.pp-table-scroll')).length"
        ):
            problems.append(f"{path}: {bare} table(s) not in a .pp-table-scroll box")
        try:  # app.mjs marks a box when its size changes (a ResizeObserver)
            page.wait_for_function(
                """() => [...document.querySelectorAll('.pp-table-scroll')]
                    .filter(box => box.checkVisibility())  // not in a closed <details>
                    .every(box => (box.scrollWidth > box.clientWidth)
                                  === box.hasAttribute('tabindex'))""",
                timeout=3000,
            )
        except PlaywrightTimeoutError:
            problems.append(f"{path}: a table that scrolls has no tab stop (or one that fits has)")
        return problems
    finally:
        page.set_viewport_size(size)


def sign_in_demo(page: Page, base: str, username: str) -> None:
    """Sign in as a demo user, whoever was signed in before."""
    page.context.clear_cookies()
    sign_in(page, base, username, password=settings.DEMO_PASSWORD)


def same_site_links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        url, _ = urldefrag(href)
        if not url.startswith(base):
            continue
        parts = urlsplit(url)
        if not SKIPPED.search(parts.path):
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@pytest.fixture(autouse=True)
def _axe_is_installed():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make env` (npm ci) installs axe-core.")


def load_lesson_themes():
    """The homicide reviews' lesson themes, as their data migration writes them."""
    from django.apps import apps

    migration = importlib.import_module("homicidereviews.migrations.0002_lesson_themes")
    migration.add_themes(apps, None)


@pytest.fixture
def demo_site(live_app, private_storage):
    load_offences()  # the flush between transactional tests removed the reference tables
    load_instruments()
    load_lesson_themes()
    call_command("seed_demo", stdout=StringIO())
    agenda_generate(team=Team.objects.get(code="LAM"), meeting_date=london_today())
    return live_app.url


def test_every_page_in_the_demo_passes_axe(demo_site, page: Page):
    problems, audited = [], set()
    for username in DEMO_USERS:
        sign_in_demo(page, demo_site, username)
        queue, visited, shown = ["/", *SEARCHES], set(), set()
        while queue and len(shown) < PAGES_PER_USER:
            path = queue.pop(0)
            if path in visited or url_shape(path) in shown:
                continue
            visited.add(path)
            response = page.goto(f"{demo_site}{path}")
            if (
                response is None
                or response.status >= 400
                or "html" not in (response.headers.get("content-type", ""))
            ):
                continue  # another page of the same shape may still be shown
            shown.add(url_shape(path))
            # Once, by the first role to reach it (under where it landed, after a redirect);
            # a partner's pages (their MARAC home, a shared case) are built from other
            # templates than the police's of the same URL.
            landed = url_shape(page.url.removeprefix(demo_site))
            kind = ("partner " if username.startswith("partner.") else "") + landed
            if landed == "/":  # each role's home is its own page (worklists): audit every one
                kind = f"home of {username}"
            if kind not in audited:
                audited.add(kind)
                problems += audit(page) + reflow_problems(page)
            queue += [p for p in same_site_links(page, demo_site) if url_shape(p) not in shown]
    print(f"axe audited {len(audited)} kinds of page:", *sorted(audited), sep="\n  ")
    assert len(audited) > 40, sorted(audited)  # the crawl reached the product, not one page
    assert not problems, "\n".join(problems)


def test_the_audit_finds_a_violation(live_app, page: Page):
    """The harness itself: axe runs and reports what it finds."""
    page.goto(f"{live_app.url}/account/sign-in/")
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert any(" image-alt " in line for line in audit(page))


def test_the_reflow_check_finds_a_page_wider_than_the_screen(live_app, page: Page):
    page.goto(f"{live_app.url}/account/sign-in/")
    assert reflow_problems(page) == []
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<p>' + 'DV/LAM/2026/000123'.repeat(8) + '</p>')"
    )
    assert "wider than a 320px screen" in " ".join(reflow_problems(page))
    page.evaluate("document.querySelector('main').append(document.createElement('table'))")
    assert "not in a .pp-table-scroll box" in " ".join(reflow_problems(page))


def test_the_incident_list_fits_a_laptop_and_a_phone_without_scrolling(demo_site, page: Page):
    """At 19px its seven columns ran 4px past the page on a 1280px laptop, cutting the officer
    off; on a phone a row's flags ran off its card. Now 16px text (pp-table-compact), and the
    flags wrap inside their cell."""
    sign_in_demo(page, demo_site, "lam.officer")
    page.goto(f"{demo_site}/cases/incidents/")
    box = page.get_by_role("region", name="Incidents, newest first")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        next_frame(page)
        assert box.evaluate("box => box.scrollWidth - box.clientWidth") == 0, width


def test_a_wide_table_scrolls_in_its_own_box_with_a_tab_stop(demo_site, page: Page):
    sign_in_demo(page, demo_site, "lam.officer")
    page.goto(f"{demo_site}/cases/incidents/")
    box = page.get_by_role("region", name="Incidents, newest first")
    # Wherever the table is wider than its box, the box scrolls and has a tab stop to scroll
    # it with, and only then (on a phone the incident list stacks into cards, pp-table-stack).
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        next_frame(page)
        scrolls = box.evaluate("box => box.scrollWidth > box.clientWidth")
        if scrolls:
            expect(box).to_have_attribute("tabindex", "0")
        else:
            expect(box).not_to_have_attribute("tabindex", "0")
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_wide_table_shown_later_gets_its_tab_stop(demo_site, page: Page):
    """The dashboard's monthly figures are in closed <details>, made narrow while closed:
    once opened, a table that scrolls has its tab stop."""
    sign_in_demo(page, demo_site, "analyst")
    page.goto(f"{demo_site}/reports/")
    page.set_viewport_size({"width": 320, "height": 640})
    next_frame(page)
    details = page.locator("main details").first
    box = details.locator(".pp-table-scroll")
    expect(box).not_to_have_attribute("tabindex", "0")
    details.locator("summary").click()
    expect(box).to_have_attribute("tabindex", "0")


def test_sign_in_page_and_its_error_state_pass_axe(live_app, page: Page):
    page.goto(f"{live_app.url}/account/sign-in/")
    problems = audit(page)
    page.locator("main button[type=submit]").click()
    problems += audit(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path",
    [
        "/cases/incidents/new/",
        "/cases/people/new/",
        "/marac/meetings/new/",
        "/homicide-reviews/new/",
    ],
)
def test_forms_sent_empty_show_errors_that_pass_axe(demo_site, page: Page, path):
    username = {"/marac/": "lam.coordinator", "/homicide-reviews/": "review.lead"}.get(
        path[: path.index("/", 1) + 1], "lam.officer"
    )
    sign_in_demo(page, demo_site, username)
    page.goto(f"{demo_site}{path}")
    page.evaluate(  # what the browser would refuse to send, and the defaults, cleared
        """document.querySelectorAll('main form').forEach(form => {
            form.noValidate = true;
            form.querySelectorAll('input:not([type=hidden]):not([type=radio]):not([type=checkbox]),'
                + ' textarea').forEach(field => { field.value = ''; });
        })"""
    )
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems = audit(page)
    assert not problems, "\n".join(problems)
