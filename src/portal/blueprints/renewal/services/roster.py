"""The certified-member roster: what 様式1's member numbers are checked against (Q22, C-R16:
found, or flagged for the secretariat), and the roster as the secretariat's import sees it
(issue 15; the import feature asks through the registry, since features never import each
other). Services flush, never commit."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import audit
from portal.blueprints.renewal.models import (
    QUALIFICATIONS,
    FacilityCertification,
    RenewalApplication,
    SocietyMember,
)
from portal.directory.models import Facility
from portal.extensions import db


def _text(data: dict, key: str) -> str:
    return str(data.get(key) or "").strip()

def roster(data: dict, physicians: list[dict]) -> dict[str, SocietyMember]:
    """The roster rows of the member numbers form 1 names (施設責任者 and 指導医)."""
    numbers = {_text(data, "responsible_member_number")} | {p["member_number"] for p in physicians}
    numbers.discard("")
    if not numbers:
        return {}
    return {m.member_number: m for m in db.session.scalars(
        select(SocietyMember).where(SocietyMember.member_number.in_(sorted(numbers))))}


def unverified_numbers(data: dict, physicians: list[dict],
                       found: dict[str, SocietyMember] | None = None) -> list[str]:
    """Q22: the member numbers form 1 names that the roster does not hold (flagged, not refused)."""
    found = roster(data, physicians) if found is None else found
    # a 指導医 the roster holds without 資格 cannot be checked either (a roster without them)
    unchecked = {p["member_number"] for p in physicians
                 if p["member_number"] in found and found[p["member_number"]].qualification is None}
    numbers = [_text(data, "responsible_member_number")] + [p["member_number"] for p in physicians]
    return sorted({n for n in numbers if n and (n not in found or n in unchecked)})


def flag_roster(app: RenewalApplication, data: dict, physicians: list[dict],
                found: dict[str, SocietyMember] | None = None) -> None:
    """Keep the secretariat's confirmation while the same numbers stay unverified."""
    numbers = unverified_numbers(data, physicians, found)
    if not numbers:
        app.roster_status, app.roster_unverified = None, None
    elif not (app.roster_status == "confirmed" and app.roster_unverified == numbers):
        app.roster_status, app.roster_unverified = "unverified", numbers


Entry = tuple[str, str, str, str]  # name, qualification, valid from, valid to (ISO or "")
# The file names 資格 as 認定医 / 専門医 / 指導医; the roster keeps the codes the 様式1 rule
# reads (models.QUALIFICATIONS: certified_physician / specialist / supervisor).
_CODES = {str(label): code for code, label in QUALIFICATIONS.items()}


def _entry(member: SocietyMember) -> Entry:
    return (member.name, str(QUALIFICATIONS.get(member.qualification or "", member.qualification or "")),
            member.valid_from.isoformat() if member.valid_from else "",
            member.valid_to.isoformat() if member.valid_to else "")


def roster_state(numbers: list[str]) -> dict[str, Entry]:
    members = db.session.scalars(select(SocietyMember).where(SocietyMember.member_number.in_(numbers)))
    return {m.member_number: _entry(m) for m in members}


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def apply_roster(actor, rows: list[dict[str, str]], reason: str) -> None:
    """Insert or update each member; every change is audited."""
    numbers = [r["member_number"] for r in rows]
    found = {m.member_number: m for m in db.session.scalars(
        select(SocietyMember).where(SocietyMember.member_number.in_(numbers)))}
    for row in rows:
        member = found.get(row["member_number"])
        before = _entry(member) if member else None
        if member is None:
            member = SocietyMember(member_number=row["member_number"], name=row["name"])
            db.session.add(member)
        member.name = row["name"]
        member.qualification = _CODES.get(row["qualification"], row["qualification"])
        member.valid_from, member.valid_to = _date(row["valid_from"]), _date(row.get("valid_to", ""))
        member.certified = True
        db.session.flush()
        audit.record("roster_member_imported", member, actor=actor,
                     from_state=before[1] if before else None, to_state=member.qualification,
                     reason=reason)


# --- facilities with 認定番号 and 基幹/連携 (the import's 施設コード is the 認定番号) ----------------

def facility_types(codes: list[str]) -> dict[str, str]:
    rows = db.session.execute(
        select(Facility.code, FacilityCertification.facility_type)
        .join(FacilityCertification, FacilityCertification.facility_id == Facility.id)
        .where(Facility.code.in_(codes)))
    return {code: kind for code, kind in rows}


def set_facility_type(actor, facility: Facility, facility_type: str) -> None:
    """The facility's certification: created (valid from today) or its type corrected."""
    cert = db.session.scalar(select(FacilityCertification).where(
        FacilityCertification.facility_id == facility.id))
    if cert is not None and cert.facility_type == facility_type:
        return
    before = cert.facility_type if cert else None
    if cert is None:
        cert = FacilityCertification(facility_id=facility.id, certification_number=facility.code,
                                     facility_type=facility_type, valid_from=date.today())
        db.session.add(cert)
    cert.facility_type = facility_type
    db.session.flush()
    audit.record("facility_certification_imported", cert, actor=actor, from_state=before,
                 to_state=facility_type)
