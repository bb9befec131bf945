"""Issue 19 item 2: every item waiting on someone is a task with a due date from rules.toml
[deadlines] (days after it opens, Japan time), or the feature's own date (JMSB 採否: the
round's 選考結果登録締切); tasks close when the item is dealt with."""
from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from portal.blueprints.recruitment.services import applicant as recruiting
from portal.blueprints.recruitment.services import selection
from portal.blueprints.renewal.models import RenewalApplication
from portal.blueprints.renewal.services import applications as services
from portal.blueprints.renewal.services import outcome
from portal.blueprints.renewal.services.applications import submit
from portal.extensions import db
from portal.registry import registry
from portal.storage import StoredFile
from portal.worklist.models import Task
from portal.worklist.services import open_task
from tests.factories.helpers.renewal import form1_data, form2_data, physicians
from tests.factories.helpers.rows import read, user

# 23:30 UTC is already the next day in Japan: the due date counts from the Japanese day.
OPENED = datetime(2026, 6, 9, 23, 30, tzinfo=timezone.utc)
TENANTS = Path(__file__).resolve().parents[2] / "src" / "portal" / "tenants"


def in_host(app, host: str, fn):
    with app.test_request_context("/", base_url=f"http://{host}"):
        app.preprocess_request()
        result = fn()
        db.session.commit()
        return result


def tasks(app, tenant_id: int, kind: str) -> list[Task]:
    return read(app, tenant_id, select(Task).where(Task.kind == kind).order_by(Task.id))


def test_due_date_is_the_configured_days_after_the_japanese_day_it_opened(app, world):
    def make():
        director = user(world.jsicm.director)
        open_task(director, "review_credential", "credentials.review", related_id=1, created_at=OPENED)
        open_task(director, "upload_credential", "credentials.upload", created_at=OPENED)
        open_task(director, "review_training_start", "credentials.training_start_queue",
                  related_id=7, created_at=OPENED, due_on=date(2026, 6, 12))

    in_host(app, "jsicm.localhost", make)
    [review] = tasks(app, world.jsicm.tenant_id, "review_credential")
    assert review.due_on == date(2026, 6, 10) + timedelta(days=14)  # jsicm review_credential = 14
    assert tasks(app, world.jsicm.tenant_id, "upload_credential")[-1].due_on is None  # not configured
    assert tasks(app, world.jsicm.tenant_id, "review_training_start")[0].due_on == date(2026, 6, 12)


def test_every_configured_kind_is_a_task_kind_some_feature_opens(app):
    with app.app_context():
        for path in sorted(TENANTS.glob("*/rules.toml")):
            days = tomllib.loads(path.read_text("utf-8")).get("deadlines", {}).get("days", {})
            unknown = [kind for kind in days if registry().task_kind(kind) is None]
            assert unknown == [], f"{path.parent.name}: {unknown}"


def test_jmsb_decision_is_one_task_per_director_and_round_due_on_its_deadline(
        app, rec, in_jmsb, factories, give_license):
    other = factories.user(rec.tenant_id, "jmsb-applicant-2", "trainee", full_name="応募 次郎",
                           medical_registration_number="765432", email="jiro@jmsb.example.jp")
    give_license(rec.tenant_id, other)
    first, second = (in_jmsb(lambda who=who: recruiting.apply(user(who), rec.program, "program",
                                                              None).id)
                     for who in (rec.applicant, other))
    [task] = tasks(app, rec.tenant_id, "decide_application")
    deadline = (rec.round1_decisions_close - timedelta(microseconds=1)).astimezone(
        timezone(timedelta(hours=9))).date()
    assert (task.user_id, task.related_id, task.due_on, task.status) == (
        rec.director, rec.round1, deadline, "open")
    in_jmsb(lambda: selection.decide(user(rec.director), [first], "accepted"))
    assert tasks(app, rec.tenant_id, "decide_application")[0].status == "open"  # one still waits
    in_jmsb(lambda: selection.decide(user(rec.director), [second], "rejected"))
    assert tasks(app, rec.tenant_id, "decide_application")[0].status == "done"
    in_jmsb(lambda: selection.decide(user(rec.director), [second], "applied"))  # 未設定 again
    assert [t.status for t in tasks(app, rec.tenant_id, "decide_application")] == ["done", "open"]


def test_jmsb_decision_task_link_opens_the_round_on_the_directors_list(app, rec, in_jmsb, jmsb):
    in_jmsb(lambda: recruiting.apply(user(rec.applicant), rec.program, "program", None))
    jmsb.login("jmsb-director@example.jp")
    assert f'href="/recruitment/director?round={rec.round1}"' in jmsb.text("/")


def test_jmsb_withdrawal_waits_seven_days_on_the_director(app, rec, in_jmsb):
    application = in_jmsb(lambda: recruiting.apply(user(rec.applicant), rec.program, "program", None).id)
    in_jmsb(lambda: selection.decide(user(rec.director), [application], "accepted"))
    in_jmsb(lambda: recruiting.request_withdrawal(user(rec.applicant), application, "家庭の事情"))
    [task] = tasks(app, rec.tenant_id, "decide_withdrawal")
    assert task.user_id == rec.director and task.due_on == task.created_at.astimezone(
        timezone(timedelta(hours=9))).date() + timedelta(days=7)  # jmsb decide_withdrawal = 7
    in_jmsb(lambda: selection.approve_withdrawal(user(rec.director), application))
    assert tasks(app, rec.tenant_id, "decide_withdrawal")[0].status == "done"


def test_jspm_review_waits_thirty_days_on_the_secretariat_and_closes_on_the_decision(
        app, jspm_world, add_rows):
    def apply():
        core = user(jspm_world.core_user)
        now = datetime.now(timezone.utc)
        services.save_application_form(core, form1_data(), physicians(), now)
        services.save_overview_form(core, form2_data(), now)
        app_row = services.editable_application(core, now)[1]
        app_row.sealed_file_id = _scan(jspm_world)
        return submit(core, now).id

    app_id = in_host(app, "jspm.localhost", apply)
    [task] = tasks(app, jspm_world.tenant_id, "review_renewal")
    assert task.user_id == jspm_world.jimu_user and task.related_id == app_id
    assert task.due_on == task.created_at.astimezone(timezone(timedelta(hours=9))).date() + timedelta(days=30)
    in_host(app, "jspm.localhost",
            lambda: outcome.fail_application(user(jspm_world.jimu_user), app_id, "要件不足",
                                             datetime.now(timezone.utc)))
    assert tasks(app, jspm_world.tenant_id, "review_renewal")[0].status == "done"
    assert read(app, jspm_world.tenant_id, select(RenewalApplication))[0].status == "failed"


def _scan(world) -> int:
    file = StoredFile(tenant_id=world.tenant_id, key="scan-key", owner_id=world.core_user,
                      slot="sealed_application_pdf", original_filename="申請書.pdf",
                      mime_type="application/pdf", size_bytes=10, sha256="0" * 64,
                      state="committed")
    db.session.add(file)
    db.session.flush()
    return file.id
