"""The trainee's case list and the director's sign-off queue: filters from the URL, 50 rows per
page by keyset (`?after=<id>`), one statement per page whatever the number of cases (the
indexes on (tenant, trainee, id) and (tenant, director, status, id) serve them), and the CSV
of the whole filtered list streamed in keyset batches."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, select
from sqlalchemy.orm import joinedload, load_only

from portal.accounts.models import User
from portal.blueprints.cases.models import CASE_STATUS_LABELS, Case, CaseStatus
from portal.db import inline
from portal.extensions import db
from portal.i18n import N_
from portal.tenants.scoping import tenant_scope

PAGE = 50
EXPORT_BATCH = 1000
LIST_COLUMNS = (Case.id, Case.entry_date, Case.icu_admission_date, Case.icu_discharge_date,
                Case.primary_category, Case.organ_supports, Case.outcome, Case.status,
                Case.trainee_id, Case.age_band, Case.sex)
BAD_DATE = N_("日付は 2025-04-01 の形で入力してください。")
BAD_RANGE = N_("入室日の範囲の開始日は終了日以前の日付にしてください。")


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class CaseFilters:
    category: str = ""        # a branch or a leaf code
    status: str = ""
    admitted_from: date | None = None
    admitted_to: date | None = None
    organ_support: str = ""
    trainee_id: int | None = None  # the director's queue

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (the 次へ link, the CSV link)."""
        values = {"category": self.category, "status": self.status,
                  "from": self.admitted_from.isoformat() if self.admitted_from else "",
                  "to": self.admitted_to.isoformat() if self.admitted_to else "",
                  "organ_support": self.organ_support,
                  "trainee": str(self.trainee_id) if self.trainee_id else ""}
        return {k: v for k, v in values.items() if v}


def _date(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(BAD_DATE) from None


def parse(args: Mapping[str, str], rules, trainee_id: int | None = None) -> CaseFilters:
    """Unknown codes are dropped (a stale bookmark shows the whole list); a date that cannot be
    read is an error the page shows."""
    log = rules.case_log
    category = args.get("category", "")
    support = args.get("organ_support", "")
    status = args.get("status", "")
    filters = CaseFilters(
        category=category if log.codes_under(category) else "",
        status=status if status in CASE_STATUS_LABELS else "",
        admitted_from=_date(args.get("from")), admitted_to=_date(args.get("to")),
        organ_support=support if support in {c.code for c in log.organ_supports} else "",
        trainee_id=trainee_id)
    if filters.admitted_from and filters.admitted_to and filters.admitted_from > filters.admitted_to:
        raise FilterError(BAD_RANGE)
    return filters


def _where(filters: CaseFilters, rules) -> list:
    where = []
    if filters.category:
        where.append(Case.primary_category.in_(sorted(rules.case_log.codes_under(filters.category))))
    if filters.status:
        where.append(Case.status == filters.status)
    if filters.admitted_from:
        where.append(Case.icu_admission_date >= filters.admitted_from)
    if filters.admitted_to:
        where.append(Case.icu_admission_date <= filters.admitted_to)
    if filters.organ_support:
        # JSON list of codes, stored as text: '["imv", "ecmo"]'
        where.append(cast(Case.organ_supports, String).contains(f'"{filters.organ_support}"',
                                                                autoescape=True))
    if filters.trainee_id:
        where.append(Case.trainee_id == filters.trainee_id)
    return where


def trainee_page(trainee: User, filters: CaseFilters, rules, after: int | None) -> tuple[list[Case], bool]:
    """Newest first; PAGE + 1 rows read so the page knows there is a next one without a count."""
    stmt = (select(Case).where(Case.trainee_id == trainee.id, *_where(filters, rules))
            .options(load_only(*LIST_COLUMNS)).order_by(Case.id.desc()).limit(inline(PAGE + 1)))
    if after is not None:
        stmt = stmt.where(Case.id < after)
    rows = list(db.session.scalars(stmt))
    return rows[:PAGE], len(rows) > PAGE


def trainee_export(trainee: User, filters: CaseFilters, rules,
                   batch: int = EXPORT_BATCH) -> Iterator[Case]:
    """Every case of the filtered list, newest first, read `batch` rows per statement by
    keyset. It runs while the response streams, after the request's session has ended, so it
    names its tenant itself."""
    tenant_id, trainee_id, where = trainee.tenant_id, trainee.id, _where(filters, rules)
    after = None
    while True:
        stmt = (select(Case).where(Case.trainee_id == trainee_id, *where)
                .options(joinedload(Case.facility), joinedload(Case.director))
                .order_by(Case.id.desc()).limit(inline(batch)))
        if after is not None:
            stmt = stmt.where(Case.id < after)
        with tenant_scope(db.session, tenant_id):
            rows = list(db.session.scalars(stmt))
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id


def signoff_page(director: User, filters: CaseFilters, rules, after: int | None) -> tuple[list[Case], bool]:
    """承認待ち filed with this director, oldest first, with the trainee's name in the same statement."""
    stmt = (select(Case).where(Case.director_id == director.id,
                               Case.status == inline(CaseStatus.entered.value), *_where(filters, rules))
            .options(load_only(*LIST_COLUMNS), joinedload(Case.trainee).load_only(
                User.id, User.full_name, User.member_number))
            .order_by(Case.id).limit(inline(PAGE + 1)))
    if after is not None:
        stmt = stmt.where(Case.id > after)
    rows = list(db.session.scalars(stmt))
    return rows[:PAGE], len(rows) > PAGE


TRAINEE_OPTIONS = 100  # more than this and the filter is a 会員番号 field, not a list


def signoff_trainees(director: User) -> list[tuple[int, str]]:
    """The trainees who have cases waiting for this director: the queue's trainee filter, at
    most TRAINEE_OPTIONS + 1 of them (the page stays small for a director of a big program;
    the template offers a 会員番号 field instead when there are more)."""
    waiting = select(Case.trainee_id).where(Case.director_id == director.id,
                                            Case.status == inline(CaseStatus.entered.value))
    return [(uid, name) for uid, name in db.session.execute(
        select(User.id, User.full_name).where(User.id.in_(waiting))
        .order_by(User.full_name, User.id).limit(inline(TRAINEE_OPTIONS + 1)))]


def trainee_by_number(number: str) -> int | None:
    """The trainee with this 会員番号 in the society (the filter's field), or None (also for
    anything that is not letters and digits, which no 会員番号 is)."""
    if not (number.isascii() and number.isalnum()):
        return None
    return db.session.scalar(select(User.id).where(
        User.member_number == number, User.role == inline("trainee")).limit(1))
