"""研修終了要件チェック and 研修進捗一覧 in headless Chromium at 375 px: reached from the menu,
nothing wider than the phone (the cohort table scrolls inside its own region, which the
keyboard reaches), met and unmet in words, and the cohort filtered with the form."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories.helpers.browser import PHONE, shot
from tests.factories.helpers.progress import approved_credential

pytestmark = pytest.mark.browser


def login(page: Page, base: str, login_id: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ログインID（会員番号）").fill(login_id)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/")


def from_menu(page: Page, label: str) -> None:
    nav = page.get_by_role("navigation", name="メニュー")
    nav.locator("summary").click()  # collapsed on a phone
    with page.expect_navigation():
        nav.get_by_role("link", name=label, exact=True).click()


def no_wider_than_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_trainee_reads_their_check_on_a_phone(world, add_rows, live_server, new_page):
    s = world.jsicm
    add_rows(s.tenant_id, approved_credential(s, s.trainee, s.application))
    base = live_server.base("jsicm")
    page = new_page(PHONE)
    login(page, base, "jsicm-800014")
    from_menu(page, "研修終了要件チェック")
    expect(page.get_by_role("heading", name="研修終了要件チェック", level=1)).to_be_visible()
    expect(page.locator(".overall")).to_have_text("✗ 未達の要件が 12 件あります")
    credential = page.locator("#requirement-credential")
    expect(credential).to_contain_text("満たしています")
    expect(page.locator("#requirement-cases_total")).to_contain_text("あと100例")
    no_wider_than_the_screen(page)
    shot(page, "progress-check-phone")


def test_the_secretariat_filters_the_cohort_on_a_phone(world, live_server, new_page):
    base = live_server.base("jsicm")
    page = new_page(PHONE)
    login(page, base, "jsicm-jimu")
    from_menu(page, "研修進捗一覧")
    region = page.get_by_role("region", name="専攻医 × 研修終了要件")
    expect(region.locator("tbody tr")).to_have_count(1)
    no_wider_than_the_screen(page)
    assert page.evaluate("(e => e.scrollWidth > e.clientWidth)(document.querySelector('.table-scroll'))")
    region.focus()  # the keyboard scrolls the wide table inside its region
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.table-scroll').scrollLeft > 0")
    page.get_by_label("施設").select_option(label="施設B")
    page.get_by_role("button", name="絞り込み").click()
    expect(page).to_have_url(f"{base}/progress/cohort?year=&facility={world.jsicm.other_facility}")
    expect(page.get_by_text("該当する専攻医はいません。")).to_be_visible()
    shot(page, "progress-cohort-phone")
