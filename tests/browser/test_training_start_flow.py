"""研修開始申請 clicked through (issue 16 item 1, A-W01, A-R03): a newcomer without a training
start applies on a 375 px phone, the named director approves in 研修開始審査, and the
trainee's 証票アップロード opens. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories.helpers.browser import DESKTOP, PHONE, shot

pytestmark = pytest.mark.browser


def _login(page: Page, base: str, login_id: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ログインID（会員番号）").fill(login_id)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/")


def _open(page: Page, label: str) -> None:
    nav = page.get_by_role("navigation", name="メニュー")
    link = nav.get_by_role("link", name=label)
    if not link.is_visible():  # a phone: the menu starts folded
        nav.locator("summary").click()
    with page.expect_navigation():
        link.click()


def test_newcomer_applies_on_a_phone_and_the_director_approves(factories, world, live_server,
                                                               new_page):
    factories.user(world.jsicm.tenant_id, "jsicm-800088", "trainee", full_name="専攻医 新人",
                   member_number="800088", basic_program_status="specialist_certified",
                   jmsb_basic_specialty="anesthesiology", email="shinjin@jsicm.example.jp")
    base = live_server.base("jsicm")
    trainee = new_page(PHONE)
    _login(trainee, base, "jsicm-800088")
    trainee.goto(f"{base}/credentials/upload")
    expect(trainee.get_by_text("研修開始申請が承認されると", exact=False)).to_be_visible()
    _open(trainee, "研修開始申請")
    trainee.get_by_label("研修施設").select_option(label="施設A")
    trainee.get_by_label("統括責任者").select_option(label="統括 太郎（施設A）")
    trainee.get_by_label("研修開始日").fill("2026-04-01")
    shot(trainee, "training-start-apply-phone")
    with trainee.expect_navigation():
        trainee.get_by_role("button", name="申請").click()
    expect(trainee.locator(".flash")).to_contain_text("研修開始申請を送信しました。")
    expect(trainee.get_by_text("統括責任者の承認をお待ちください。証票は承認後にアップロードできます。")).to_be_visible()
    assert trainee.evaluate("document.documentElement.scrollWidth") <= 375

    director = new_page(DESKTOP)
    _login(director, base, "jsicm-director")
    _open(director, "研修開始審査")
    row = director.locator("tr", has_text="専攻医 新人")
    expect(row).to_contain_text("2026/04/01")
    with director.expect_navigation():
        row.get_by_role("button", name="承認").click()
    expect(director.get_by_text("審査待ちの研修開始申請はありません。")).to_be_visible()

    trainee.goto(f"{base}/training-start")
    expect(trainee.get_by_text("承認済")).to_be_visible()
    _open(trainee, "証票アップロード")
    expect(trainee.get_by_role("heading", name="証票アップロード", level=1)).to_be_visible()
    expect(trainee.get_by_role("button", name="次へ")).to_be_visible()
    shot(trainee, "training-start-approved-upload-phone")
