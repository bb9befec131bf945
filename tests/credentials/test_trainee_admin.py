"""A-S12 (issue 15 item 3): the secretariat's trainee administration — 基本領域 and プログラム
状況 with a reason (audited), 研修開始の登録 on the trainee's behalf, the credential history,
and 再提出依頼 of a provisional credential (A-R10), which keeps the training as it is."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.credentials.models import Credential, Enrollment, TrainingStartApplication
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.credentials import submit_credential as submit
from tests.factories.helpers.credentials import upload_credential as upload
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.rows import outbox


def _jimu(client_for):
    client = client_for("jsicm.localhost")
    client.login("jsicm-jimu")
    return client


def _rows(app, world, model, *where):
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        return list(db.session.scalars(select(model).where(*where).order_by(model.id)))


def test_list_search_and_trainee_page(world, client_for):
    jimu = _jimu(client_for)
    page = jimu.text("/admin/trainees?q=８０００１４")
    assert "専攻医 テスト1" in page
    assert "該当する専攻医はいません。" in jimu.text("/admin/trainees?q=nobody")
    detail = jimu.text(f"/admin/trainees/{world.jsicm.trainee}")
    assert "800014" in detail and "証票の履歴" in detail and "施設A" in detail
    assert jimu.get(f"/admin/trainees/{world.jsicm.director}").status_code == 404  # not a trainee


def test_program_change_needs_a_reason_and_is_audited(app, world, client_for):
    jimu = _jimu(client_for)
    path = f"/admin/trainees/{world.jsicm.trainee}"
    refused = jimu.post(f"{path}/program", {"specialty": "internal_medicine",
                                            "program_status": "program_completed", "reason": ""},
                        csrf_from=path)
    assert refused.status_code == 422 and "変更の理由を入力してください。" in refused.get_data(as_text=True)
    [trainee] = _rows(app, world, User, User.id == world.jsicm.trainee)
    assert trainee.jmsb_basic_specialty == "pediatrics"
    done = jimu.post(f"{path}/program", {"specialty": "internal_medicine",
                                         "program_status": "program_completed",
                                         "reason": "機構の登録内容に合わせた"}, csrf_from=path)
    assert done.status_code == 303
    [trainee] = _rows(app, world, User, User.id == world.jsicm.trainee)
    assert (trainee.jmsb_basic_specialty, trainee.basic_program_status) == ("internal_medicine",
                                                                             "program_completed")
    [event] = _rows(app, world, AuditEvent, AuditEvent.action == "trainee_program_updated")
    assert "機構の登録内容に合わせた" in event.reason and "小児科" in event.reason


def test_training_start_on_behalf_of_a_trainee_without_one(app, factories, world, client_for):
    newcomer = factories.user(world.jsicm.tenant_id, "jsicm-800099", "trainee",
                              full_name="専攻医 新人", member_number="800099")
    jimu = _jimu(client_for)
    path = f"/admin/trainees/{newcomer}"
    assert "研修開始の登録（代行）" in jimu.text(path)
    missing = jimu.post(f"{path}/training-start", {"facility_id": "0",
                                                    "director_id": str(world.jsicm.director),
                                                    "start": "2026-04-01"}, csrf_from=path)
    assert missing.status_code == 422 and "研修施設を選択してください。" in missing.get_data(as_text=True)
    done = jimu.post(f"{path}/training-start", {"facility_id": str(world.jsicm.facility),
                                                 "director_id": str(world.jsicm.director),
                                                 "start": "2026-04-01"}, csrf_from=path)
    assert done.status_code == 303
    [application] = _rows(app, world, TrainingStartApplication,
                          TrainingStartApplication.trainee_id == newcomer)
    assert application.program_director_id == world.jsicm.director
    again = jimu.post(f"{path}/training-start", {"facility_id": str(world.jsicm.facility),
                                                  "director_id": str(world.jsicm.director),
                                                  "start": "2026-04-01"}, csrf_from=path)
    assert again.status_code == 409
    assert len(_rows(app, world, AuditEvent,
                     AuditEvent.action == "training_start_registered_by_secretariat")) == 1


def test_replacement_of_a_provisional_credential_keeps_the_training(app, world, jsicm, client_for):
    # a provisional credential (学会の修了証明書), approved
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        db.session.get(User, world.jsicm.trainee).basic_program_status = "program_completed"
        db.session.commit()
    jsicm.login("jsicm-800014")
    assert upload(jsicm, pdf_bytes(), doc="society_completion_certificate").status_code == 303
    assert submit(jsicm).status_code == 303
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    [provisional] = _rows(app, world, Credential)
    assert provisional.is_provisional
    assert director.post(f"/review/credentials/{provisional.id}/approve", {},
                         csrf_from="/review/credentials").status_code in (200, 303)

    jimu = _jimu(client_for)
    path = f"/admin/trainees/{world.jsicm.trainee}"
    assert "正式な証票の再提出を依頼" in jimu.text(path)
    assert jimu.post(f"/admin/credentials/{provisional.id}/replacement",
                     {"comment": "機構の認定証が届き次第お願いします。"}, csrf_from=path).status_code == 303
    [mail] = outbox(app, template="credential_replacement_requested")
    assert mail.to_addr == "trainee@jsicm.example.jp" and "機構の認定証が届き次第" in mail.body
    again = jimu.post(f"/admin/credentials/{provisional.id}/replacement", {}, csrf_from=path)
    assert again.status_code == 409

    home = jsicm.text("/")
    assert "証票の差し替えをお願いします。" in home and 'href="/cases/new"' in home  # still unlocked
    assert upload(jsicm, pdf_bytes(), name="認定証.pdf", doc="jmsb_completion_certificate").status_code == 303
    assert submit(jsicm).status_code == 303
    assert jsicm.get("/cases/new").status_code == 200  # training goes on during the review
    [_, final] = _rows(app, world, Credential)
    assert final.supersedes_id == provisional.id and final.status == "pending_review"
    assert director.post(f"/review/credentials/{final.id}/approve", {},
                         csrf_from="/review/credentials").status_code in (200, 303)
    [enrollment] = _rows(app, world, Enrollment)  # one enrollment: the training did not restart
    assert enrollment.credential_id == final.id
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 1
    assert re.search(r"再提出依頼", jimu.text(path))
