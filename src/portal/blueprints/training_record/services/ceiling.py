"""シーリング対象外 (B-R24, B-W07): set by the secretariat for a person (an applicant before
selection, or an enrolled trainee), with the council that certified it and a reason; never a
box the doctor ticks. Recruitment asks "ceiling_exempt" when it counts a specialty's ceiling."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.training_record.models import CeilingExemption
from portal.blueprints.training_record.services import RecordError
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_

NEEDS_COUNCIL = N_("シーリング対象外とするには、認定した地域医療対策協議会を入力してください。")
NO_PERSON = N_("この医籍登録番号の専攻医・応募者は見つかりません。")


def exemption_of(person_id: int) -> CeilingExemption | None:
    return db.session.scalar(select(CeilingExemption).where(CeilingExemption.person_id == person_id))


def exempt_people(person_ids: list[int]) -> set[int]:
    """Of these people, those the secretariat made ceiling-exempt (recruitment's question)."""
    if not person_ids:
        return set()
    return set(db.session.scalars(select(CeilingExemption.person_id).where(
        CeilingExemption.person_id.in_(person_ids), CeilingExemption.exempt.is_(True))))


def person_by_number(number: str) -> User:
    person = db.session.scalar(select(User).where(
        User.medical_registration_number == number, User.role == Role.trainee.value))
    if person is None:
        raise RecordError(NO_PERSON, 404, "number")
    return person


def trainee(person_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None or person.role != Role.trainee.value:
        raise RecordError(NO_PERSON, 404)
    return person


def set_exemption(actor: User, person: User, exempt: bool, certified_by: str, reason: str,
                  now: datetime | None = None) -> CeilingExemption:
    certified_by = certified_by.strip()
    if exempt and not certified_by:
        raise RecordError(NEEDS_COUNCIL, 422, "certified_by")
    row = exemption_of(person.id) or CeilingExemption(tenant_id=person.tenant_id, person_id=person.id)
    before = "exempt" if row.exempt else "counted"
    row.exempt, row.certified_by, row.reason = exempt, certified_by or None, reason
    row.set_by_id, row.set_at = actor.id, now or utcnow()
    db.session.add(row)
    db.session.flush()
    audit.record("ceiling_exemption_set", row, actor=actor, from_state=before,
                 to_state="exempt" if exempt else "counted", reason=reason)
    return row
