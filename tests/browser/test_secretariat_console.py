"""The secretariat console clicked through in headless Chromium against a live server
(issue 15 item 7): a notice published by the secretariat reaches a trainee's top page, and
deactivating the trainee ends the trainee's open session at once and refuses the next login
with the wrong-password message."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories.helpers.browser import shot

pytestmark = pytest.mark.browser

WRONG_PASSWORD = "ログインIDまたはパスワードが正しくありません。"


def login(page: Page, base: str, login_id: str, password: str = "pass-word-123") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ログインID（会員番号）").fill(login_id)
    page.get_by_label("パスワード").fill(password)
    with page.expect_navigation():  # until "load": app.js and htmx have bound their handlers
        page.get_by_role("button", name="ログイン").click()


def open_from_menu(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="メニュー").get_by_role("link", name=label).click()


def notices_section(page: Page):
    return page.locator("section", has=page.locator("#notices-h"))


def test_a_notice_reaches_the_trainee_top_page(world, live_server, new_page):
    base = live_server.base("jsicm")
    trainee = new_page()
    login(trainee, base, "jsicm-800014")
    expect(notices_section(trainee)).to_contain_text("お知らせはありません")

    jimu = new_page()
    login(jimu, base, "jsicm-jimu")
    open_from_menu(jimu, "お知らせ管理")
    jimu.get_by_role("link", name="お知らせを登録する").click()
    jimu.get_by_label("件名").fill("研修説明会のお知らせ")
    jimu.get_by_label("本文").fill("会場と日程は https://example.jp/info をご覧ください。")
    jimu.get_by_label("対象").select_option(label="専攻医")
    jimu.get_by_label("掲載開始日時").fill("2026-01-05T09:00")
    with jimu.expect_navigation():
        jimu.get_by_role("button", name="登録する").click()
    expect(jimu.locator("#messages")).to_contain_text("お知らせを登録しました。")
    expect(jimu.get_by_role("table")).to_contain_text("掲載中")

    trainee.reload()
    section = notices_section(trainee)
    expect(section).to_contain_text("研修説明会のお知らせ")
    expect(section.get_by_role("link", name="https://example.jp/info")).to_have_attribute(
        "rel", "noopener noreferrer nofollow")
    shot(trainee, "console-notice-on-trainee-top")


def test_deactivation_ends_the_open_session_and_refuses_login(world, live_server, new_page):
    base = live_server.base("jsicm")
    trainee = new_page()
    login(trainee, base, "jsicm-800014")
    expect(trainee).to_have_url(f"{base}/")

    jimu = new_page()
    login(jimu, base, "jsicm-jimu")
    open_from_menu(jimu, "アカウント管理")
    jimu.get_by_label("検索").fill("800014")
    jimu.get_by_role("button", name="検索").click()
    results = jimu.locator("#people-results")
    expect(results).to_contain_text("jsicm-800014")
    with jimu.expect_navigation():
        results.get_by_role("link", name="専攻医 テスト1").click()
    jimu.get_by_label("理由").fill("退会のため")
    with jimu.expect_navigation():
        jimu.get_by_role("button", name="アカウントを無効にする").click()
    expect(jimu.locator("#account-status")).to_contain_text("無効")
    shot(jimu, "console-account-deactivated")

    trainee.reload()
    expect(trainee).to_have_url(f"{base}/login?next=%2F")
    login(trainee, base, "jsicm-800014")
    expect(trainee.get_by_text(WRONG_PASSWORD)).to_be_visible()
