"""Issue 17 at 375 px in headless Chromium: an enrolled trainee opens 専攻医の研修実績 from the
menu, enters a facility period (入力 → 登録確認 → 登録), sees the gap warning on its row and the
timeline, then inserts an interruption inside it; nothing scrolls sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories.helpers.browser import PHONE, shot

pytestmark = pytest.mark.browser


def follow(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_trainee_enters_a_record_on_a_phone(app, world, live_server, new_page, make_recruitment, enrol):
    rec = make_recruitment(world.jmsb)
    enrol(rec, rec.society.trainee, cohort=2024)
    base = live_server.base("jmsb")
    page = new_page(PHONE)
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill("trainee@jmsb.example.jp")
    page.get_by_label("パスワード").fill("pass-word-123")
    follow(page, page.get_by_role("button", name="ログイン"))
    menu = page.get_by_role("navigation", name="メニュー")
    menu.locator("summary").click()  # collapsed on a phone
    follow(page, menu.get_by_role("link", name="専攻医の研修実績"))
    expect(page.get_by_text("研修開始日（2024/04/01）から現在までの研修実績を登録してください。")).to_be_visible()
    fits(page)

    follow(page, page.get_by_role("link", name="研修施設の登録"))
    page.get_by_label("開始日").fill("2024-04-01")
    page.get_by_label("終了日").fill("2024-12-31")
    page.get_by_label("研修施設名", exact=True).select_option(label="施設A")
    page.get_by_label("その他詳細").fill("週に1度毎週施設Bで研修")
    fits(page)
    follow(page, page.get_by_role("button", name="登録確認"))
    expect(page.get_by_role("heading", name="研修実績の登録確認")).to_be_visible()
    expect(page.get_by_text("週に1度毎週施設Bで研修")).to_be_visible()
    shot(page, "17-01-record-confirm-phone")
    follow(page, page.get_by_role("button", name="登録", exact=True))

    expect(page.get_by_text("研修実績を登録しました。")).to_be_visible()
    expect(page.locator("#record-1-problem, .row-problem").first).to_contain_text("研修実績がありません")
    expect(page.locator("figure.timeline svg")).to_be_visible()
    expect(page.locator("figure.timeline svg .mark-gap")).to_have_count(1)
    fits(page)
    shot(page, "17-02-records-with-gap-phone")

    follow(page, page.get_by_role("link", name="挿入").first)
    page.get_by_label("研修状況").select_option(label="研修")
    page.get_by_label("開始日").fill("2025-01-01")
    page.get_by_label("研修施設名", exact=True).select_option(label="施設B")
    follow(page, page.get_by_role("button", name="登録確認"))
    follow(page, page.get_by_role("button", name="登録", exact=True))
    expect(page.locator("figure.timeline svg .mark-gap")).to_have_count(0)
    expect(page.locator("figcaption").get_by_text("空白期間 0件、重複 0件")).to_be_visible()
    fits(page)
    shot(page, "17-03-records-complete-phone")
