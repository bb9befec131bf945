"""A-W02 end to end through the test client: upload, confirm, submit, approve, unlock."""
from __future__ import annotations

from datetime import datetime

from portal.ui import JST
from tests.factories.helpers.credentials import submit_credential as submit
from tests.factories.helpers.credentials import upload_credential as upload
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.rows import outbox


def test_trainee_home_matches_the_manual(jsicm):
    jsicm.login("jsicm-800014")
    page = jsicm.text("/")
    for text in ("在籍状況", "研修開始申請状況", "施設A", "統括 太郎", "承認済", "未申請",
                 "タスク (未処理件数 1 件)", "証票をアップロードしてください。", "お知らせはありません",
                 "日本集中治療医学会 機構専攻医研修管理システム"):
        assert text in page, text
    year = datetime.now(JST).year  # the current year, not the one the site was built in
    assert f"{year} - 日本集中治療医学会 機構専攻医研修管理システム" in page


def test_menu_items_not_built_or_gated_say_why(jsicm):
    jsicm.login("jsicm-800014")
    page = jsicm.text("/")
    assert "証票の承認を満たすと利用できます。" in page  # the requirement that locks them (rules.toml)
    assert "この機能は現在準備中です。" in page
    assert 'href="/cases/new"' not in page
    assert jsicm.get("/cases/new").status_code == 403
    assert jsicm.get("/cases/reports/new").status_code == 403
    assert jsicm.get("/cases/").status_code == 403


def test_upload_confirm_submit_approve_unlocks_cases(app, jsicm, client_for, world):
    jsicm.login("jsicm-800014")
    form = jsicm.text("/credentials/upload")
    assert "800014" in form and "専攻医 テスト1 (センコウイ テストイチ)" in form and "A1234567" in form
    assert "5MB以下のpdf/ png/ jpg/ jpegファイルをアップロードできます。" in form

    response = upload(jsicm, pdf_bytes())
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    confirm = jsicm.text("/credentials/confirm")
    assert "証票アップロード確認" in confirm and "医師免許証.pdf" in confirm
    link = confirm.split('href="/files/')[1].split('"')[0]
    download = jsicm.get(f"/files/{link}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E5%8C%BB" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"

    assert submit(jsicm).status_code == 303
    assert "証票アップロード完了" in jsicm.text("/credentials/complete")
    home = jsicm.text("/")
    assert "審査待ち" in home and "タスク (未処理件数 0 件)" in home
    to_director = outbox(app, template="credential_submitted")
    assert [m.to_addr for m in to_director] == ["jsicm-director@example.jp"]

    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    queue = director.text("/review/credentials")
    assert "専攻医 テスト1" in queue
    credential_id = int(queue.split('id="credential-')[1].split('"')[0])
    token = director.csrf("/review/credentials")
    row = director.client.post(f"/review/credentials/{credential_id}/approve",
                               data={"csrf_token": token},
                               headers={"HX-Request": "true", "X-CSRFToken": token})
    assert row.status_code == 200
    body = row.get_data(as_text=True)
    assert "承認しました。" in body and "<html" not in body

    approved = outbox(app, template="credential_approved")
    assert len(approved) == 1
    assert approved[0].to_addr == "trainee@jsicm.example.jp"
    assert approved[0].subject == "【icu_training】証票審査承認のお知らせ"
    assert approved[0].status == "sent"
    home = jsicm.text("/")
    assert "承認済" in home and 'href="/cases/new"' in home
    assert home.count("施設A") == 2  # 在籍状況 is filled now
    assert jsicm.get("/cases/new").status_code == 200
    assert jsicm.get("/cases/").status_code == 200


def test_completion_certificate_is_named_in_jsicm_words(app, jsicm, world):
    """A-W03: jsicm names the certificate's issuer ([terminology] in its rules.toml); the
    shared default is the plain document name."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.tenants.scoping import tenant_scope

    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        db.session.get(User, world.jsicm.trainee).basic_program_status = "program_completed"
        db.session.commit()
    jsicm.login("jsicm-800014")
    form = jsicm.text("/credentials/upload")
    assert "専門研修修了認定証（日本専門医機構）" in form
    assert upload(jsicm, pdf_bytes(), doc="jmsb_completion_certificate").status_code == 303
    assert "専門研修修了認定証（日本専門医機構）" in jsicm.text("/credentials/confirm")


def test_upload_while_pending_review_says_it_replaces_the_file_under_review(jsicm):
    """Issue 14 item 5: while a credential is 審査待ち the upload page says one is under review
    and what a new upload does (services.submit replaces its file in the same review)."""
    jsicm.login("jsicm-800014")
    assert "提出済みの証票は審査待ちです。" not in jsicm.text("/credentials/upload")
    assert upload(jsicm, pdf_bytes()).status_code == 303
    assert submit(jsicm).status_code == 303
    page = jsicm.text("/credentials/upload")
    assert "提出済みの証票は審査待ちです。" in page and "医師免許証.pdf" in page
    assert "審査待ちの証票のファイルが差し替えられ" in page
    assert upload(jsicm, pdf_bytes(), name="差し替え.pdf").status_code == 303
    confirm = jsicm.text("/credentials/confirm")
    assert "差し替え.pdf" in confirm and "審査待ちの証票のファイルが差し替えられ" in confirm


def test_approval_and_return_leave_a_notice_on_the_trainees_top_page(app, jsicm, client_for):
    """Issue 14: the trainee learns of the decision in the portal too, not by mail only; the
    notice is theirs alone (another trainee's top page does not show it)."""
    jsicm.login("jsicm-800014")
    assert upload(jsicm, pdf_bytes()).status_code == 303 and submit(jsicm).status_code == 303
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    queue = director.text("/review/credentials")
    credential_id = int(queue.split('id="credential-')[1].split('"')[0])
    page = f"/review/credentials/{credential_id}"
    assert director.post(f"{page}/return", {"reason": "画像が不鮮明です。"},
                         csrf_from="/review/credentials").status_code in (200, 303)
    home = jsicm.text("/")
    assert "証票が差し戻されました。" in home and "理由: 画像が不鮮明です。" in home
    assert upload(jsicm, pdf_bytes()).status_code == 303 and submit(jsicm).status_code == 303
    queue = director.text("/review/credentials")
    credential_id = int(queue.split('id="credential-')[1].split('"')[0])
    page = f"/review/credentials/{credential_id}"
    assert director.post(f"{page}/approve", {}, csrf_from="/review/credentials").status_code in (200, 303)
    home = jsicm.text("/")
    assert "証票が承認されました。" in home and "統括 太郎（統括責任者）が承認しました。" in home
    assert "証票が承認されました。" not in director.text("/")  # the trainee's alone
