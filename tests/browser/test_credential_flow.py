"""A-W02 clicked through in headless Chromium against a live server: the trainee uploads
(htmx, with progress), the director approves in the queue (htmx row swap), a real rq
worker mails the trainee, and case entry unlocks. Screenshots go to test-artifacts/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import system_scope
from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.files import pdf_bytes

pytestmark = pytest.mark.browser

NEEDS_APPROVAL = "証票の承認を満たすと利用できます。"  # the requirement that locks the case log
APPROVED_SUBJECT = "【icu_training】証票審査承認のお知らせ"


def login(page: Page, base: str, login_id: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("ログインID（会員番号）").fill(login_id)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():  # until "load": app.js and htmx have bound their handlers
        page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/")


def menu(page: Page):
    return page.get_by_role("navigation", name="メニュー")


def open_from_menu(page: Page, label: str) -> None:
    with page.expect_navigation():  # a click before the scripts run would skip htmx / app.js
        menu(page).get_by_role("link", name=label).click()


def stored_files(app) -> int:
    with app.app_context(), system_scope(db.session):
        return db.session.scalar(select(func.count()).select_from(StoredFile))


def open_upload_form(page: Page, base: str) -> None:
    login(page, base, "jsicm-800014")
    open_from_menu(page, "証票アップロード")
    expect(page.get_by_role("heading", name="証票アップロード", level=1)).to_be_visible()


def test_upload_form_refuses_bad_files_in_the_browser_without_sending(
        app, world, live_server, new_page, tmp_path):
    page = new_page()
    open_upload_form(page, live_server.base("jsicm"))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    chooser, error = page.locator("#file"), page.locator("#file-error")
    name = page.locator("#file-name")
    next_button = page.get_by_role("button", name="次へ")

    (tmp_path / "メモ.txt").write_text("証票ではありません")
    chooser.set_input_files(tmp_path / "メモ.txt")
    expect(error).to_have_text("pdf/ png/ jpg/ jpeg 形式のファイルを選択してください。")
    next_button.click()
    expect(error).to_have_text("pdf/ png/ jpg/ jpeg 形式のファイルを選択してください。")

    (tmp_path / "大きい証票.pdf").write_bytes(pdf_bytes(pad_to=5 * 1024 * 1024 + 1))
    chooser.set_input_files(tmp_path / "大きい証票.pdf")
    expect(name).to_have_text("大きい証票.pdf")
    too_big = "ファイルサイズが上限を超えています。5MB以下のファイルを選択してください。"
    expect(error).to_have_text(too_big)
    next_button.click()
    expect(error).to_have_text(too_big)
    shot(page, "upload-too-large-desktop")

    page.get_by_role("button", name="削除").click()
    expect(name).to_have_text("選択されていません")
    expect(error).to_have_text("")
    assert chooser.input_value() == ""
    next_button.click()
    expect(error).to_have_text("ファイルを選択してください。")

    page.wait_for_load_state("networkidle")
    assert posts == [] and stored_files(app) == 0
    expect(page).to_have_url(re.compile(r"/credentials/upload$"))



def test_the_picker_works_again_after_a_server_side_refusal(app, world, live_server, new_page,
                                                           tmp_path):
    """Issue 14 item 2 (manual step ⑦, correcting a mistake): the server refuses a fake PDF and
    swaps the form back; choosing another file must show its name, 削除 must clear it, the old
    error must go, and the browser's 5 MB check must hold again (no 413 round trip)."""
    page = new_page()
    open_upload_form(page, live_server.base("jsicm"))
    (tmp_path / "偽物.pdf").write_bytes(b"this is not a pdf at all")
    page.locator("#file").set_input_files(tmp_path / "偽物.pdf")
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        page.get_by_role("button", name="次へ").click()
    assert 400 <= refused.value.status < 500, refused.value.status
    error, name = page.locator("#file-error"), page.locator("#file-name")
    expect(error).not_to_have_text("")
    server_message = error.text_content()

    (tmp_path / "正しい証票.pdf").write_bytes(pdf_bytes())
    page.locator("#file").set_input_files(tmp_path / "正しい証票.pdf")
    expect(name).to_have_text("正しい証票.pdf")
    expect(error).to_have_text("")
    page.get_by_role("button", name="削除").click()
    expect(name).to_have_text("選択されていません")

    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    (tmp_path / "大きい.pdf").write_bytes(pdf_bytes(pad_to=6 * 1024 * 1024))
    page.locator("#file").set_input_files(tmp_path / "大きい.pdf")
    too_big = "ファイルサイズが上限を超えています。5MB以下のファイルを選択してください。"
    expect(error).to_have_text(too_big)
    page.get_by_role("button", name="次へ").click()
    expect(error).to_have_text(too_big)
    page.wait_for_load_state("networkidle")
    assert posts == [] and server_message != too_big

def trainee_uploads_and_submits(page: Page, base: str, pdf: Path) -> None:
    progress: list[tuple[int, int, bool]] = []
    page.expose_function("reportProgress", lambda *args: progress.append(tuple(args)))
    page.evaluate("""document.querySelector('#upload-form').addEventListener(
        'htmx:xhr:progress', e => window.reportProgress(e.detail.loaded, e.detail.total,
            !document.querySelector('#upload-progress').hidden))""")
    page.locator("#file").set_input_files(pdf)
    expect(page.locator("#file-name")).to_have_text("専門医認定証.pdf")
    expect(page.locator("#file-error")).to_have_text("")
    page.get_by_role("button", name="次へ").click()

    expect(page).to_have_url(f"{base}/credentials/confirm")
    expect(page.get_by_role("heading", name="証票アップロード確認")).to_be_visible()
    assert progress and progress[-1][0] == progress[-1][1] and progress[-1][2], progress
    link = page.get_by_role("link", name="専門医認定証.pdf")
    expect(link).to_have_attribute("href", re.compile(r"^/files/\d+$"))
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "専門医認定証.pdf"
    shot(page, "03-confirm-desktop")

    page.get_by_role("button", name="申請").click()
    expect(page.get_by_role("heading", name="証票アップロード完了")).to_be_visible()
    page.get_by_role("link", name="トップ画面へ移動する").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("#credential-status")).to_have_text("審査待ち")


def director_approves(page: Page, base: str) -> None:
    login(page, base, "jsicm-director")
    open_from_menu(page, "証票審査")
    expect(page.get_by_role("heading", name="証票審査", level=1)).to_be_visible()
    page.evaluate("window.notReloaded = true")
    row = page.locator("#queue-rows tr", has_text="専攻医 テスト1")
    row.get_by_role("button", name="承認").click()
    expect(row).to_contain_text("承認しました。")
    expect(row.get_by_role("button", name="承認")).to_have_count(0)
    assert page.evaluate("window.notReloaded === true")  # htmx swapped the row in place
    shot(page, "04-director-approved-desktop")


def test_trainee_submits_director_approves_mail_arrives_and_cases_unlock(
        app, world, live_server, new_page, redis_url, run_worker, smtp_sink, tmp_path):
    base = live_server.base("jsicm")
    trainee = new_page(PHONE)
    login(trainee, base, "jsicm-800014")
    expect(trainee.get_by_role("heading", name="タスク (未処理件数 1 件)")).to_be_visible()
    shot(trainee, "01-trainee-top-phone")
    menu(trainee).locator("summary").click()  # collapsed on a phone; one tap opens it
    expect(menu(trainee).get_by_role("link", name="証票アップロード")).to_be_visible()
    shot(trainee, "02-trainee-menu-open-phone")

    trainee.set_viewport_size(DESKTOP)
    locked = menu(trainee).locator("li", has_text="経験症例新規登録")
    expect(locked.locator("[aria-disabled=true]")).to_have_text("経験症例新規登録")
    expect(locked).to_contain_text(NEEDS_APPROVAL)
    expect(menu(trainee).get_by_role("link", name="経験症例新規登録")).to_have_count(0)
    open_from_menu(trainee, "証票アップロード")
    pdf = tmp_path / "専門医認定証.pdf"
    pdf.write_bytes(pdf_bytes())
    trainee_uploads_and_submits(trainee, base, pdf)

    director_approves(new_page(DESKTOP), base)
    output = run_worker(redis_url)
    approved = [m for m in smtp_sink.messages if m["Subject"] == APPROVED_SUBJECT]
    assert len(approved) == 1, output
    assert approved[0]["To"] == "trainee@jsicm.example.jp"
    link = re.search(r"http://jsicm\.localhost:\d+/\S*", approved[0].get_body().get_content())
    assert link and link.group(0) == f"{base}/", output

    trainee.goto(link.group(0))  # the link in the mail reaches this server
    enrollment = trainee.locator("section", has=trainee.get_by_role("heading", name="在籍状況"))
    expect(enrollment).to_contain_text("施設A")
    expect(enrollment).to_contain_text("統括 太郎")
    expect(trainee.locator("#credential-status")).to_have_text("承認済")
    shot(trainee, "05-trainee-top-approved-desktop")
    open_from_menu(trainee, "経験症例新規登録")
    expect(trainee).to_have_url(f"{base}/cases/new")
    expect(trainee.get_by_role("heading", name="経験症例新規登録")).to_be_visible()


def test_side_menu_is_reachable_at_every_width(world, live_server, new_page):
    page = new_page({"width": 768, "height": 900})  # iPad portrait: the CSS hides the toggle
    login(page, live_server.base("jsicm"), "jsicm-800014")
    upload_link = menu(page).get_by_role("link", name="証票アップロード")
    toggle = menu(page).locator("summary")
    expect(upload_link).to_be_visible()

    page.set_viewport_size(PHONE)
    expect(upload_link).to_be_hidden()
    expect(toggle).to_be_visible()
    page.set_viewport_size(DESKTOP)  # a narrow window made wide has no toggle: menu opens
    expect(toggle).to_be_hidden()
    expect(upload_link).to_be_visible()


def test_email_confirmation_field_refuses_paste(world, live_server, new_page):
    base = live_server.base("jsicm")
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    login(page, base, "jsicm-800014")
    open_from_menu(page, "登録情報の確認・変更")
    page.evaluate("navigator.clipboard.writeText('new-address@example.jp')")

    new_email = page.get_by_label("メールアドレス (変更後)")
    new_email.focus()
    page.keyboard.press("Control+V")
    expect(new_email).to_have_value("new-address@example.jp")  # paste itself works here

    confirmation = page.get_by_label("メールアドレス (確認用)")
    confirmation.focus()
    page.keyboard.press("Control+V")
    expect(confirmation).to_have_value("")
    not_cancelled = page.evaluate("""() => {
        const data = new DataTransfer();
        data.setData('text/plain', 'new-address@example.jp');
        return document.getElementById('new_email_confirmation').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""")
    assert not_cancelled is False
    expect(confirmation).to_have_value("")
    confirmation.type("new-address@example.jp")  # typing is how it is meant to be filled
    expect(confirmation).to_have_value("new-address@example.jp")
