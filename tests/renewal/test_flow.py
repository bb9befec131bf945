"""C-W02 through the test client: the facility's path, the secretariat's correction and pass."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader

from portal.db import utcnow
from tests.factories.helpers.files import pdf_bytes, png_bytes
from tests.factories.helpers.renewal import (
    AFFILIATED_LOGIN,
    CORE_LOGIN,
    JIMU_LOGIN,
    form1_data,
    form2_data,
    physicians,
    post_form1,
    upload_scan,
)
from tests.factories.helpers.rows import outbox


def submit(client):
    return client.post("/renewal/submit", {}, csrf_from="/renewal/apply")


def fill_everything(client):
    assert post_form1(client, form1_data(), physicians()).status_code == 200
    assert client.post("/renewal/form2", form2_data(), csrf_from="/renewal/apply").status_code == 200
    assert upload_scan(client, pdf_bytes()).status_code == 303


def test_top_page_shows_the_facility_type_button_leading_to_the_facility_page(jspm):
    jspm.login(CORE_LOGIN)
    top = jspm.text("/")
    assert "マイページTOP" in top and 'href="/renewal/"' in top and "基幹施設" in top
    page = jspm.text("/renewal/")
    assert "髙田緩和ケア病院" in page and 'href="/renewal/apply"' in page and ">申請<" in page


def test_affiliated_top_page_says_affiliated(client_for, jspm_world):
    client = client_for("jspm.localhost")
    client.login(AFFILIATED_LOGIN)
    assert "連携施設" in client.text("/")


def test_whole_facility_path_pdf_upload_submit_mail(app, jspm, jspm_world):
    jspm.login(CORE_LOGIN)
    apply = jspm.text("/renewal/apply")
    assert "1.申請書" in apply and "2.概要書" in apply and 'id="submit-button" disabled' in apply
    saved = post_form1(jspm, form1_data(), physicians(), headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "登録済み" in saved.get_data(as_text=True)
    assert "<html" not in saved.get_data(as_text=True)  # the htmx autosave gets the status block
    assert jspm.post("/renewal/form2", form2_data(), csrf_from="/renewal/apply").status_code == 200
    apply = jspm.text("/renewal/apply")
    assert apply.count("登録済み") >= 2 and 'id="submit-button" disabled' in apply  # no scan yet

    pdf = jspm.get("/renewal/document.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    number = re.search(r"JSPM-\d+-r1", text).group(0)
    for expected in ("髙田緩和ケア病院", "緩和 一郎", "髙橋 指導医", "院長 太郎", "公印", "印", "常勤"):
        assert expected in text, expected

    assert upload_scan(jspm, pdf_bytes()).status_code == 303
    apply = jspm.text("/renewal/apply")
    assert 'id="submit-button" disabled' not in apply and "申請書_公印.pdf" in apply
    assert submit(jspm).status_code == 303
    apply = jspm.text("/renewal/apply")
    assert "申請済みです。" in apply and 'id="submit-button" disabled' in apply
    mail = outbox(app, template="renewal_submitted")
    assert len(mail) == 1 and mail[0].to_addr == CORE_LOGIN and number in mail[0].body
    assert submit(jspm).status_code == 409  # pressed again: nothing more happens
    assert len(outbox(app, template="renewal_submitted")) == 1


def test_submit_with_a_form_missing_is_409_with_the_reason(jspm):
    jspm.login(CORE_LOGIN)
    assert post_form1(jspm, form1_data(), physicians()).status_code == 200
    response = submit(jspm)
    assert response.status_code == 409
    assert "「2.概要書」が登録済みになっていません。" in response.get_data(as_text=True)


def test_outside_the_window_the_screen_is_not_offered_and_posts_are_409(app, factories, client_for, add_window, make_society):
    world = make_society(window=False)
    add_window(world.tenant_id, utcnow() - timedelta(days=60), utcnow() - timedelta(days=30))
    client = client_for("jspm.localhost")
    client.login(CORE_LOGIN)
    assert "現在は申請期間外です。" in client.text("/renewal/")
    assert 'href="/renewal/apply"' not in client.text("/renewal/")
    assert "現在は申請期間外です。" in client.text("/renewal/apply")
    response = post_form1(client, form1_data(), physicians())
    assert response.status_code == 409 and "現在は申請期間外です。" in response.get_data(as_text=True)
    assert submit(client).status_code == 409


def test_non_pdf_scan_is_refused_with_a_message(jspm):
    jspm.login(CORE_LOGIN)
    post_form1(jspm, form1_data(), physicians())
    response = upload_scan(jspm, png_bytes(), "scan.png")
    assert response.status_code >= 400 and "PDF" in response.get_data(as_text=True)
    assert "アップロード済み" not in jspm.text("/renewal/apply")


def test_secretariat_requests_a_correction_then_passes_the_resubmission(app, jspm, client_for):
    jspm.login(CORE_LOGIN)
    fill_everything(jspm)
    assert submit(jspm).status_code == 303
    jimu = client_for("jspm.localhost")
    jimu.login(JIMU_LOGIN)
    listing = jimu.text("/renewal/review?status=submitted")
    app_id = int(re.search(r'href="/renewal/review/(\d+)"', listing).group(1))
    detail = jimu.text(f"/renewal/review/{app_id}")
    for expected in ("髙田緩和ケア病院", "緩和 一郎", "350", "申請書_公印.pdf", "未申請 → 申請済み"):
        assert expected in detail, expected
    assert jimu.get(f"/renewal/review/{app_id}/scan").data == pdf_bytes()
    assert jimu.get(f"/renewal/review/{app_id}/document.pdf").status_code == 200

    response = jimu.post(f"/renewal/review/{app_id}/correction",
                         {"message": "病床数を最新の値にしてください。"}, csrf_from=f"/renewal/review/{app_id}")
    assert response.status_code == 303
    mail = outbox(app, template="renewal_correction")[-1]
    assert mail.to_addr == CORE_LOGIN and "病床数を最新の値にしてください。" in mail.body
    assert "「更新申請」ボタンを再度クリック" in mail.body
    top = jspm.text("/")  # the お知らせ on the facility's top page, besides the mail
    assert "事務局から修正依頼があります。" in top and "病床数を最新の値にしてください。" in top
    apply = jspm.text("/renewal/apply")
    assert "病床数を最新の値にしてください。" in apply and 'id="submit-button" disabled' not in apply
    assert f"JSPM-{app_id}-r2" in apply  # a form printed now carries the next version

    assert jspm.post("/renewal/form2", form2_data(beds="360"), csrf_from="/renewal/apply").status_code == 200
    assert submit(jspm).status_code == 303
    assert "申請済みです。" in jspm.text("/renewal/apply")
    assert "r2" in jimu.text("/renewal/review?status=submitted")
    assert jimu.post(f"/renewal/review/{app_id}/pass", {}, csrf_from=f"/renewal/review/{app_id}").status_code == 303
    detail = jimu.text(f"/renewal/review/{app_id}")
    for action in ("修正依頼中 → 申請済み", "申請済み → 合格", "jimu 担当", "core 担当"):
        assert action in detail, action
    assert "renewal_" not in detail and "correction_requested" not in detail
    assert "合格" in jimu.text("/renewal/review?status=passed")


def test_other_roles_and_other_tenants_get_404(app, factories, jspm, client_for, world):
    jspm.login(CORE_LOGIN)
    fill_everything(jspm)
    submit(jspm)
    assert jspm.get("/renewal/review").status_code == 403
    assert jspm.get("/renewal/review/1").status_code == 404
    jimu = client_for("jspm.localhost")
    jimu.login(JIMU_LOGIN)
    assert jimu.get("/renewal/review/999").status_code == 404
    assert jimu.get("/renewal/apply").status_code == 403
    jsicm = client_for("jsicm.localhost")
    jsicm.login("jsicm-jimu")
    assert jsicm.get("/renewal/review").status_code == 404  # no renewal module
    assert jsicm.get("/renewal/review/1").status_code == 404
