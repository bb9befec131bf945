"""C-W02 clicked through in headless Chromium against a live server: the core facility fills
「1.申請書」「2.概要書」, downloads the generated PDF, uploads the sealed scan and presses
「更新申請」; the secretariat asks for a correction, the facility resubmits (r2), the
secretariat passes it, and a real rq worker delivers the mails to the SMTP sink."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import CORE_LOGIN, JIMU_LOGIN

pytestmark = pytest.mark.browser


CORRECTION = "病床数を最新の値にしてください。"


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill("pass-word-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/")


def follow(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def card(page: Page, heading: str):
    return page.locator("section.card", has=page.get_by_role("heading", name=heading, level=2))


def fill_form1(page: Page) -> None:
    follow(page, page.get_by_role("link", name="1.申請書", exact=True))
    expect(page.get_by_label("施設名", exact=True)).to_have_value("髙田緩和ケア病院")
    page.get_by_label("施設としての責任者（病院長等）").fill("院長 太郎")
    page.get_by_label("施設責任者 氏名").fill("緩和 一郎")
    page.get_by_label("施設責任者 会員番号").fill("100001")
    page.get_by_label("氏名", exact=True).first.fill("髙橋 指導医")
    page.get_by_label("会員番号", exact=True).first.fill("200001")
    page.get_by_label("常勤", exact=True).first.check()
    page.get_by_role("button", name="一時保存").click()
    expect(page.locator("#form-status")).to_contain_text("一時保存しました。")
    expect(page.locator("#form-status")).to_contain_text("登録済み")
    follow(page, page.get_by_role("link", name="申請画面へ戻る"))


def fill_form2(page: Page, beds: str) -> None:
    follow(page, page.get_by_role("link", name="2.概要書", exact=True))
    page.get_by_label("病床数").fill(beds)
    page.get_by_label("有", exact=True).check()
    page.get_by_label("年間の緩和ケアチーム介入件数").fill("120")
    page.get_by_label("主な研修内容").fill("緩和ケアチームでの回診と症例検討会")
    page.get_by_role("button", name="一時保存").click()
    expect(page.locator("#form-status")).to_contain_text("一時保存しました。")
    expect(page.locator("#form-status")).to_contain_text("登録済み")
    follow(page, page.get_by_role("link", name="申請画面へ戻る"))


def download_document(page: Page) -> str:
    with page.expect_download() as info:
        page.locator("#document-link").click()
    data = open(info.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    number = re.search(r"JSPM-\d+-r1", text)
    assert number, text[:500]
    for expected in ("髙田緩和ケア病院", "緩和 一郎", "髙橋 指導医", "常勤"):
        assert expected in text, expected
    return number.group(0)


def press_submit(page: Page) -> None:
    follow(page, page.locator("#submit-button"))
    expect(page.locator("#submitted-message")).to_have_text("申請済みです。")
    expect(page.locator("#submit-button")).to_be_disabled()


def facility_applies(page: Page, base: str, scan) -> str:
    login(page, base, CORE_LOGIN)
    expect(page.get_by_role("heading", name="マイページTOP", level=1)).to_be_visible()
    follow(page, page.get_by_role("link", name="基幹施設"))
    expect(page).to_have_url(f"{base}/renewal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("基幹施設 認定マイページ")
    follow(page, page.get_by_role("link", name="申請", exact=True))
    expect(page).to_have_url(f"{base}/renewal/apply")
    expect(page.locator("#submit-button")).to_be_disabled()

    fill_form1(page)
    expect(card(page, "1.申請書 登録済み")).to_be_visible()
    fill_form2(page, "350")
    expect(card(page, "2.概要書 登録済み")).to_be_visible()
    expect(page.locator("#submit-button")).to_be_disabled()  # the sealed scan is still missing

    number = download_document(page)
    page.locator("#file").set_input_files(scan)
    follow(page, page.get_by_role("button", name="アップロード"))
    expect(page.get_by_text("申請書・在籍証明書をアップロードしました。")).to_be_visible()
    expect(page.get_by_role("link", name="申請書_公印.pdf")).to_be_visible()
    press_submit(page)
    return number


def secretariat_opens(page: Page, base: str, revision: str) -> None:
    follow(page, page.get_by_role("navigation", name="メニュー").get_by_role("link", name="更新申請一覧"))
    row = page.locator("#rows tr", has_text="髙田緩和ケア病院")
    expect(row).to_contain_text(revision)
    follow(page, row.get_by_role("link", name="髙田緩和ケア病院"))


def test_facility_applies_secretariat_corrects_then_passes_and_mail_arrives(
        app, factories, live_server, new_page, redis_url, run_worker, smtp_sink, tmp_path, make_society):
    make_society()
    base = live_server.base("jspm")
    scan = tmp_path / "申請書_公印.pdf"
    scan.write_bytes(pdf_bytes())

    facility = new_page(DESKTOP)
    number = facility_applies(facility, base, scan)
    app_id = int(number.split("-")[1])

    jimu = new_page(DESKTOP)
    login(jimu, base, JIMU_LOGIN)
    secretariat_opens(jimu, base, "r1")
    expect(jimu).to_have_url(f"{base}/renewal/review/{app_id}")
    expect(jimu.get_by_text(number)).to_be_visible()
    jimu.get_by_label("修正依頼の内容").fill(CORRECTION)
    follow(jimu, jimu.get_by_role("button", name="修正依頼"))
    expect(jimu.get_by_text("修正依頼を送信しました。")).to_be_visible()

    facility.reload()
    correction = card(facility, "事務局からの修正依頼")
    expect(correction).to_contain_text(CORRECTION)
    expect(facility.locator("#submit-button")).to_be_enabled()  # the scan is kept: no re-upload
    expect(facility.get_by_text(f"JSPM-{app_id}-r2")).to_be_visible()
    fill_form2(facility, "360")
    press_submit(facility)
    facility.set_viewport_size(PHONE)
    shot(facility, "renewal-apply-submitted-phone")
    assert facility.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    secretariat_opens(jimu, base, "r2")
    expect(card(jimu, "2.概要書")).to_contain_text("360")
    # 合格 carries the 認定開始日 the form offers (the April after the window); 不合格 is beside it
    expect(jimu.get_by_label("認定開始日")).to_have_value(re.compile(r"\d{4}-04-01"))
    follow(jimu, jimu.get_by_role("button", name="合格", exact=True))
    expect(jimu.get_by_text("合格にしました。")).to_be_visible()
    expect(jimu.get_by_role("button", name="合格", exact=True)).to_have_count(0)
    expect(jimu.get_by_role("button", name="不合格")).to_have_count(0)

    output = run_worker(redis_url)
    sent = [(str(m["Subject"]), m["To"]) for m in smtp_sink.messages]
    submitted = [m for m in smtp_sink.messages if "更新申請完了のお知らせ" in str(m["Subject"])]
    corrections = [m for m in smtp_sink.messages if "更新申請データの修正依頼" in str(m["Subject"])]
    assert len(submitted) == 2 and len(corrections) == 1, (sent, output)
    assert all(m["To"] == CORE_LOGIN for m in submitted + corrections), sent
    assert number in submitted[0].get_body(("plain",)).get_content()
    body = corrections[0].get_body(("plain",)).get_content()
    assert CORRECTION in body and f"{base}/renewal/apply" in body, body
