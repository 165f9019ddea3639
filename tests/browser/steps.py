"""Steps shared by the browser journeys: signing in and out through the real pages, and the
axe-core audit of the page shown (node_modules/axe-core, WCAG 2.2 A and AA)."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

FACTORY_PASSWORD = "correct-horse-battery"  # noqa: S105 - UserFactory's, test users only


def sign_in(page: Page, base: str, username: str, password: str = FACTORY_PASSWORD) -> None:
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()


def sign_out(page: Page) -> None:
    """Sign out, and wait for the sign-in page: a journey's last step must not leave a
    navigation in flight while the browser context is closed."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def fill_date(scope, label: str, day) -> None:
    """Type a date into the GOV.UK date input (day, month, year boxes) named `label`."""
    group = scope.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def fill_datetime(scope, label: str, when) -> None:
    """Type a date and time (London time) into the day, month, year, hour and minute boxes."""
    when = timezone.localtime(when)
    fill_date(scope, label, when)
    group = scope.get_by_role("group", name=label)
    group.get_by_label("Hour").fill(f"{when.hour:02d}")
    group.get_by_label("Minute").fill(f"{when.minute:02d}")


AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def audit(page: Page) -> list[str]:
    """axe's WCAG violations on the page as shown, one line each."""
    # Content htmx loads with the page (the risk summary on a person's page) is audited too.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a script tag: the page's CSP (rightly) refuses inline scripts.
        page.evaluate(AXE.read_text())
    # The scrollable pane's edge shadows are a background gradient, which axe cannot measure
    # contrast against (it reports every cell "incomplete"); the text sits on white, so the
    # audit checks it on white.
    page.evaluate(
        "document.querySelectorAll('.moj-scrollable-pane')"
        ".forEach(pane => { pane.style.background = '#ffffff'; })"
    )
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = []
    for v in result["violations"]:
        nodes = [node for node in v["nodes"] if not _govuk_conditional_radio(v, node)]
        if nodes:
            violations.append(
                f"{urlsplit(page.url).path}: {v['id']} ({v['impact']}) {v['help']}: "
                + "; ".join(node["target"][0] for node in nodes[:3])
            )
    return violations


def _govuk_conditional_radio(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend's conditional reveal sets aria-expanded on the radio that reveals
    questions (govuk-frontend radios.mjs, by design and tested by the Design System with
    assistive technology); axe's aria-allowed-attr flags exactly that and nothing else there."""
    return (
        violation["id"] == "aria-allowed-attr"
        and "govuk-radios__input" in node["html"]
        and "aria-expanded" in node["html"]
    )
