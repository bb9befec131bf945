"""Issue 15 items 1 and 7 in headless Chromium: the JSICM secretariat uploads the people CSV
(CP932, full-width input), reads the preview (filtered by htmx), confirms; the created
accounts get their password mail and nobody else. A file over 1,000 rows is planned and
applied by real rq worker runs while the page polls its progress. Screenshots go to
test-artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.rows import outbox

pytestmark = pytest.mark.browser

HEADER = "会員番号,氏名,氏名カナ,メールアドレス,役割,施設コード,施設名,研修開始日,統括責任者会員番号"
ROWS = [
    "910001,統括 一郎,トウカツ イチロウ,d1@example.jp,統括責任者,F001,施設A,,",
    "８１０００１, 専攻 花子 ,ｾﾝｺｳ ﾊﾅｺ,t1@example.jp,専攻医,F001,施設A,2024/04/01,910001",
    "810002,誤り 次郎,,not-an-email,専攻医,,,,",
]


def login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ログインID（会員番号）").fill("jsicm-jimu")
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()


def upload(page: Page, base: str, path) -> None:
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="メニュー").get_by_role("link", name="一括取込").click()
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="プレビュー").click()  # htmx: the preview is swapped in
    expect(page.locator("#import-result #import-preview")).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(r"/admin/imports/\d+$"))  # HX-Push-Url


def users(app, tenant_id: int) -> int:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return db.session.scalar(select(func.count()).select_from(User))


def test_upload_preview_and_confirm(app, world, live_server, new_page, tmp_path):
    path = tmp_path / "名簿.csv"
    path.write_bytes(("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("cp932"))
    base = live_server.base("jsicm")
    page = new_page()
    login(page, base)
    before = users(app, world.jsicm.tenant_id)
    upload(page, base, path)
    expect(page.get_by_text("会員番号「８１０００１」を「810001」に整えました。")).to_be_visible()
    expect(page.get_by_text("メールアドレス「not-an-email」の形式が正しくありません。")).to_be_visible()
    shot(page, "import-preview-desktop")
    page.get_by_role("link", name="エラー", exact=True).click()  # htmx: only the error rows
    expect(page.locator("tr.import-create")).to_have_count(0)
    expect(page.locator("tr.import-error")).to_have_count(1)
    assert users(app, world.jsicm.tenant_id) == before  # the preview changed nothing
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "import-preview-phone")
    page.set_viewport_size(DESKTOP)
    with page.expect_navigation():
        page.get_by_role("button", name="確定する").click()
    expect(page.get_by_text("取込を確定しました。")).to_be_visible()
    expect(page.get_by_text("この取込は確定済みです。")).to_be_visible()
    assert users(app, world.jsicm.tenant_id) == before + 2
    assert sorted(m.to_addr for m in outbox(app, template="import_account_created")) == [
        "d1@example.jp", "t1@example.jp"]


def test_large_file_runs_as_a_job_with_progress(app, world, live_server, new_page, tmp_path,
                                                redis_url, run_worker):
    # 1,000 rows with a bad address and one good one: the jobs handle 1,001 rows, and the
    # burst worker has one password mail to send, not a thousand
    lines = [HEADER, "819999,専攻 良,,good@example.jp,専攻医,,,,"] + [
        f"{820000 + i},専攻 {i},,bad{i},専攻医,,,," for i in range(1000)]
    path = tmp_path / "large.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    base = live_server.base("jsicm")
    page = new_page()
    login(page, base)
    upload(page, base, path)
    expect(page.locator("#import-preview progress")).to_be_visible()  # queued: polling
    run_worker(redis_url)
    expect(page.get_by_text("エラー 1000")).to_be_visible(timeout=20_000)  # htmx poll swapped it
    expect(page.get_by_role("link", name="エラー行をCSVでダウンロード")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="確定する").click()
    expect(page.locator("#import-preview progress")).to_be_visible()
    run_worker(redis_url)
    expect(page.get_by_text("この取込は確定済みです。")).to_be_visible(timeout=20_000)
    assert [m.to_addr for m in outbox(app, template="import_account_created")] == ["good@example.jp"]
