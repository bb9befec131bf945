"""経験症例: the trainee enters a case under the facility and program director of their current
placement (the credentials feature answers "current_placement"); it may be changed or deleted
until the director signs it off. Every choice comes from the society's rules (g.rules.case_log),
no free text may hold a patient identifier (identifiers.py). Services flush, never commit; the
changes are guarded in SQL (WHERE status = 'entered') and audited."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.cases.models import PROCEDURE_ROLES, SEXES, Case, CaseReport, CaseStatus
from portal.blueprints.cases.services.identifiers import identifier_problem
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.registry import registry
from portal.ui import JST
from portal.worklist.services import close_tasks, open_task

ENTERED = CaseStatus.entered.value
EARLIEST = date(2000, 1, 1)
NO_PLACEMENT = N_("在籍中の研修施設と統括責任者が登録されていないため、経験症例を登録できません。"
                  "研修開始申請と証票の承認を確認し、事務局にお問い合わせください。")
FROZEN = N_("統括責任者が承認した症例は変更・削除できません。")
NOT_FOUND = N_("症例が見つかりません。")


class CaseError(Refusal):
    status = 422


@dataclass
class CaseInput:
    """What the entry form gives a service, already typed."""

    entry_date: date | None
    icu_admission_date: date | None
    icu_discharge_date: date | None
    age_band: str
    sex: str
    primary_category: str
    outcome: str
    organ_supports: list[str] = field(default_factory=list)
    procedures: list[dict[str, str]] = field(default_factory=list)  # [{"code", "role"}]
    summary: str = ""


def today() -> date:
    return datetime.now(JST).date()


def _date_problems(data: CaseInput, today: date) -> dict[str, str]:
    found: dict[str, str] = {}
    admitted, discharged, entered = data.icu_admission_date, data.icu_discharge_date, data.entry_date
    if admitted is None:
        found["icu_admission_date"] = N_("ICU入室日を入力してください。")
    elif admitted > today:
        found["icu_admission_date"] = N_("ICU入室日に未来の日付は入力できません。")
    elif admitted < EARLIEST:
        found["icu_admission_date"] = N_("ICU入室日は2000年1月1日以降の日付を入力してください。")
    if discharged is not None and discharged > today:
        found["icu_discharge_date"] = N_("ICU退室日に未来の日付は入力できません。")
    elif discharged is not None and admitted is not None and discharged < admitted:
        found["icu_discharge_date"] = N_("ICU退室日はICU入室日以降の日付を入力してください。")
    if entered is None:
        found["entry_date"] = N_("登録日を入力してください。")
    elif entered > today:
        found["entry_date"] = N_("登録日に未来の日付は入力できません。")
    elif admitted is not None and entered < admitted:
        found["entry_date"] = N_("登録日はICU入室日以降の日付を入力してください。")
    return found


def _choice_problems(rules, data: CaseInput) -> dict[str, str]:
    log = rules.case_log
    found: dict[str, str] = {}
    if data.age_band not in {c.code for c in log.age_bands}:
        found["age_band"] = N_("年齢区分を選択してください。")
    if data.sex not in SEXES:
        found["sex"] = N_("性別を選択してください。")
    if data.primary_category not in log.leaf_codes():
        found["primary_category"] = N_("主たる疾患分類を選択してください。")
    if data.outcome not in {c.code for c in log.outcomes}:
        found["outcome"] = N_("転帰を選択してください。")
    if not set(data.organ_supports) <= {c.code for c in log.organ_supports}:
        found["organ_supports"] = N_("臓器補助の選択肢から選んでください。")
    known = {c.code for c in log.procedures}
    if any(p.get("code") not in known or p.get("role") not in PROCEDURE_ROLES for p in data.procedures):
        found["procedures"] = N_("手技の選択肢から選び、術者か助手かを選択してください。")
    return found


def problems(rules, data: CaseInput, today: date) -> dict[str, str]:
    """Every field's problem at once (a msgid per field name), so the page shows them all."""
    found = {**_date_problems(data, today), **_choice_problems(rules, data)}
    if (message := identifier_problem(data.summary)) is not None:
        found["summary"] = message
    return found


def _check(rules, data: CaseInput, today: date) -> None:
    found = problems(rules, data, today)
    if found:
        name, message = next(iter(found.items()))
        raise CaseError(message, 422, name)


def _values(data: CaseInput) -> dict:
    values = asdict(data)
    values["summary"] = (data.summary or "").strip() or None
    return values


def placement(trainee: User, rules) -> tuple[int, int]:
    """(facility id, director id) of the trainee's current placement; refused without one."""
    found = registry().answer("current_placement", rules, trainee)
    if not found:
        raise CaseError(NO_PLACEMENT, 409)
    return found


def create(trainee: User, rules, data: CaseInput, today: date) -> Case:
    _check(rules, data, today)
    facility_id, director_id = placement(trainee, rules)
    case = Case(tenant_id=trainee.tenant_id, trainee_id=trainee.id, director_id=director_id,
                facility_id=facility_id, status=ENTERED, **_values(data))
    db.session.add(case)
    db.session.flush()
    audit.record("case_entered", case, actor=trainee, to_state=ENTERED)
    # one task per director while anything waits in 症例承認 (its due date and reminders come
    # from rules.toml [deadlines]); closed when the queue is empty
    open_task(db.session.get(User, director_id), SIGNOFF_TASK, "cases.signoff_queue")
    return case


SIGNOFF_TASK = "signoff_cases"


def close_signoff_task_if_done(director_id: int) -> None:
    if not db.session.scalar(select(exists().where(
            Case.director_id == director_id, Case.status == ENTERED))):
        close_tasks(SIGNOFF_TASK, user_id=director_id)


def own_case(trainee: User, case_id: int) -> Case:
    """The trainee's own case; anyone else's (or another society's) is not there (404)."""
    case = db.session.scalar(select(Case).where(Case.id == case_id, Case.trainee_id == trainee.id)
                             .options(joinedload(Case.facility), joinedload(Case.director)))
    if case is None:
        raise CaseError(NOT_FOUND, 404)
    return case


def editable_case(trainee: User, case_id: int) -> Case:
    case = own_case(trainee, case_id)
    if case.status != ENTERED:
        raise CaseError(FROZEN, 409)
    return case


def update_case(trainee: User, rules, case_id: int, data: CaseInput, today: date) -> Case:
    case = editable_case(trainee, case_id)
    _check(rules, data, today)
    moved = db.session.execute(
        update(Case).where(Case.id == case.id, Case.trainee_id == trainee.id, Case.status == ENTERED)
        .values(**_values(data)).execution_options(synchronize_session=False)).rowcount
    if moved != 1:  # signed off since the page was opened
        raise CaseError(FROZEN, 409)
    db.session.refresh(case)
    audit.record("case_updated", case, actor=trainee, from_state=ENTERED, to_state=ENTERED)
    return case


def delete_case(trainee: User, case_id: int) -> None:
    case = editable_case(trainee, case_id)
    if db.session.scalar(select(exists().where(CaseReport.case_id == case.id))):
        raise CaseError(N_("症例レポートが登録されている症例は削除できません。"), 409)
    audit.record("case_deleted", case, actor=trainee, from_state=ENTERED, to_state="deleted",
                 reason=f"{case.primary_category} / {case.icu_admission_date.isoformat()}")
    gone = db.session.execute(
        delete(Case).where(Case.id == case.id, Case.trainee_id == trainee.id, Case.status == ENTERED)
        .execution_options(synchronize_session=False)).rowcount
    if gone != 1:
        raise CaseError(FROZEN, 409)
    close_signoff_task_if_done(case.director_id)
    db.session.expunge(case)


def viewable_case(actor: User, case_id: int) -> Case:
    """Read-only: the director the case is filed with, or the society's secretariat."""
    scope = Case.director_id == actor.id
    if actor.role == Role.secretariat.value:
        scope = Case.id.is_not(None)  # any case of this society (tenant scoping does the rest)
    case = db.session.scalar(select(Case).where(Case.id == case_id, scope).options(
        joinedload(Case.facility), joinedload(Case.director), joinedload(Case.trainee),
        joinedload(Case.signed_off_by)))
    if case is None:
        raise CaseError(NOT_FOUND, 404)
    return case
