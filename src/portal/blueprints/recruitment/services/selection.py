"""The program director's side (B-S13): 採用 / 不採用 / 未設定 and withdrawal requests."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts.models import User
from portal.blueprints.recruitment.models import DECISIONS, RecruitmentApplication
from portal.blueprints.recruitment.services.ceiling import check_ceiling
from portal.blueprints.recruitment.services.transitions import (
    RecruitmentError,
    close_due_rounds,
    close_withdrawal_task,
    director_scope,
    move,
    result_mail,
    sync_decision_task,
)
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url

DECIDABLE = ("applied", "accepted", "rejected")


def get_for_director(actor: User, application_id: int) -> RecruitmentApplication:
    application = db.session.scalar(select(RecruitmentApplication).where(
        RecruitmentApplication.id == application_id, director_scope(actor))
        .options(joinedload(RecruitmentApplication.applicant),
                 joinedload(RecruitmentApplication.program),
                 joinedload(RecruitmentApplication.round)))
    if application is None:
        raise RecruitmentError(N_("応募が見つかりません。"), 404)
    return application


def decide(actor: User, application_ids: list[int], decision: str,
           now: datetime | None = None) -> list[RecruitmentApplication]:
    """採用 / 不採用 / 未設定 for one or several applicants. All or nothing: every row is checked
    before any moves. The mail says a result is available, never which (B-R15)."""
    now = now or utcnow()
    if decision not in DECISIONS:
        raise RecruitmentError(N_("採否を選択してください。"), 400)
    if not application_ids:
        raise RecruitmentError(N_("応募者を選択してください。"), 400)
    close_due_rounds(now)
    targets = [_decidable(actor, i, now) for i in dict.fromkeys(application_ids)]
    if decision == "accepted":
        check_ceiling(targets)  # B-R24
    changed = []
    for application in targets:
        if application.status == decision:
            continue
        before = application.status
        move(application, (before,), status=decision, decided_by_id=actor.id, decided_at=now,
              result_notified_at=now if decision != "applied" else None)
        audit.record("recruitment_decided", application, actor=actor, from_state=before,
                     to_state=decision)
        if decision != "applied":
            result_mail(application)
        changed.append(application)
    for application in {(a.program_id, a.round_id): a for a in changed}.values():
        sync_decision_task(application.program.director, application.round)  # 未設定 reopens it
    return changed


def _decidable(actor: User, application_id: int, now: datetime) -> RecruitmentApplication:
    application = get_for_director(actor, application_id)
    if application.applicant_id == actor.id:
        raise RecruitmentError(N_("ご自身の応募は選考できません。"), 403)
    if application.status not in DECIDABLE or application.closed_at is not None:
        raise RecruitmentError(gettext("%(name)sさんの応募は現在選考できない状態です。",
                                       name=application.applicant.full_name))
    if not application.round.accepts_decisions(now):
        raise RecruitmentError(N_("選考期間が終了しているため、採否を変更できません。"))
    return application


def _withdrawal_pending(actor: User, application_id: int) -> RecruitmentApplication:
    application = get_for_director(actor, application_id)
    if application.applicant_id == actor.id:  # an account that changed role (SECURITY.md 22)
        raise RecruitmentError(N_("ご自身の辞退申請は処理できません。"), 403)
    if application.status != "withdrawal_requested":
        raise RecruitmentError(N_("この辞退申請は既に処理済みです。画面を更新してください。"))
    return application


def approve_withdrawal(actor: User, application_id: int,
                       now: datetime | None = None) -> RecruitmentApplication:
    """辞退申請中 -> 辞退済; the applicant is 未応募 again and is mailed (B-R14, N05)."""
    now = now or utcnow()
    application = _withdrawal_pending(actor, application_id)
    move(application, ("withdrawal_requested",), status="withdrawn", closed_at=now,
          withdrawal_decided_by_id=actor.id, withdrawal_decided_at=now)
    close_withdrawal_task(application.id)
    audit.record("recruitment_withdrawal_approved", application, actor=actor,
                 from_state="withdrawal_requested", to_state="withdrawn")
    applicant = application.applicant
    queue_mail("recruitment_withdrawal_approved", applicant.email, applicant=applicant,
               application=application, link=external_url("recruitment.index"))
    return application


def decline_withdrawal(actor: User, application_id: int, comment: str,
                       now: datetime | None = None) -> RecruitmentApplication:
    """辞退申請中 -> 採用 again (DOMAIN.md Q13 default), with a mail to the applicant."""
    comment = (comment or "").strip()
    if not comment:
        raise RecruitmentError(N_("辞退を承認しない理由を入力してください。"), 400)
    now = now or utcnow()
    application = _withdrawal_pending(actor, application_id)
    move(application, ("withdrawal_requested",), status="accepted",
          withdrawal_decided_by_id=actor.id, withdrawal_decided_at=now)
    close_withdrawal_task(application.id)
    audit.record("recruitment_withdrawal_declined", application, actor=actor,
                 from_state="withdrawal_requested", to_state="accepted", reason=comment)
    applicant = application.applicant
    queue_mail("recruitment_withdrawal_declined", applicant.email, applicant=applicant,
               application=application, link=external_url("recruitment.index"))
    return application
