"""Issue 16 item 8: trainee and director walk the case log together on 375 px phones — a case
is entered and signed off, a 症例レポート on it is submitted, returned with a comment,
revised (the director sees the 差分 of version 2) and accepted, and the trainee's
研修終了要件チェック counts both. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories.helpers.browser import PHONE, shot
from tests.factories.helpers.case_log import unlock

pytestmark = pytest.mark.browser


def _login(page: Page, base: str, login_id: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ログインID（会員番号）").fill(login_id)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()


def _menu(page: Page, label: str) -> None:
    nav = page.get_by_role("navigation", name="メニュー")
    link = nav.get_by_role("link", name=label, exact=True)
    if not link.is_visible():  # on a phone the menu starts folded
        nav.locator("summary").click()
    with page.expect_navigation():
        link.click()


def _click(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _narrow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _enter_case(trainee: Page) -> None:
    _menu(trainee, "経験症例新規登録")
    trainee.get_by_label("ICU入室日").fill("2025-05-10")
    trainee.get_by_label("ICU退室日").fill("2025-05-16")
    trainee.get_by_label("40〜64歳").check()
    trainee.get_by_label("男性").check()
    trainee.get_by_label("主たる疾患分類").select_option("sepsis_shock")
    trainee.get_by_label("血液浄化").check()
    trainee.get_by_label("生存退室").check()
    trainee.get_by_label("経過の要点").fill("第2病日に持続的血液濾過透析を開始、第5病日に離脱。")
    _click(trainee, "登録")
    expect(trainee.locator("main")).to_contain_text("承認待ち")


def _write_report(trainee: Page) -> None:
    _menu(trainee, "症例レポート新規登録")
    trainee.get_by_label("症例", exact=True).select_option(index=1)
    trainee.get_by_label("表題").fill("敗血症性ショックに血液浄化を行った一例")
    trainee.get_by_label("本文").fill("【症例】50歳代男性。\n【経過】第2病日に血液浄化を開始した。")
    _narrow(trainee)
    _click(trainee, "提出")
    expect(trainee.locator("main")).to_contain_text("審査待ち")


def test_a_case_and_its_report_from_entry_to_acceptance_on_phones(app, world, live_server,
                                                                   new_page):
    unlock(app, world.jsicm)
    base = live_server.base("jsicm")
    trainee, director = new_page(PHONE), new_page(PHONE)
    _login(trainee, base, "jsicm-800014")
    _enter_case(trainee)
    shot(trainee, "walk-case-entered-phone")
    _write_report(trainee)

    _login(director, base, "jsicm-director")
    _menu(director, "症例承認")
    director.locator("tbody tr").first.get_by_role("button", name="承認").click()
    expect(director.locator("#waiting-count")).to_have_text("0")
    _menu(director, "症例レポート審査")
    with director.expect_navigation():
        director.get_by_role("link", name="敗血症性ショックに血液浄化を行った一例").click()
    director.get_by_label("コメント").fill("考察を加えてください。")
    _click(director, "差戻し")
    expect(director.locator("main")).to_contain_text("症例レポートを差し戻しました。")
    _narrow(director)

    _menu(trainee, "症例一覧")
    trainee.goto(f"{base}/cases/reports/")
    with trainee.expect_navigation():
        trainee.get_by_role("link", name="敗血症性ショックに血液浄化を行った一例").click()
    expect(trainee.locator("main")).to_contain_text("考察を加えてください。")
    with trainee.expect_navigation():
        trainee.get_by_role("link", name="修正する").click()
    trainee.get_by_label("本文").fill("【症例】50歳代男性。\n【経過】第2病日に血液浄化を開始した。\n"
                                    "【考察】早期の血液浄化で循環が安定した。")
    _click(trainee, "提出")

    _menu(director, "症例レポート審査")
    with director.expect_navigation():
        director.get_by_role("link", name="敗血症性ショックに血液浄化を行った一例").click()
    expect(director.locator(".report-diff ins").first).to_contain_text("考察")  # 差分 of v2
    shot(director, "walk-report-diff-phone")
    _click(director, "受理")
    expect(director.locator("main")).to_contain_text("症例レポートを受理しました。")

    _menu(trainee, "研修終了要件チェック")
    main = trainee.locator("main")
    expect(main.locator("tr", has_text="経験症例 100例以上")).to_contain_text("1 / 100例")
    expect(main.locator("tr", has_text="症例レポート 10件")).to_contain_text("1 / 10件")
    _narrow(trainee)
    shot(trainee, "walk-requirements-phone")
