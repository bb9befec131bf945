"""What the applicant's and the director's sides share: the error, the guarded move of an
application, who may see which applications, the "please log in" result mail and the
round close-out (B-R12, B-R15, I-22)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.clock import JST
from portal.db import utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url
from portal.worklist.services import close_tasks, open_task

STALE = N_("この応募は既に状態が変わっています。画面を更新してください。")


class RecruitmentError(Refusal):
    status = 409


def move(application: RecruitmentApplication, from_states: tuple[str, ...], **values) -> None:
    result = db.session.execute(
        update(RecruitmentApplication)
        .where(RecruitmentApplication.id == application.id,
               RecruitmentApplication.status.in_(from_states),
               RecruitmentApplication.closed_at.is_(None))
        .values(updated_at=utcnow(), **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RecruitmentError(STALE)
    db.session.refresh(application)


# --- what waits on the director (issue 19): 採否 is one task per director and round, due on
# the round's 選考結果登録締切, open while any of their applicants there is 応募済; a withdrawal is
# one task per application, due by rules.toml [deadlines] ------------------------------------------

DECIDE_TASK, WITHDRAWAL_TASK = "decide_application", "decide_withdrawal"


def decision_due(round_: RecruitmentRound) -> date:
    """The last Japan-time day a decision can be made (decisions_close_at is exclusive)."""
    return (round_.decisions_close_at - timedelta(microseconds=1)).astimezone(JST).date()


def sync_decision_task(director: User, round_: RecruitmentRound) -> None:
    waiting = db.session.scalar(
        select(RecruitmentApplication.id).join(RecruitmentProgram).where(
            RecruitmentApplication.round_id == round_.id, RecruitmentProgram.director_id == director.id,
            RecruitmentApplication.status == "applied", RecruitmentApplication.closed_at.is_(None))
        .limit(1))
    if waiting is None:
        close_tasks(DECIDE_TASK, user_id=director.id, related_id=round_.id)
    else:
        open_task(director, DECIDE_TASK, "recruitment.director_applicants", related_id=round_.id,
                  due_on=decision_due(round_))


def open_withdrawal_task(application: RecruitmentApplication) -> None:
    open_task(application.program.director, WITHDRAWAL_TASK, "recruitment.director_applicants",
              related_id=application.id)


def close_withdrawal_task(application_id: int) -> None:
    close_tasks(WITHDRAWAL_TASK, related_id=application_id)


def director_scope(actor: User):
    """A director sees only the applicants of their own programs; the secretariat all."""
    if actor.role == Role.secretariat.value:
        return RecruitmentApplication.id.is_not(None)
    if actor.role == Role.program_director.value:
        return RecruitmentApplication.program_id.in_(
            select(RecruitmentProgram.id).where(RecruitmentProgram.director_id == actor.id))
    return RecruitmentApplication.id.is_(None)


def result_mail(application: RecruitmentApplication) -> None:
    applicant = application.applicant
    queue_mail("recruitment_result", applicant.email, applicant=applicant,
               link=external_url("recruitment.index"))


# --- round close-out (system) --------------------------------------------------------------------

# What the close-out of a round closes; reads treat them as closed once the round is due.
CLOSED_OUT_STATUSES = ("applied", "rejected")


def close_due_rounds(now: datetime | None = None) -> int:
    """When a round's selection period ends: 応募済 becomes 未設定, and 不採用/未設定 close, so
    the applicant is 未応募 again (B-R12, I-22). Safe to run twice, and from many requests at
    once: only the request whose UPDATE claims the round does the work. Returns rounds closed."""
    now = now or utcnow()
    due = db.session.scalars(select(RecruitmentRound.id).where(
        RecruitmentRound.closed_at.is_(None), RecruitmentRound.decisions_close_at <= now)).all()
    closed = 0
    for round_id in due:
        claimed = db.session.execute(
            update(RecruitmentRound).where(RecruitmentRound.id == round_id,
                                           RecruitmentRound.closed_at.is_(None))
            .values(closed_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            _close_out(round_id, now)
            closed += 1
    return closed


def _close_out(round_id: int, now: datetime) -> None:
    pending = db.session.scalars(select(RecruitmentApplication).where(
        RecruitmentApplication.round_id == round_id, RecruitmentApplication.closed_at.is_(None),
        RecruitmentApplication.status.in_(CLOSED_OUT_STATUSES))
        .options(joinedload(RecruitmentApplication.applicant))).all()
    for application in pending:
        before = application.status
        after = "undecided" if before == "applied" else before
        move(application, (before,), status=after, closed_at=now,
              result_notified_at=application.result_notified_at or now)
        audit.record("recruitment_round_closed", application, from_state=before, to_state=after)
        if before == "applied":  # the same "please log in" mail as a decision (DOMAIN.md B-W02)
            result_mail(application)
    close_tasks(DECIDE_TASK, related_id=round_id)  # the round's 採否 is over for every director
