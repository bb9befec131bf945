"""What the secretariat reads: the applications list (filters, keyset pages of 50), the CSV
for Japanese Excel, one application with its audit history. Each page sends a fixed number
of SQL statements whatever the number of rows."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import contains_eager

from portal import clock
from portal.accounts.models import BASIC_SPECIALTIES, ROLE_LABELS, Role, User
from portal.audit import AuditEvent, history
from portal.blueprints.recruitment.models import (
    CURRICULUM_GROUNDS,
    STATUS_LABELS,
    TRACKS,
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
    as_list_rows,
)
from portal.db import inline
from portal.excel_csv import excel_csv
from portal.extensions import db
from portal.i18n import N_
from portal.normalize import bounded_int, kana, nfkc, registration_number, without_controls
from portal.paging import Page, keyset, page_of
from portal.queues import age_arg, age_clause, counts_by_age
from portal.ui import fmt_date, fmt_datetime

App, Program, Round = RecruitmentApplication, RecruitmentProgram, RecruitmentRound

ACTION_LABELS = {
    "recruitment_applied": N_("応募"),
    "recruitment_decided": N_("採否登録"),
    "recruitment_program_changed": N_("プログラム変更"),
    "recruitment_withdrawal_requested": N_("採用辞退の申請"),
    "recruitment_withdrawal_approved": N_("採用辞退の承認"),
    "recruitment_withdrawal_declined": N_("採用辞退の不承認"),
    "recruitment_round_closed": N_("募集回の締切処理"),
}


@dataclass(frozen=True)
class ApplicationFilter:
    year: int | None = None
    round_id: int | None = None
    program_id: int | None = None
    specialty: str | None = None
    status: str | None = None
    q: str = ""
    age: str | None = None  # the dashboard's bucket (portal.queues), counted from waiting_since()

    @classmethod
    def from_args(cls, args: Mapping) -> ApplicationFilter:
        """Unknown or garbled values are no filter (a bookmark never errors)."""
        def number(name: str) -> int | None:
            return bounded_int(args.get(name))

        status, specialty = args.get("status") or None, args.get("specialty") or None
        return cls(number("year"), number("round"), number("program"),
                   specialty if specialty in BASIC_SPECIALTIES else None,
                   status if status in STATUS_LABELS else None, nfkc(without_controls(args.get("q")))[:100],
                   age_arg(args.get("age")))

    def args(self) -> dict:
        """The query string that reproduces this filter (next page, CSV)."""
        names = {"round_id": "round", "program_id": "program"}
        return {names.get(k, k): v for k, v in asdict(self).items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.args())


def waiting_since():
    """Since when an application waits: its withdrawal request, else its application."""
    return func.coalesce(App.withdrawal_requested_at, App.applied_at)


# 応募済 waits on the director's 採否, 辞退申請中 on the director's approval (issue 19).
WAITING = {k: STATUS_LABELS[k] for k in ("applied", "withdrawal_requested")}


def queue_counts(today) -> dict[str, list[int]]:
    return counts_by_age(App.status, waiting_since(), today, App.status.in_(tuple(WAITING)),
                         App.closed_at.is_(None))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _no_spaces(column):
    return func.replace(func.replace(column, " ", ""), "\u3000", "")


def search(q: str):
    """Name or kana (spaces ignored, hiragana = katakana), or 医籍登録番号 (leading zeros ignored)."""
    plain = q.replace(" ", "")
    clauses = [_no_spaces(User.full_name).like(_like(plain), escape="\\"),
               _no_spaces(User.full_name_kana).like(_like(kana(plain)), escape="\\")]
    number = registration_number(q)
    if number.isascii() and number.isdigit():
        clauses.append(User.medical_registration_number == number)
    return or_(*clauses)


def _conditions(f: ApplicationFilter) -> list:
    conditions = [
        (f.year, lambda: App.start_fiscal_year == f.year),
        (f.round_id, lambda: App.round_id == f.round_id),
        (f.program_id, lambda: App.program_id == f.program_id),
        (f.specialty, lambda: Program.specialty == f.specialty),
        (f.status, lambda: App.status == f.status),
        (f.q, lambda: search(f.q)),
        (f.age, lambda: age_clause(waiting_since(), f.age, clock.today())),
    ]
    return [make() for value, make in conditions if value]


def _with_relations(stmt: Select) -> Select:
    return (stmt.join(App.applicant).join(App.program).join(App.round)
            .options(contains_eager(App.applicant), contains_eager(App.program),
                     contains_eager(App.round)))


def filtered(f: ApplicationFilter) -> Select:
    return _with_relations(select(App)).where(*_conditions(f))


def matching_ids(f: ApplicationFilter) -> Select:
    """The ids the filter matches, joining the applicant or the program only when the filter
    reads them (every application has both, in its own society)."""
    stmt = select(App.id)
    if f.q:
        stmt = stmt.join(App.applicant)
    if f.specialty:
        stmt = stmt.join(App.program)
    return stmt.where(*_conditions(f))


def page(f: ApplicationFilter, after_id: int | None = None) -> Page:
    """One keyset page in id order (portal.paging): a deep page costs what the first one
    does. One statement that starts FROM the page's ids (an index walk that stops after
    one page) and joins their people, programs and rounds to those rows only
    (`as_list_rows`). Filtering the joined rows instead let PostgreSQL join and sort every
    application of the society (it underestimates one tenant's rows under RLS tenfold, and
    `id IN (...)` only came last)."""
    page_ids = keyset(matching_ids(f), App.id, after_id).subquery("page_ids")
    stmt = (select(App).select_from(page_ids).join(App, App.id == page_ids.c.id)
            .join(App.applicant).join(App.program).join(App.round)
            .options(*as_list_rows(contains_eager)))
    return page_of(list(db.session.scalars(stmt.order_by(App.id))))


COUNT_CAP = 1000


def count(f: ApplicationFilter) -> int:
    """How many match, counted up to COUNT_CAP + 1 (the page says 「1000件以上」 beyond): the
    list answers as fast with a year's 10,000 applications as with 100. The CSV has them all."""
    capped = matching_ids(f).limit(inline(COUNT_CAP + 1)).subquery()
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


@dataclass
class FilterOptions:
    years: list[int]
    rounds: list[RecruitmentRound]
    programs: list[tuple[int, str, int]]  # id, name, start year


def filter_options(f: ApplicationFilter) -> FilterOptions:
    """Programs are offered for the chosen 基本領域 (and year): a society has hundreds, too
    many for one list on every page. A program chosen by a link or bookmark stays offered."""
    rounds = list(db.session.scalars(select(Round).order_by(Round.start_fiscal_year.desc(), Round.seq)))
    wanted = [Program.specialty == f.specialty] if f.specialty else [false()]
    if f.specialty and f.year:
        wanted.append(Program.start_fiscal_year == f.year)
    programs = db.session.execute(
        select(Program.id, Program.name, Program.start_fiscal_year)
        .where(or_(and_(*wanted), Program.id == (f.program_id or 0)))
        .order_by(Program.start_fiscal_year.desc(), Program.name)).all()
    years = sorted({r.start_fiscal_year for r in rounds} | {p[2] for p in programs}, reverse=True)
    return FilterOptions(years, rounds, [tuple(p) for p in programs])


# --- one application -----------------------------------------------------------------------------

def get_application(application_id: int) -> RecruitmentApplication | None:
    """None for an unknown id, another society's included (the query is tenant-scoped)."""
    return db.session.scalars(filtered(ApplicationFilter()).where(App.id == application_id)).first()


@dataclass
class HistoryRow:
    at: datetime
    actor: str | None  # None: the system (round close-out)
    role: str | None
    action: str
    from_label: str
    to_label: str
    reason: str


def _status(code: str | None) -> str:
    return STATUS_LABELS.get(code or "", code or "")


def people(ids: set[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def history_rows(events: list[AuditEvent], who: dict[int, User]) -> list[HistoryRow]:
    rows = []
    for e in events:
        actor = who.get(e.actor_id or 0)
        role = ROLE_LABELS.get(Role(e.actor_role)) if e.actor_role in Role._value2member_map_ else None
        rows.append(HistoryRow(e.created_at, actor.full_name if actor else None, role,
                               ACTION_LABELS.get(e.action, e.action), _status(e.from_state),
                               _status(e.to_state), e.reason or ""))
    return rows


@dataclass
class ApplicationDetail:
    application: RecruitmentApplication
    decided_by: User | None
    withdrawal_decided_by: User | None
    history: list[HistoryRow]


def detail(application: RecruitmentApplication) -> ApplicationDetail:
    events = history(App.__tablename__, application.id)
    who = people({e.actor_id for e in events} | {application.decided_by_id,
                                                 application.withdrawal_decided_by_id})
    return ApplicationDetail(application, who.get(application.decided_by_id or 0),
                             who.get(application.withdrawal_decided_by_id or 0),
                             history_rows(events, who))


# --- CSV -------------------------------------------------------------------------------------------

CSV_FILENAME = "専攻医応募一覧.csv"
CSV_ASCII_FILENAME = "recruitment_applications.csv"
CSV_HEADERS = ("応募ID", "氏名", "フリガナ", "医籍登録番号", "生年月日", "メールアドレス", "研修開始年度",
               "募集回", "プログラム", "基本領域", "基幹施設", "統括責任者", "研修制度", "カリキュラム制の理由",
               "状態", "応募日時", "採否登録日時", "辞退理由", "辞退申請日時", "辞退承認・不承認日時")


def _csv_row(a: RecruitmentApplication) -> tuple:
    person, program = a.applicant, a.program
    return (
        a.id, person.full_name, person.full_name_kana, person.medical_registration_number,
        fmt_date(person.birth_date), person.email, a.start_fiscal_year, a.round.label,
        program.name, BASIC_SPECIALTIES.get(program.specialty, program.specialty),
        program.core_facility.name, program.director.full_name, TRACKS.get(a.track, a.track),
        CURRICULUM_GROUNDS.get(a.curriculum_ground or "", ""), _status(a.status),
        fmt_datetime(a.applied_at), fmt_datetime(a.decided_at), a.withdrawal_reason,
        fmt_datetime(a.withdrawal_requested_at), fmt_datetime(a.withdrawal_decided_at))


def applications_csv(f: ApplicationFilter) -> bytes:
    """Japanese headers and labels (the manuals' words, like the renewal CSV), one query."""
    rows = db.session.scalars(filtered(f).order_by(App.id)).unique()
    return excel_csv(CSV_HEADERS, (_csv_row(a) for a in rows))
