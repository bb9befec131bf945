"""Headless Chromium (the Debian browser, started once per test module: a module of its own may
run Playwright's sync API itself, which refuses to start inside another running one) and
`new_page`: a page in a fresh browser context (its own cookies), one per person, on the live
server."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.factories.helpers.browser import CHROMIUM_ARGS, DESKTOP


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(viewport=DESKTOP) -> a page in a fresh context, closed after the test."""
    contexts = []

    def make(viewport: dict = DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport, locale="ja-JP", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()
