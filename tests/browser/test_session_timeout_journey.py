"""Journey: an officer types a long account into a form; the idle timeout does not take it.

Typing keeps the session alive; left alone, the page warns two minutes before the end and
"Stay signed in" keeps it; once it has ended the page says so and keeps what was typed, and
sending the form anyway says it was not saved. The browser's clock is Playwright's (minutes
pass at once); the server's session is aged in the database to match."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from publicprotection.accounts.middleware import SESSION_ACTIVE_KEY
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team

from .steps import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT = "CAD 4512 of 07/12, caller a neighbour"

# The dialogs that follow a jump of the clock wait on a request to the live server first (the
# page asks how long is left); on a loaded machine (CI's two cores, the suite in parallel) that
# can take longer than expect's 5 seconds.
ASKED_MS = 15_000


def server_session(page: Page) -> SessionStore:
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=key)


def idle_on_the_server_for(page: Page, seconds: float) -> None:
    session = server_session(page)
    session[SESSION_ACTIVE_KEY] = time.time() - seconds
    session.save()


def signed_in_at_a_form(live_app, page: Page) -> None:
    UserFactory(username="ali.officer", role=Role.OFFICER, team=team("LAM"))
    page.clock.install()
    sign_in(page, live_app.url, "ali.officer")
    page.goto(f"{live_app.url}/cases/incidents/new/")


def test_typing_keeps_the_session_the_warning_offers_more_time_and_an_end_keeps_the_text(
    live_app, page: Page
):
    signed_in_at_a_form(live_app, page)
    field = page.get_by_label("CAD reference (optional)")
    dialog = page.get_by_role("dialog")

    # Typing five minutes in is activity: the page keeps the session alive
    page.clock.fast_forward("05:00")
    with page.expect_response("**/account/session/keep-alive/") as kept:
        field.fill(ACCOUNT)
    assert kept.value.status == 200
    assert time.time() - server_session(page)[SESSION_ACTIVE_KEY] < 30

    # Left alone until two minutes before the end: the warning, and "Stay signed in" keeps it
    idle_on_the_server_for(page, settings.SESSION_IDLE_TIMEOUT - 115)
    page.clock.fast_forward("28:10")
    expect(page.get_by_role("dialog", name="You are about to be signed out")).to_be_visible(
        timeout=ASKED_MS
    )
    expect(dialog).to_contain_text("Anything you have typed and not saved will be lost")
    with page.expect_response("**/account/session/keep-alive/"):
        dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert time.time() - server_session(page)[SESSION_ACTIVE_KEY] < 30

    # The warning follows the server's count: when this page's time comes but the session has
    # longer (another tab was busy), no warning
    with page.expect_response("**/account/session/"):
        page.clock.fast_forward("28:10")
    expect(dialog).to_be_hidden()

    # The session ends (it timed out on the server): the page says so and keeps the text. (The
    # answer above may be read only after this jump: the page counts it from when it asked, so
    # finds it out of date and asks again.)
    Session.objects.all().delete()
    page.clock.fast_forward("30:00")
    expect(page.get_by_role("dialog", name="You have been signed out")).to_be_visible(
        timeout=ASKED_MS
    )
    dialog.get_by_role("button", name="Stay on this page").click()
    expect(dialog).to_be_hidden()
    expect(field).to_have_value(ACCOUNT)

    # Sending the form anyway: the sign-in page says it was not saved
    page.get_by_role("button", name="Save draft and continue").click()
    expect(page.get_by_role("heading", name="Sign in to Public Protection")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent was not saved")


# The page's first answer is read only when the test releases it (the answer itself is read at
# once, so once released the page's code after it runs before any timer).
HOLD_THE_FIRST_ANSWER = """() => {
  const json = Response.prototype.json
  let reads = 0
  Response.prototype.json = function () {
    const body = json.call(this)
    if (reads++ > 0) return body
    window.answerRead = body
    return new Promise((resolve) => { window.releaseAnswer = resolve }).then(() => body)
  }
}"""

# ... and the evaluate returns after it: a message is a task of its own, after the page's code
# (not a timer: Playwright's clock runs those, and a paused one would leave this waiting).
RELEASE_THE_ANSWER = """async () => {
  await window.answerRead
  window.releaseAnswer()
  await new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = resolve
    channel.port2.postMessage(null)
  })
}"""


def test_an_answer_read_after_the_clock_jumped_is_asked_again(live_app, page: Page):
    """A laptop shut with a request under way: the server's answer (plenty of time left) was
    read after the jump and counted from then, so the page thought the session had half an hour
    more and said nothing when it had ended. (The journey above could fail so under load: the
    answer to its last check read after its last fast_forward.)"""
    signed_in_at_a_form(live_app, page)
    page.evaluate(HOLD_THE_FIRST_ANSWER)
    with page.expect_response("**/account/session/") as asked:
        page.clock.fast_forward("28:10")
    assert asked.value.json()["seconds_left"] > 0
    Session.objects.all().delete()
    page.clock.fast_forward("30:00")
    page.evaluate(RELEASE_THE_ANSWER)
    expect(page.get_by_role("dialog", name="You have been signed out")).to_be_visible(
        timeout=ASKED_MS
    )


def test_an_older_answer_read_after_the_end_does_not_close_the_signed_out_dialog(
    live_app, page: Page
):
    """Coming back to the tab asks beside the timer's own check: the older answer (time left),
    read after the newer one (signed out), took the page back to signed in and closed the
    dialog, so the officer was not told."""
    signed_in_at_a_form(live_app, page)
    page.evaluate(HOLD_THE_FIRST_ANSWER)
    with page.expect_response("**/account/session/"):
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    Session.objects.all().delete()
    with page.expect_response("**/account/session/") as ended:
        page.clock.fast_forward("30:00")
    assert ended.value.status == 401
    signed_out = page.get_by_role("dialog", name="You have been signed out")
    expect(signed_out).to_be_visible()
    page.evaluate(RELEASE_THE_ANSWER)
    expect(signed_out).to_be_visible()


def test_a_check_the_server_does_not_answer_is_given_up_for_the_pages_own_clock(
    live_app, page: Page
):
    """A request the server never answered left the page waiting for ever, with no timer: the
    dialog never came."""
    signed_in_at_a_form(live_app, page)
    unanswered = []
    page.route("**/account/session/", lambda route: unanswered.append(route))
    with page.expect_request("**/account/session/"):
        page.clock.fast_forward("30:00")
    page.clock.fast_forward("00:30")  # the page gives the request up after 20 seconds
    expect(page.get_by_role("dialog", name="You have been signed out")).to_be_visible()
    assert len(unanswered) == 1


def test_a_form_opened_before_signing_in_again_in_another_tab_still_saves(live_app, page: Page):
    """Signing in again gives the browser a new form token: the form of a page opened before
    (its session ended, or signed out in another tab) was refused with a 403 page and what
    was typed was lost. Coming back to the tab, the page takes the token that works now."""
    UserFactory(username="ali.officer", role=Role.OFFICER, team=team("LAM"))
    sign_in(page, live_app.url, "ali.officer")
    page.goto(f"{live_app.url}/cases/incidents/new/")
    page.get_by_label("CAD reference (optional)").fill("CAD 4513")

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_app.url}/")
    sign_out(other_tab)
    sign_in(other_tab, live_app.url, "ali.officer")
    other_tab.close()

    with page.expect_response("**/account/session/") as asked:
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    # The page has read the answer (its response comes first): the form has the token
    token = page.locator('input[name="csrfmiddlewaretoken"]').first
    expect(token).to_have_value(asked.value.json()["csrf_token"])
    page.get_by_role("button", name="Save draft and continue").click()
    # The form reached the page behind it: its own errors, with what was typed kept
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("Sorry, your form could not be submitted")).to_have_count(0)
    expect(page.get_by_label("CAD reference (optional)")).to_have_value("CAD 4513")


def test_another_person_signing_in_in_another_tab_ends_this_pages_session(live_app, page: Page):
    UserFactory(username="ali.officer", role=Role.OFFICER, team=team("LAM"))
    UserFactory(username="bea.officer", role=Role.OFFICER, team=team("LAM"))
    sign_in(page, live_app.url, "ali.officer")
    page.goto(f"{live_app.url}/cases/incidents/new/")
    before = page.locator('input[name="csrfmiddlewaretoken"]').first.input_value()

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_app.url}/")
    sign_out(other_tab)
    sign_in(other_tab, live_app.url, "bea.officer")
    other_tab.close()

    with page.expect_response("**/account/session/"):
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.get_by_role("dialog", name="You have been signed out")).to_be_visible()
    # The page's forms are not given the other person's token
    assert page.locator('input[name="csrfmiddlewaretoken"]').first.input_value() == before
