"""The program director signs off the cases filed with them (承認), one by one or in bulk: one
UPDATE ... WHERE status = 'entered' AND director_id = me AND id IN (...), so a case of another
director, one already signed off or one deleted meanwhile is left as it is. A signed-off case
counts towards the requirements and is frozen. No mail per case (it would be a flood): the
trainee sees the status in the list."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select, update

from portal import audit
from portal.accounts.models import User
from portal.blueprints.cases.models import Case, CaseStatus
from portal.blueprints.cases.services.cases import CaseError, close_signoff_task_if_done
from portal.db import inline, utcnow
from portal.extensions import db
from portal.i18n import N_

ENTERED, SIGNED_OFF = CaseStatus.entered.value, CaseStatus.signed_off.value
BULK_MAX = 200  # a bulk sign-off acts on what one page shows; this bounds a hand-made post
COUNT_CAP = 1000


def sign_off(director: User, case_ids: Sequence[int], now: datetime | None = None) -> list[int]:
    """The ids it signed off (those that were the director's and still entered)."""
    ids = sorted({i for i in case_ids if isinstance(i, int)})[:BULK_MAX]
    if not ids:
        raise CaseError(N_("承認する症例を選択してください。"), 422, "case_ids")
    now = now or utcnow()
    signed = list(db.session.scalars(
        update(Case)
        .where(Case.id.in_(ids), Case.director_id == director.id, Case.status == inline(ENTERED))
        .values(status=SIGNED_OFF, signed_off_by_id=director.id, signed_off_at=now)
        .returning(Case.id).execution_options(synchronize_session=False)))
    for case_id in sorted(signed):
        audit.record("case_signed_off", SimpleNamespace(
            __tablename__=Case.__tablename__, tenant_id=director.tenant_id, id=case_id),
            actor=director, from_state=ENTERED, to_state=SIGNED_OFF)
    if signed:
        close_signoff_task_if_done(director.id)
    return sorted(signed)


def sign_off_one(director: User, case_id: int) -> None:
    if not sign_off(director, [case_id]):
        found = db.session.scalar(select(Case.status).where(
            Case.id == case_id, Case.director_id == director.id))
        if found is None:
            raise CaseError(N_("症例が見つかりません。"), 404)
        raise CaseError(N_("この症例は既に承認されています。画面を更新してください。"), 409)


def waiting_count(director: User) -> int:
    """承認待ち for this director, counted up to COUNT_CAP (shown as 1000+)."""
    return db.session.scalar(select(func.count()).select_from(
        select(Case.id).where(Case.director_id == director.id, Case.status == inline(ENTERED))
        .limit(inline(COUNT_CAP)).subquery())) or 0
