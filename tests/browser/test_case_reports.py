"""症例レポート審査 in Chromium at 375 px, as seed-demo leaves it (900001 has one report waiting):
the director reads the report and its case, sends 差戻し with no comment and is told why in
Japanese next to the field, then returns it with a comment by keyboard alone and lands on the
queue with the result. The accepted report's 差分 reads without colour (underline and strike)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.blueprints.cases.models import CaseReport
from portal.extensions import db
from portal.tenants.scoping import system_scope
from tests.factories.helpers.browser import PHONE, shot

pytestmark = pytest.mark.browser
PASSWORD = "demo-pass-2024"


@pytest.fixture
def demo(app, live_server):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live_server


def _login(page, base, login_id):
    page.goto(f"{base}/login")
    page.locator("#identifier").fill(login_id)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()


def test_the_director_returns_a_report_by_keyboard_at_375_px(demo, new_page):
    base = demo.base("jsicm")
    page = new_page(PHONE)
    _login(page, base, "900001")
    page.goto(f"{base}/cases/review/reports")
    with page.expect_navigation():
        page.get_by_role("link", name="重症ARDSに腹臥位療法を行った一例").click()
    expect(page.get_by_role("heading", name="症例", exact=True)).to_be_visible()
    expect(page.get_by_text("呼吸器／ARDS")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation():
        page.get_by_role("button", name="差戻し", exact=True).click()
    expect(page.locator("#comment-error")).to_have_text("差戻しのコメントを入力してください。")
    shot(page, "case-report-review-error-375")
    page.get_by_label("コメント").fill("考察に文献を1つ加えてください。")
    page.get_by_role("button", name="差戻し", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/cases/review/reports")
    expect(page.get_by_text("症例レポートを差し戻しました。")).to_be_visible()
    expect(page.get_by_text("審査待ちの症例レポートはありません。")).to_be_visible()


def test_the_diff_reads_without_colour(app, demo, new_page):
    with app.app_context(), system_scope(db.session):
        accepted = db.session.scalar(select(CaseReport.id).where(CaseReport.status == "accepted"))
    base = demo.base("jsicm")
    page = new_page(PHONE)
    _login(page, base, "900001")
    page.goto(f"{base}/cases/review/reports/{accepted}")
    with page.expect_navigation():
        page.get_by_role("link", name="第1版との差分").click()
    inserted = page.locator(".report-diff ins").first
    deleted = page.locator(".report-diff del").first
    assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
    expect(page.get_by_text("凡例:")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "case-report-diff-375")
