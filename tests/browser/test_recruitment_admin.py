"""The JMSB secretariat's recruitment screens in headless Chromium: a round and a program
entered through the forms (a mistake first, then corrected), the applications list filtered
by htmx, one application's history, the CSV download; every page at 1280 and 375 px with
no sideways scrolling. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.blueprints.recruitment.services import applicant as services
from portal.blueprints.recruitment.services import selection
from portal.blueprints.recruitment.services.secretariat import fiscal_year
from portal.db import utcnow
from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.recruitment import JIMU
from tests.factories.helpers.rows import user

pytestmark = pytest.mark.browser


YEAR = fiscal_year(utcnow()) + 2
PREV = YEAR - 1


def login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(JIMU)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()


def submit(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling at 375 px."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.fixture
def seeded(app, factories, world, applicants, applications, in_jmsb, make_recruitment):
    rec = make_recruitment(world.jmsb)
    people = applicants(rec.tenant_id, 3)
    applications(rec, people[:2])
    [withdrawn] = applications(rec, people[2:], status="accepted")
    in_jmsb(lambda: services.request_withdrawal(user(people[2]), withdrawn, "大学院へ進学するため"))
    in_jmsb(lambda: selection.approve_withdrawal(user(rec.director), withdrawn))
    return rec


def add_round(page: Page, base: str) -> None:
    page.goto(f"{base}/recruitment/admin/rounds")
    with page.expect_navigation():
        page.get_by_role("link", name="募集回を登録").click()
    page.get_by_label("研修開始年度").fill(str(YEAR))
    page.get_by_label("回", exact=True).fill("1")
    page.get_by_label("名称").fill("一次募集")
    page.get_by_label("応募開始").fill(f"{PREV}-10-01T10:00")
    page.get_by_label("応募締切").fill(f"{PREV}-09-30T23:59")  # before it opens: refused
    page.get_by_label("選考結果登録締切").fill(f"{PREV}-11-30T23:59")
    submit(page, "登録する")
    expect(page.get_by_text("応募締切は応募開始より後の日時にしてください。")).to_be_visible()
    expect(page.get_by_label("応募締切")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("応募締切").fill(f"{PREV}-10-31T23:59")
    submit(page, "登録する")
    expect(page.get_by_text("募集回を登録しました。")).to_be_visible()
    expect(page.get_by_role("cell", name=f"{PREV}/10/01 10:00")).to_be_visible()


def add_program(page: Page, base: str) -> None:
    page.goto(f"{base}/recruitment/admin/programs/new")
    page.get_by_label("プログラム名").fill("北総合病院 内科専門研修プログラム")
    page.get_by_label("基幹施設").select_option(label="施設B")
    page.get_by_label("統括責任者").select_option(label="統括 次郎（施設B）")
    page.get_by_label("基本領域").select_option(label="内科")
    page.get_by_label("定員").fill("4")
    page.get_by_label("研修開始年度").fill(str(YEAR))
    submit(page, "登録する")
    expect(page.get_by_text("プログラムを登録しました。")).to_be_visible()
    page.goto(f"{base}/recruitment/admin/programs")
    expect(page.get_by_role("cell", name="北総合病院 内科専門研修プログラム", exact=True)).to_be_visible()


def test_secretariat_recruitment_screens(seeded, live_server, new_page):
    base = live_server.base("jmsb")
    page = new_page(DESKTOP)
    login(page, base)
    add_round(page, base)
    shot(page, "recruitment-admin-rounds-1280")
    add_program(page, base)
    shot(page, "recruitment-admin-programs-1280")

    page.goto(f"{base}/recruitment/admin/applications")
    expect(page.get_by_text("該当 3件")).to_be_visible()
    page.get_by_label("状態").select_option(label="辞退済")
    page.get_by_role("button", name="絞り込み").click()  # htmx swaps the results only
    expect(page.get_by_text("該当 1件")).to_be_visible()
    expect(page).to_have_url(f"{base}/recruitment/admin/applications?year=&round="
                             "&specialty=&status=withdrawn&age=&q=")
    expect(page.get_by_label("プログラム")).to_be_disabled()  # offered per 基本領域
    page.get_by_label("基本領域").select_option(label="内科")
    page.get_by_role("button", name="絞り込み").click()
    expect(page.get_by_label("プログラム")).to_be_enabled()  # refreshed with the results
    page.get_by_label("状態").select_option(label="すべて")
    page.get_by_label("基本領域").select_option(label="すべて")
    page.get_by_role("button", name="絞り込み").click()
    expect(page.get_by_text("該当 3件")).to_be_visible()
    shot(page, "recruitment-admin-applications-1280")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV出力（Excel用）").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and "大学院へ進学するため".encode() in data
    assert download.value.suggested_filename == "専攻医応募一覧.csv"

    with page.expect_navigation():
        page.get_by_role("link", name="応募者 003").click()
    expect(page.get_by_role("heading", name="履歴")).to_be_visible()
    expect(page.get_by_role("cell", name="採用辞退の承認")).to_be_visible()
    expect(page.get_by_text("大学院へ進学するため").first).to_be_visible()
    shot(page, "recruitment-admin-application-1280")
    detail = page.url

    phone = new_page(PHONE)
    login(phone, base)
    for path, name in (("/recruitment/admin/applications", "applications"),
                       ("/recruitment/admin/rounds", "rounds"), ("/recruitment/admin/programs", "programs"),
                       ("/recruitment/admin/rounds/new", "round-form"),
                       ("/recruitment/admin/programs/new", "program-form")):
        phone.goto(f"{base}{path}")
        fits(phone)
        shot(phone, f"recruitment-admin-{name}-375")
    phone.goto(detail)
    fits(phone)
    shot(phone, "recruitment-admin-application-375")
