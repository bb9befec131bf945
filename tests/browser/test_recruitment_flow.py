"""Issue 4 end to end in headless Chromium against a live server, mail read from the SMTP
sink a real rq worker delivers to: a doctor registers (新規ユーザー登録 → 確認 → 登録), opens
the mailed login URL and sets a password, uploads the 医師免許証, applies (確認 → 応募する);
the program director records 採用 in the htmx row; the result mail carries no result; the
applicant asks to withdraw with a reason, the director reads it and approves, the applicant is
mailed and applies to another program in the next round."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.blueprints.recruitment.models import RecruitmentRound
from portal.db import utcnow
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.files import png_bytes

pytestmark = pytest.mark.browser


EMAIL = "shinki.ichiro@example.jp"
PASSWORD = "long-enough-pass-1"
REASON = "家族の介護のため、地元の病院で研修することにしました。"


def follow(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def from_menu(page: Page, label: str) -> None:
    follow(page, page.get_by_role("navigation", name="メニュー").get_by_role("link", name=label))


def mails_to(sink, address: str) -> list:
    return [m for m in sink.messages if m["To"] == address]


def text_of(message) -> str:
    return str(message["Subject"]) + "\n" + message.get_body(("plain",)).get_content()


def register(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    follow(page, page.get_by_role("link", name="新規ユーザー登録"))
    page.get_by_label("氏名", exact=True).fill("新規 一郎")
    page.get_by_label("フリガナ", exact=True).fill("シンキ イチロウ")
    page.get_by_label("医籍登録番号").fill("７６５４３２")  # full-width digits are fine
    page.get_by_label("生年月日").fill("1997-06-15")
    page.get_by_label("メールアドレス", exact=True).fill(EMAIL)
    page.get_by_label("メールアドレス（確認用）").fill(EMAIL)
    follow(page, page.get_by_role("button", name="確認"))
    expect(page.get_by_text("765432")).to_be_visible()
    follow(page, page.get_by_role("button", name="登録"))
    expect(page.get_by_text("ログインURL", exact=False).first).to_be_visible()


def set_password_from_mail(page: Page, sink) -> None:
    [mail] = mails_to(sink, EMAIL)
    body = text_of(mail)
    assert "ログインURLのお知らせ" in body
    link = re.search(r"http://\S+/register/setup/\S+", body).group(0)
    page.goto(link)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード（確認用）").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="設定する"))


def upload_licence(page: Page, tmp_path) -> None:
    from_menu(page, "医師免許証")
    image = tmp_path / "医師免許証.png"
    image.write_bytes(png_bytes())
    page.locator("#file").set_input_files(image)
    page.get_by_role("button", name="アップロード").click()
    expect(page.get_by_role("link", name="医師免許証.png").first).to_be_visible()


def apply_to(page: Page, program: str) -> None:
    from_menu(page, "応募")
    row = page.locator("#programs tr", has_text=program)
    follow(page, row.get_by_role("link", name="応募"))
    expect(page.locator("#program-name")).to_have_text(program)
    follow(page, page.get_by_role("button", name="確認"))
    expect(page.locator("#confirm-track")).to_have_text("プログラム制")
    follow(page, page.get_by_role("button", name="応募する"))
    expect(page.get_by_text("応募を受け付けました。")).to_be_visible()
    expect(page.locator("#applied-program")).to_have_text(program)


def director_login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill("jmsb-director@example.jp")
    page.get_by_label("パスワード").fill("pass-word-123")
    follow(page, page.get_by_role("button", name="ログイン"))
    from_menu(page, "応募者一覧・採否登録")


def next_round_opens(app, tenant_id: int) -> None:
    """Time passes: the 一次募集 selection is over and the 二次募集 is open."""
    now = utcnow()
    with app.app_context(), tenant_scope(db.session, tenant_id):
        first, second = db.session.scalars(select(RecruitmentRound).order_by(RecruitmentRound.seq))
        first.opens_at, first.closes_at = now - timedelta(days=30), now - timedelta(days=20)
        first.decisions_close_at = now - timedelta(days=10)
        second.opens_at, second.closes_at = now - timedelta(hours=1), now + timedelta(days=7)
        second.decisions_close_at = now + timedelta(days=14)
        db.session.commit()


def test_register_apply_accept_withdraw_and_apply_again(
        app, factories, world, live_server, new_page, redis_url, run_worker, smtp_sink, tmp_path, make_recruitment):
    rec = make_recruitment(world.jmsb)
    base = live_server.base("jmsb")
    first, second = "髙田大学病院 小児科専門研修プログラム", "みなと総合病院 小児科専門研修プログラム"

    doctor = new_page(PHONE)
    register(doctor, base)
    shot(doctor, "jmsb-registered-phone")
    run_worker(redis_url)
    set_password_from_mail(doctor, smtp_sink)
    expect(doctor).to_have_url(f"{base}/")
    expect(doctor.get_by_text("応募の前に、医師免許証の画像をアップロードしてください。").first).to_be_visible()
    assert doctor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    doctor.set_viewport_size(DESKTOP)
    upload_licence(doctor, tmp_path)
    apply_to(doctor, first)

    director = new_page(DESKTOP)
    director_login(director, base)
    row = director.locator("tr", has_text="新規 一郎")
    row.get_by_role("button", name="新規 一郎さんの採否を登録").click()  # opens the row's form
    row.get_by_label("新規 一郎さんの採否", exact=True).select_option(label="採用")
    row.get_by_role("button", name="登録").click()  # htmx: only this row is swapped
    expect(director.locator("tr", has_text="新規 一郎").locator(".badge")).to_have_text("採用")

    run_worker(redis_url)
    result = [m for m in mails_to(smtp_sink, EMAIL) if "採否結果" in str(m["Subject"])]
    assert len(result) == 1
    words = text_of(result[0])
    assert "メールには結果は記載されておりません" in words
    assert not any(w in words for w in ("採用", "不採用", "未設定", first)), words

    doctor.goto(f"{base}/recruitment/")
    expect(doctor.locator("#result")).to_have_text("採用")
    follow(doctor, doctor.locator("#withdraw-link"))
    doctor.get_by_label("辞退理由").fill(REASON)
    follow(doctor, doctor.get_by_role("button", name="確認"))
    expect(doctor.locator("#confirm-reason")).to_have_text(REASON)
    follow(doctor, doctor.get_by_role("button", name="採用辞退を申請する"))
    expect(doctor.locator("#withdrawal-pending")).to_be_visible()
    from_menu(doctor, "応募")
    expect(doctor.locator("#apply-block")).to_contain_text("統括責任者が辞退を承認するまで")

    director.reload()
    request = director.locator("#withdrawals tbody tr", has_text="新規 一郎")
    expect(request).to_contain_text(REASON)
    follow(director, request.get_by_role("button", name="承認"))
    shot(director, "jmsb-director-after-withdrawal")

    run_worker(redis_url)
    approved = [m for m in mails_to(smtp_sink, EMAIL) if "採用辞退承認" in str(m["Subject"])]
    assert len(approved) == 1 and "未応募" in text_of(approved[0])

    next_round_opens(app, rec.tenant_id)
    doctor.goto(f"{base}/recruitment/")
    expect(doctor.locator("#current-status")).to_have_text("未応募")
    apply_to(doctor, second)
    expect(doctor.get_by_text("二次募集").first).to_be_visible()
    shot(doctor, "jmsb-applied-next-round")
