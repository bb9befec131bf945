"""経験症例 clicked through in headless Chromium against a live server: the trainee enters a case
on a phone-sized screen (a name in the summary is refused on the field, then the case is
saved and shown), the director signs one case off in its row over htmx (the waiting count
follows) and the rest in bulk. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.case_log import case_rows, unlock

pytestmark = pytest.mark.browser


def login(page: Page, base: str, login_id: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ログインID（会員番号）").fill(login_id)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()


def test_trainee_enters_a_case_and_director_signs_off(app, world, live_server, new_page, add_rows):
    unlock(app, world.jsicm)
    base = live_server.base("jsicm")
    page = new_page(PHONE)
    login(page, base, "jsicm-800014")
    page.goto(f"{base}/cases/new")
    page.get_by_label("ICU入室日").fill("2025-03-01")
    page.get_by_label("ICU退室日").fill("2025-03-04")
    page.get_by_label("65〜79歳").check()
    page.get_by_label("女性").check()
    page.get_by_label("主たる疾患分類").select_option("resp_ards")
    page.get_by_label("ECMO", exact=True).check()
    page.get_by_label("気管挿管").check()
    page.locator('input[name="role_intubation"][value="operator"]').check()
    page.get_by_label("生存退室").check()
    page.get_by_label("経過の要点").fill("山田さん、第3病日に抜管")
    with page.expect_navigation():
        page.get_by_role("button", name="登録").click()
    expect(page.locator("#summary-error")).to_contain_text("氏名と思われる語")
    shot(page, "case-entry-refused-phone")
    page.get_by_label("経過の要点").fill("第3病日に抜管")
    with page.expect_navigation():
        page.get_by_role("button", name="登録").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("経験症例")
    expect(page.locator("main")).to_contain_text("気管挿管（術者）")
    expect(page.locator("main")).to_contain_text("承認待ち")
    shot(page, "case-detail-phone")

    add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 2))
    director = new_page(DESKTOP)
    login(director, base, "jsicm-director")
    with director.expect_navigation():
        director.get_by_role("navigation", name="メニュー").get_by_role("link", name="症例承認").click()
    expect(director.locator("#waiting-count")).to_have_text("3")
    first = director.locator("tbody tr").first
    first.get_by_role("button", name="承認").click()
    expect(first).to_contain_text("承認済")
    expect(director.locator("#waiting-count")).to_have_text("2")
    for box in director.locator('input[name="case_ids"]').all():
        box.check()
    director.get_by_role("button", name="選択した症例を一括承認").click()
    expect(director.locator("#signoff-queue")).to_contain_text("選択した症例を承認しました。")
    expect(director.locator("#waiting-count")).to_have_text("0")
    expect(director.locator("#signoff-queue")).to_contain_text("承認待ちの症例はありません。")
    shot(director, "case-signoff-desktop")


def _violations(page: Page, state: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    return [f"{state}: {v['impact']} {v['id']} {[n['target'] for n in v['nodes']][:4]}"
            for v in found]


def test_the_case_pages_have_no_axe_violation_and_24_px_checkboxes(app, world, live_server,
                                                                    new_page, add_rows):
    unlock(app, world.jsicm)
    [case_id, *_rest] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 3))
    base, failures = live_server.base("jsicm"), []
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        trainee = new_page(viewport)
        login(trainee, base, "jsicm-800014")
        for path in ("/cases/new", "/cases/", f"/cases/{case_id}", f"/cases/{case_id}/edit",
                     f"/cases/{case_id}/delete", "/cases/?from=bad"):
            trainee.goto(base + path)
            failures += _violations(trainee, f"{name} {path}")
        trainee.goto(base + "/cases/new")
        with trainee.expect_navigation():
            trainee.get_by_role("button", name="登録").click()  # sent empty: every error shown
        failures += _violations(trainee, f"{name} /cases/new with errors")
        director = new_page(viewport)
        login(director, base, "jsicm-director")
        for path in ("/cases/signoff", f"/cases/review/{case_id}", "/"):
            director.goto(base + path)
            failures += _violations(director, f"{name} director {path}")
        director.goto(base + "/cases/signoff")
        for box in director.locator('input[name="case_ids"]').all():
            size = box.bounding_box()
            assert size["width"] >= 24 and size["height"] >= 24, (name, size)
        director.locator("tbody tr").first.get_by_role("button", name="承認").click()
        expect(director.locator("tbody tr").first).to_contain_text("承認済")
        failures += _violations(director, f"{name} director after 承認")
    assert failures == [], "\n".join(failures)
