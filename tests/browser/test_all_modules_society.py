"""The fourth demo society (jsgt, 日本総合研修医学会) turns on every module at once:
credentials, case_log, recruitment and renewal. Seeded by `flask seed-demo` as a newcomer
would, then each module's main flow is clicked through in headless Chromium against a live
server, with the logins the seed prints. No module may assume it is alone."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.files import pdf_bytes, png_bytes

pytestmark = pytest.mark.browser


PASSWORD = "demo-pass-2024"
TRAINEE, APPLICANT = "trainee@jsgt.example", "applicant@jsgt.example"
DIRECTOR, FACILITY = "director@jsgt.example", "facility@jsgt.example"
SECRETARIAT = "secretariat@jsgt.example"
PROGRAM = "総合研修大学病院 総合診療専門研修プログラム"
HOSPITAL = "総合研修大学病院"


@pytest.fixture
def jsgt(app, live_server) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "jsgt logins" in result.output
    return live_server.base("jsgt")


def follow(page: Page, locator) -> None:
    with page.expect_navigation():  # a click before the scripts run would skip htmx / app.js
        locator.click()


def menu(page: Page):
    return page.get_by_role("navigation", name="メニュー")


def from_menu(page: Page, label: str) -> None:
    follow(page, menu(page).get_by_role("link", name=label, exact=True))


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="ログイン"))
    expect(page).to_have_url(f"{base}/")


def card(page: Page, heading: str):
    return page.locator("section.card", has=page.get_by_role("heading", name=heading, level=2))


def upload_credential(page: Page, base: str, tmp_path) -> None:
    from_menu(page, "証票アップロード")
    pdf = tmp_path / "認定証.pdf"
    pdf.write_bytes(pdf_bytes())
    page.locator("#file").set_input_files(pdf)
    expect(page.locator("#file-name")).to_have_text("認定証.pdf")
    page.get_by_role("button", name="次へ").click()
    expect(page).to_have_url(f"{base}/credentials/confirm")
    page.get_by_role("button", name="申請").click()
    expect(page.get_by_role("heading", name="証票アップロード完了")).to_be_visible()


def director_approves(page: Page, base: str) -> None:
    login(page, base, DIRECTOR)
    expect(card(page, "審査待ちの証票")).to_contain_text("1")
    expect(card(page, "専攻医募集")).to_be_visible()  # the recruitment panel beside it
    from_menu(page, "証票審査")
    row = page.locator("#queue-rows tr", has_text="研修 花子")
    row.get_by_role("button", name="承認").click()
    expect(row).to_contain_text("承認しました。")


def test_every_role_sees_the_union_of_the_modules(jsgt, new_page):
    expected = {
        TRAINEE: ["証票アップロード", "応募", "医師免許証", "経験症例新規登録", "症例一覧"],
        DIRECTOR: ["証票審査", "応募者一覧・採否登録"],
        FACILITY: ["認定マイページ"],
        SECRETARIAT: ["証票審査", "応募一覧", "登録者一覧", "プログラム管理", "更新申請一覧",
                      "申請期間の管理"],
    }
    for email, labels in expected.items():
        page = new_page(DESKTOP)
        login(page, jsgt, email)
        expect(page.locator("header")).to_contain_text("日本総合研修医学会")
        for label in ["トップページ", "登録情報の確認・変更", *labels]:
            expect(menu(page).get_by_text(label, exact=True)).to_have_count(1)
        page.context.close()
    page = new_page(DESKTOP)
    login(page, jsgt, TRAINEE)
    for heading in ("研修開始申請状況", "応募状況", "医師免許証", "お知らせ"):
        expect(card(page, heading)).to_be_visible()
    shot(page, "jsgt-trainee-top-desktop")


def test_credentials_upload_and_approval(jsgt, new_page, redis_url, run_worker, smtp_sink,
                                         tmp_path):
    trainee = new_page(PHONE)
    login(trainee, jsgt, TRAINEE)
    expect(trainee.get_by_role("heading", name="タスク (未処理件数 1 件)")).to_be_visible()
    trainee.set_viewport_size(DESKTOP)
    upload_credential(trainee, jsgt, tmp_path)
    trainee.goto(f"{jsgt}/")
    expect(trainee.locator("#credential-status")).to_have_text("審査待ち")

    director_approves(new_page(DESKTOP), jsgt)
    run_worker(redis_url)
    subjects = [str(m["Subject"]) for m in smtp_sink.messages if m["To"] == TRAINEE]
    assert any(s.startswith("【総合研修ポータル】") for s in subjects), subjects
    trainee.reload()
    expect(trainee.locator("#credential-status")).to_have_text("承認済")
    expect(card(trainee, "応募状況")).to_be_visible()  # recruitment still there after approval


def test_case_log_opens_once_the_credential_is_approved(jsgt, new_page, tmp_path):
    trainee = new_page(DESKTOP)
    login(trainee, jsgt, TRAINEE)
    locked = menu(trainee).locator("li", has_text="経験症例新規登録")
    expect(locked).to_contain_text("証票の承認を満たすと利用できます。")
    assert trainee.goto(f"{jsgt}/cases/new").status == 403
    trainee.goto(f"{jsgt}/")
    upload_credential(trainee, jsgt, tmp_path)
    director_approves(new_page(DESKTOP), jsgt)

    trainee.goto(f"{jsgt}/")
    from_menu(trainee, "経験症例新規登録")
    expect(trainee).to_have_url(f"{jsgt}/cases/new")
    expect(trainee.get_by_role("heading", name="経験症例新規登録")).to_be_visible()
    from_menu(trainee, "症例一覧")
    expect(trainee.get_by_role("heading", name="症例一覧")).to_be_visible()


def test_recruitment_licence_apply_and_decision(jsgt, new_page, tmp_path):
    applicant = new_page(DESKTOP)
    login(applicant, jsgt, APPLICANT)
    from_menu(applicant, "医師免許証")
    image = tmp_path / "医師免許証.png"
    image.write_bytes(png_bytes())
    applicant.locator("#file").set_input_files(image)
    applicant.get_by_role("button", name="アップロード").click()
    expect(applicant.get_by_role("link", name="医師免許証.png").first).to_be_visible()

    from_menu(applicant, "応募")
    follow(applicant, applicant.locator("#programs tr", has_text=PROGRAM)
           .get_by_role("link", name="応募"))
    follow(applicant, applicant.get_by_role("button", name="確認"))
    follow(applicant, applicant.get_by_role("button", name="応募する"))
    expect(applicant.get_by_text("応募を受け付けました。")).to_be_visible()

    director = new_page(DESKTOP)
    login(director, jsgt, DIRECTOR)
    from_menu(director, "応募者一覧・採否登録")
    row = director.locator("tr", has_text="応募 次郎")
    row.get_by_role("button", name="応募 次郎さんの採否を登録").click()  # opens the row's form
    row.get_by_label("応募 次郎さんの採否", exact=True).select_option(label="採用")
    row.get_by_role("button", name="登録").click()
    expect(director.locator("tr", has_text="応募 次郎").locator(".badge")).to_have_text("採用")
    applicant.goto(f"{jsgt}/recruitment/")
    expect(applicant.locator("#result")).to_have_text("採用")


def test_renewal_application_reaches_the_secretariat(jsgt, new_page, tmp_path):
    page = new_page(DESKTOP)
    login(page, jsgt, FACILITY)
    expect(page.locator("section.card", has_text=HOSPITAL)).to_be_visible()
    from_menu(page, "認定マイページ")
    follow(page, page.get_by_role("link", name="申請", exact=True))
    follow(page, page.get_by_role("link", name="1.申請書", exact=True))
    page.get_by_label("施設としての責任者（病院長等）").fill("院長 太郎")
    page.get_by_label("施設責任者 氏名").fill("指導 一郎")
    page.get_by_label("施設責任者 会員番号").fill("700001")
    page.get_by_label("氏名", exact=True).first.fill("認定 三郎")
    page.get_by_label("会員番号", exact=True).first.fill("700002")
    page.get_by_label("常勤", exact=True).first.check()
    page.get_by_role("button", name="一時保存").click()
    expect(page.locator("#form-status")).to_contain_text("登録済み")
    follow(page, page.get_by_role("link", name="申請画面へ戻る"))
    follow(page, page.get_by_role("link", name="2.概要書", exact=True))
    page.get_by_label("病床数").fill("420")
    page.get_by_label("有", exact=True).check()
    page.get_by_label(re.compile("介入件数")).fill("80")
    page.get_by_label("主な研修内容").fill("総合診療チームでの回診と症例検討会")
    page.get_by_role("button", name="一時保存").click()
    expect(page.locator("#form-status")).to_contain_text("登録済み")
    follow(page, page.get_by_role("link", name="申請画面へ戻る"))

    with page.expect_download() as info:
        page.locator("#document-link").click()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        open(info.value.path(), "rb").read())).pages)
    assert HOSPITAL in text and "指導 一郎" in text
    scan = tmp_path / "申請書_公印.pdf"
    scan.write_bytes(pdf_bytes())
    page.locator("#file").set_input_files(scan)
    follow(page, page.get_by_role("button", name="アップロード"))
    follow(page, page.locator("#submit-button"))
    expect(page.locator("#submitted-message")).to_have_text("申請済みです。")

    jimu = new_page(DESKTOP)
    login(jimu, jsgt, SECRETARIAT)
    from_menu(jimu, "更新申請一覧")
    row = jimu.locator("#rows tr", has_text=HOSPITAL)
    expect(row).to_contain_text(re.compile(r"r1"))
