"""No htmx failure is silent (DESIGN.md rule 16), in headless Chromium: a 500 and a lost
connection during an htmx action show a Japanese banner in the page's message region (app.js,
texts from base.html), and a 4xx answered by the server lands in that region too, leaving the
element the action targeted as it was."""
from __future__ import annotations

import re
import socket
import threading

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

# The session app serves from a thread: it reads the rows over connections of its own.
pytestmark = [pytest.mark.browser, pytest.mark.committed]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SEARCH = re.compile(r"/admin/registrants\?")
SERVER_ERROR = "サーバーでエラーが発生しました。時間をおいて再度お試しください。"
NETWORK_ERROR = "通信できませんでした。接続を確認して再度お試しください。"
PROXY_PAGE = "<!doctype html><html><body><h1>500 Internal Server Error</h1></body></html>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def base(app, world):
    """The session app itself on a loopback port (jobs in-process: no Redis needed)."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://jmsb.localhost:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(base):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ja-JP")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def open_registrants(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill("jmsb-jimu@example.jp")
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()
    page.goto(f"{base}/admin/registrants")  # "load": htmx and app.js have bound their handlers
    expect(page.get_by_role("heading", name="登録者一覧", level=1)).to_be_visible()


def test_server_error_and_lost_connection_show_a_japanese_banner(page, base):
    open_registrants(page, base)
    messages, results = page.locator("#messages"), page.locator("#registrant-results")
    search = page.get_by_role("button", name="検索")

    page.route(SEARCH, lambda route: route.fulfill(status=500, content_type="text/html",
                                                   body=PROXY_PAGE))
    search.click()
    expect(messages.get_by_role("alert")).to_have_text(SERVER_ERROR)
    expect(results).to_be_visible()
    expect(page.get_by_text("500 Internal Server Error")).to_have_count(0)
    page.unroute(SEARCH)

    page.route(SEARCH, lambda route: route.abort("internetdisconnected"))
    search.click()
    expect(messages.get_by_role("alert")).to_have_text(NETWORK_ERROR)
    expect(messages.get_by_role("alert")).to_have_count(1)  # this failure replaced the last one
    page.unroute(SEARCH)

    search.click()  # the connection is back: the next action clears the banner
    expect(messages.get_by_role("alert")).to_have_count(0)
    expect(results).to_be_visible()


def test_a_4xx_answer_lands_in_the_message_region_not_in_the_target(page, base):
    open_registrants(page, base)
    page.evaluate("htmx.ajax('GET', '/no/such/page', "
                  "{target: '#registrant-results', swap: 'outerHTML'})")
    expect(page.locator("#messages").get_by_role("alert")).to_have_text("ページが見つかりません。")
    expect(page.locator("#registrant-results")).to_be_visible()
    expect(page.locator("header")).to_have_count(1)  # no second page inside the first
