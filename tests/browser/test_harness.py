"""The browser tests' own harness: a browser context Chromium never closes cannot hold a test
in teardown (it did, for ten minutes, until pytest-timeout failed a test whose steps had all
passed)."""

import asyncio
import time

import pytest

from tests.browser.conftest import close_within

pytestmark = pytest.mark.browser


def test_a_context_chromium_never_closes_is_left_behind_in_bounded_time(browser):
    context = browser.new_context()
    context.new_page().goto("data:text/html,<p>Nothing to see.</p>")
    real_close = context._impl_obj.close

    async def never_answers(reason=None):
        await asyncio.sleep(3600)

    context._impl_obj.close = never_answers
    started = time.monotonic()
    try:
        with pytest.warns(UserWarning, match="did not close a browser context within 1 s"):
            close_within(context, 1)
        assert time.monotonic() - started < 20
        # The page was taken off the application before the close was asked for.
        assert [page.url for page in context.pages] == ["about:blank"]
    finally:
        context._impl_obj.close = real_close
        context.close()


def test_a_context_that_closes_is_closed_without_a_warning(browser, recwarn):
    context = browser.new_context()
    context.new_page()

    close_within(context, 30)

    assert context.pages == []
    assert not [w for w in recwarn if "did not close" in str(w.message)]
