"""研修開始申請, the normal flow (A-W01, A-R03, A-R05; issue 16 item 1): the trainee names
facility, director and start date; the named director approves or returns it with a reason;
both sides get tasks and mails; before approval the upload is refused on the server."""
from __future__ import annotations

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.blueprints.credentials.models import TrainingStartApplication
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from portal.worklist.models import Task
from tests.factories.helpers.credentials import upload_credential as upload
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.rows import outbox


def _newcomer(factories, world) -> int:
    return factories.user(world.jsicm.tenant_id, "jsicm-800077", "trainee", full_name="専攻医 新規",
                          member_number="800077", basic_program_status="specialist_certified",
                          jmsb_basic_specialty="pediatrics", email="newcomer@jsicm.example.jp")


def _rows(app, world, model, *where):
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        return list(db.session.scalars(select(model).where(*where).order_by(model.id)))


def _apply(client, world, director=None, facility=None, start="2026-04-01"):
    return client.post("/training-start", {
        "facility_id": str(facility or world.jsicm.facility),
        "director_id": str(director or world.jsicm.director), "start": start},
        csrf_from="/training-start")


def test_apply_then_approve(app, factories, world, client_for):
    uid = _newcomer(factories, world)
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800077")
    page = trainee.text("/training-start")
    assert "研修施設とその統括責任者" in page and "統括 太郎（施設A）" in page
    assert upload(trainee, pdf_bytes()).status_code == 409  # not before approval (server side)
    wrong = _apply(trainee, world, director=world.jsicm.other_director)
    assert wrong.status_code == 422
    assert "選択した研修施設の統括責任者を選択してください。" in wrong.get_data(as_text=True)
    assert _rows(app, world, TrainingStartApplication, TrainingStartApplication.trainee_id == uid) == []
    assert _apply(trainee, world).status_code == 303
    [application] = _rows(app, world, TrainingStartApplication, TrainingStartApplication.trainee_id == uid)
    assert application.status == "pending_review"
    assert "統括責任者の承認をお待ちください。" in trainee.text("/training-start")
    assert _apply(trainee, world).status_code == 409  # once pending, no second application
    [mail] = outbox(app, template="training_start_submitted")
    assert mail.to_addr == "jsicm-director@example.jp"
    assert _rows(app, world, Task, Task.kind == "review_training_start", Task.status == "open")

    other = client_for("jsicm.localhost")
    other.login("jsicm-director-b")  # not the named director
    assert "専攻医 新規" not in other.text("/review/training-starts")
    assert other.post(f"/review/training-starts/{application.id}/approve", {},
                      csrf_from="/review/training-starts").status_code == 404
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    assert "専攻医 新規" in director.text("/review/training-starts")
    assert director.post(f"/review/training-starts/{application.id}/approve", {},
                         csrf_from="/review/training-starts").status_code == 303
    [application] = _rows(app, world, TrainingStartApplication, TrainingStartApplication.trainee_id == uid)
    assert application.status == "approved"
    [approved] = outbox(app, template="training_start_approved")
    assert approved.to_addr == "newcomer@jsicm.example.jp"
    assert not _rows(app, world, Task, Task.kind == "review_training_start", Task.status == "open")
    home = trainee.text("/")
    assert "研修開始申請が承認されました。" in home and "証票をアップロードしてください。" in home
    assert upload(trainee, pdf_bytes()).status_code == 303  # the credential may follow now


def test_return_with_a_reason_then_apply_again(app, factories, world, client_for):
    uid = _newcomer(factories, world)
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800077")
    assert _apply(trainee, world).status_code == 303
    [application] = _rows(app, world, TrainingStartApplication, TrainingStartApplication.trainee_id == uid)
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    path = f"/review/training-starts/{application.id}/return"
    empty = director.post(path, {"reason": ""}, csrf_from="/review/training-starts")
    assert empty.status_code == 303  # back to the queue with the message; nothing changed
    assert _rows(app, world, TrainingStartApplication,
                 TrainingStartApplication.id == application.id)[0].status == "pending_review"
    assert director.post(path, {"reason": "開始日が違います。"},
                         csrf_from="/review/training-starts").status_code == 303
    [returned] = outbox(app, template="training_start_returned")
    assert "開始日が違います。" in returned.body
    assert "差し戻されました" in trainee.text("/training-start")
    assert _apply(trainee, world, start="2026-10-01").status_code == 303
    [again] = _rows(app, world, TrainingStartApplication, TrainingStartApplication.trainee_id == uid)
    assert again.status == "pending_review" and again.training_start_date.isoformat() == "2026-10-01"
    actions = [e.action for e in _rows(app, world, AuditEvent,
                                       AuditEvent.entity_type == "training_start_applications")]
    assert actions == ["training_start_submitted", "training_start_returned", "training_start_submitted"]


def test_the_migrated_cohort_keeps_its_approved_start(world, jsicm):
    jsicm.login("jsicm-800014")
    page = jsicm.text("/training-start")
    assert "研修開始申請は完了しています。" in page and "承認済" in page
    assert '<form method="post" action="/training-start"' not in page
