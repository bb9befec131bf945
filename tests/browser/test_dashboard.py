"""事務局ダッシュボード clicked through in headless Chromium (issue 19 item 4): the JSPM
secretariat opens it from the menu, reads the counts of 更新申請 by state and age (fixed
clock), follows a count to the list filtered the same way, and the overdue count to
期限超過一覧; at 375 px the table scrolls inside its box instead of widening the page."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from portal.blueprints.renewal.models import RenewalApplication
from portal.worklist.models import Task
from tests.factories.helpers.browser import PHONE, shot
from tests.factories.helpers.renewal import JIMU_LOGIN

pytestmark = pytest.mark.browser

NOW = datetime(2026, 6, 20, 3, 0, tzinfo=timezone.utc)
TODAY = date(2026, 6, 20)


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()


@pytest.fixture
def society(jspm_world, add_rows, live_app):
    live_app.config["FIXED_NOW"] = NOW
    w = jspm_world
    add_rows(w.tenant_id, *[RenewalApplication(
        tenant_id=w.tenant_id, facility_id=f, window_id=w.window, status="submitted", revision=1,
        facility_type="core", submitted_at=NOW - timedelta(days=age))
        for f, age in ((w.core, 1), (w.affiliated, 5), (w.other_core, 20))])
    add_rows(w.tenant_id, Task(tenant_id=w.tenant_id, user_id=w.jimu_user, kind="review_renewal",
                               title="更新申請の審査をしてください。", endpoint="renewal.review_list",
                               due_on=TODAY - timedelta(days=2), created_at=NOW - timedelta(days=32)))
    return w


def test_the_secretariat_follows_a_count_to_its_filtered_list(society, live_server, new_page):
    base = live_server.base("jspm")
    page = new_page()
    login(page, base, JIMU_LOGIN)
    with page.expect_navigation():
        page.get_by_role("navigation", name="メニュー").get_by_role(
            "link", name="事務局ダッシュボード").click()
    row = page.locator('tr[data-queue="renewal.review_list"][data-state="submitted"]')
    expect(row.get_by_role("cell")).to_have_text(["申請済み", "3", "1", "1", "0", "1"])
    shot(page, "dashboard-desktop")
    with page.expect_navigation():
        row.get_by_role("link", name="更新申請 申請済み 4〜7日: 1").click()
    expect(page).to_have_url(f"{base}/renewal/review?status=submitted&age=4-7")
    expect(page.get_by_label("経過日数")).to_have_value("4-7")
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(page.locator("#rows")).to_contain_text("さくら連携病院")

    page.go_back()
    with page.expect_navigation():
        page.get_by_role("link", name="期限超過: 1件").click()
    expect(page.locator("#overdue")).to_contain_text("更新申請の審査をしてください。")
    expect(page.locator("#overdue")).to_contain_text("2日")


def test_the_dashboard_fits_a_phone(society, live_server, new_page):
    base = live_server.base("jspm")
    page = new_page(PHONE)
    login(page, base, JIMU_LOGIN)
    page.goto(f"{base}/admin/dashboard")
    expect(page.locator("#dashboard")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    shot(page, "dashboard-phone")
