"""`flask bench-data`: a large data set for bench/, the same for the same seed.

One big society (jsicm, credentials on) holds the trainees; each has a training start
application, a credential with its stored file, and its review history as audit events.
Directors are spread one per facility; the first facility is "hot" (many pending
credentials) and its director, one trainee and a secretariat have known logins. Two small
societies (jmsb, jspm) sit beside it. jmsb also runs its recruitment (専攻医募集): one round
open now, programs (one per facility, a quarter as many as jsicm's facilities) and
applicants, each with a medical licence on file and one application 応募済; the first
program is "hot" (a share of the applicants) and its director, one applicant and the
secretariat have known e-mail logins. Rows go in through COPY on PostgreSQL (executemany on
SQLite) in one transaction under the system scope; run it as the table owner.
"""
from __future__ import annotations

import io
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy import insert, select, text

from portal.devdata import benchdata_cases as case_data
from portal.devdata import benchdata_recruitment as recruitment_data
from portal.extensions import db
from portal.tenants.scoping import system_scope

PASSWORD = "bench-pass-2024"
BIG = ("jsicm", "日本集中治療医学会")
SMALL = (("jmsb", "日本専門医機構"), ("jspm", "日本緩和医療学会"))
LOGINS = {"trainee": "bench-trainee", "director": "bench-director", "secretariat": "bench-jimu",
          "caselog": "bench-caselog"}  # caselog: an enrolled trainee at the hot facility
BASE = datetime(2025, 4, 1, tzinfo=UTC)
SURNAMES = (("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
            ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
            ("小林", "コバヤシ"), ("加藤", "カトウ"), ("髙橋", "タカハシ"), ("山﨑", "ヤマザキ"))
GIVEN = (("太郎", "タロウ"), ("花子", "ハナコ"), ("健一", "ケンイチ"), ("美咲", "ミサキ"),
         ("翔", "ショウ"), ("陽菜", "ヒナ"), ("大輔", "ダイスケ"), ("彩", "アヤ"))
DOCS = (("specialist_certificate", "専門医認定証.pdf"),
        ("jmsb_completion_certificate", "修了認定証.pdf"))
RETURN_REASON = "画像が不鮮明です。認定証全体が写るように撮影し直してください。"
COLUMNS = {
    "facilities": "id tenant_id name created_at updated_at",
    "users": "id tenant_id login_id email password_hash role full_name full_name_kana "
             "member_number medical_registration_number jmsb_basic_specialty "
             "basic_program_status facility_id active session_version created_at updated_at",
    "training_start_applications": "id tenant_id trainee_id facility_id program_director_id "
                                   "training_start_date status origin reviewed_at created_at "
                                   "updated_at",
    "stored_files": "id tenant_id key owner_id slot original_filename mime_type size_bytes "
                    "sha256 state created_at updated_at",
    "credentials": "id tenant_id trainee_id training_start_application_id facility_id "
                   "document_type file_id status is_provisional submitted_at reviewed_by_id "
                   "reviewed_at review_comment created_at updated_at",
    "enrollments": "id tenant_id trainee_id facility_id program_director_id credential_id "
                   "from_date source created_at updated_at",
    "medical_licenses": "id tenant_id user_id file_id is_provisional status uploaded_at "
                        "created_at updated_at",
    "recruitment_programs": "id tenant_id name specialty core_facility_id director_id capacity "
                            "start_fiscal_year active created_at updated_at",
    "recruitment_rounds": "id tenant_id start_fiscal_year seq label opens_at closes_at "
                          "decisions_close_at created_at updated_at",
    "recruitment_applications": "id tenant_id applicant_id program_id round_id start_fiscal_year "
                                "status track curriculum_ground applied_at created_at updated_at",
    "audit_events": "id tenant_id actor_id actor_role action entity_type entity_id from_state "
                    "to_state reason created_at updated_at",
    "tasks": "id tenant_id user_id kind title endpoint related_id status created_at updated_at",
    "notices": "id tenant_id title body audience published_at expires_at created_at updated_at",
}


@dataclass
class Plan:
    trainees: int
    facilities: int
    seed: int
    pending_share: float = 0.6
    hot_share: float = 0.025  # of the trainees, at the known director's facility
    small_trainees: int = 25
    files: int = 50  # bytes on disk for the known users' first files (the rest are rows only)
    # jmsb recruitment: None = max(small_trainees, trainees // 10) applicants, over
    # max(1, facilities // 4) programs; the hot program gets max(hot_share, 10%) of them
    recruitment_applicants: int | None = None
    recruitment_hot_share: float | None = None
    cases: int = 1_000_000  # 経験症例 over the big society's enrolled trainees
    known_cases: int = 120  # of them, the bench-caselog trainee's
    case_pending_share: float = 0.2  # waiting for the director's sign-off

    @property
    def applicants(self) -> int:
        if self.recruitment_applicants is not None:
            return self.recruitment_applicants
        return max(self.small_trainees, self.trainees // 10)

    @property
    def programs(self) -> int:
        return max(1, self.facilities // 4)

    @property
    def hot_program_share(self) -> float:
        if self.recruitment_hot_share is not None:
            return self.recruitment_hot_share
        return max(self.hot_share, 0.1)


@dataclass
class Rows:
    """Rows per table with ids handed out here, so children can point at parents."""

    next_id: dict[str, int]
    data: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in COLUMNS})

    def add(self, table: str, *values: Any) -> int:
        row_id = self.next_id[table]
        self.next_id[table] += 1
        self.data[table].append((row_id, *values))
        return row_id


@dataclass
class Society:
    tenant_id: int
    slug: str
    rng: random.Random
    rows: Rows
    password_hash: str
    summary: dict = field(default_factory=dict)
    case_log: case_data.CaseLog = field(default_factory=case_data.CaseLog)

    def stamp(self, at: datetime) -> tuple[datetime, datetime]:
        return at, at

    def person(self) -> tuple[str, str]:
        (sur, sur_kana), (given, given_kana) = self.rng.choice(SURNAMES), self.rng.choice(GIVEN)
        return f"{sur} {given}", f"{sur_kana} {given_kana}"

    def user(self, login: str, role: str, facility_id: int | None, number: str | None = None,
             **extra: Any) -> int:
        name, kana = self.person()
        email = login if "@" in login else f"{login}@{self.slug}.bench.example"
        return self.rows.add(
            "users", self.tenant_id, login, email, self.password_hash, role, name, kana, number,
            extra.get("registration"), extra.get("specialty"), extra.get("program_status"),
            facility_id, True, 1, *self.stamp(BASE - timedelta(days=400)))


def _tenant(slug: str, name: str) -> int:
    from portal.tenants.models import Tenant
    from portal.tenants.services import ensure_domain, ensure_tenant

    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise click.ClickException(
            f"テナント {slug} は既に存在します。空のデータベースで実行してください。")
    tenant = ensure_tenant(slug, name)
    ensure_domain(tenant, f"{slug}.{current_app.config['BASE_DOMAIN']}", primary=True)
    return tenant.id


def _people(s: Society, facilities: int, big: bool) -> tuple[list[int], list[int]]:
    facility_ids = [s.rows.add("facilities", s.tenant_id, f"研修施設{i + 1:04d}",
                               *s.stamp(BASE - timedelta(days=500))) for i in range(facilities)]
    directors = []
    for i, facility_id in enumerate(facility_ids):
        login = f"director-{i + 1:04d}" if big else f"director-{i + 1}@{s.slug}.bench.example"
        login = LOGINS["director"] if big and i == 0 else login
        directors.append(s.user(login, "program_director", facility_id, f"9{i + 1:05d}"))
    secretariats = ([LOGINS["secretariat"], "jimu-2", "jimu-3"] if big
                    else [f"jimu@{s.slug}.bench.example"])
    for login in secretariats:
        s.user(login, "secretariat", None)
    return facility_ids, directors


def _trainee(s: Society, plan: Plan, index: int, facility: int, director: int, login: str,
             pending: bool, enrolled: bool = False) -> None:
    rng, rows, tid = s.rng, s.rows, s.tenant_id
    doc, filename = rng.choice(DOCS)
    status = "specialist_certified" if doc == "specialist_certificate" else "program_completed"
    trainee = s.user(login, "trainee", facility, f"{800000 + index}",
                     registration=f"A{1000000 + index}", specialty="internal_medicine",
                     program_status=status)
    start = date(2024 if index % 2 else 2025, 4, 1)
    application = rows.add("training_start_applications", tid, trainee, facility, director, start,
                           "approved", "migrated_cohort", None, *s.stamp(BASE))
    submitted = BASE + timedelta(minutes=index * 7 + rng.randrange(7))
    key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    file_id = rows.add("stored_files", tid, key, trainee, "credential", filename,
                       "application/pdf", rng.randrange(200_000, 4_000_000),
                       f"{rng.getrandbits(256):064x}", "committed", *s.stamp(submitted))
    outcome = "pending_review" if pending else "approved" if enrolled else rng.choice(
        ("approved", "approved", "returned"))
    s.case_log.trainees.append(case_data.Trainee(trainee, facility, director, outcome == "approved"))
    if enrolled:
        s.case_log.known = trainee
    reviewed = None if pending else submitted + timedelta(hours=rng.randrange(1, 240))
    reason = RETURN_REASON if outcome == "returned" else None
    credential = rows.add("credentials", tid, trainee, application, facility, doc, file_id, outcome,
                          False, submitted, None if pending else director, reviewed, reason,
                          *s.stamp(reviewed or submitted))
    rows.add("audit_events", tid, trainee, "trainee", "credential_submitted", "credentials",
             credential, "not_submitted", "pending_review", None, *s.stamp(submitted))
    if pending:
        rows.add("tasks", tid, director, "review_credential", "証票の審査をしてください。",
                 "credentials.review", credential, "open", *s.stamp(submitted))
        s.summary.setdefault("pending", []).append((credential, facility, key))
        return
    rows.add("audit_events", tid, director, "program_director", f"credential_{outcome}",
             "credentials", credential, "pending_review", outcome, reason, *s.stamp(reviewed))
    if outcome == "approved":
        rows.add("enrollments", tid, trainee, facility, director, credential, start,
                 "credential_approval", *s.stamp(reviewed))
    else:
        rows.add("tasks", tid, trainee, "upload_credential", "証票をアップロードしてください。",
                 "credentials.upload", None, "open", *s.stamp(reviewed))


def _notices(s: Society) -> None:
    for i in range(12):
        published = BASE + timedelta(days=i * 10)
        expires = published + timedelta(days=30) if i < 2 else None  # two have expired
        s.rows.add("notices", s.tenant_id, f"お知らせ {i + 1}: 研修管理システムの更新について",
                   "詳細は学会ホームページをご覧ください。", None, published, expires,
                   *s.stamp(published))


def _society(s: Society, plan: Plan, trainees: int, facilities: int,
             big: bool) -> tuple[list[int], list[int]]:
    facility_ids, directors = _people(s, facilities, big)
    for i in range(trainees):
        known = big and i == 0
        # the hot facility's trainees are spread over the whole id range, as in real life
        hot = known or (big and s.rng.random() < plan.hot_share)
        at = 0 if hot else s.rng.randrange(len(facility_ids))
        login = LOGINS["trainee"] if known else (
            f"{800000 + i}" if big else f"trainee-{i + 1:04d}@{s.slug}.bench.example")
        pending = known or s.rng.random() < plan.pending_share
        _trainee(s, plan, i, facility_ids[at], directors[at], login, pending)
    if big:  # one more, enrolled at the hot facility: the case log's known trainee
        _trainee(s, plan, trainees, facility_ids[0], directors[0], LOGINS["caselog"], False,
                 enrolled=True)
    _notices(s)
    s.summary["hot_facility"] = facility_ids[0]
    return facility_ids, directors


def _start_ids() -> dict[str, int]:
    conn = db.session.connection()
    return {t: (conn.execute(text(f"SELECT max(id) FROM {t}")).scalar() or 0) + 1 for t in COLUMNS}


def _write(rows: Rows) -> None:
    conn = db.session.connection()
    for table, data in rows.data.items():
        if not data:
            continue
        columns = COLUMNS[table].split()
        if conn.dialect.name == "postgresql":
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
                for row in data:
                    copy.write_row(row)
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))")
        else:
            target = db.metadata.tables[table]
            for start in range(0, len(data), 5000):
                conn.execute(insert(target), [dict(zip(columns, r, strict=True)) for r in data[start:start + 5000]])


def _write_files(tenant_id: int, pending: list, hot: int, count: int) -> int:
    """Real bytes only for what bench/ may open: the known users' first files."""
    from pypdf import PdfWriter

    buf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(buf)
    folder = Path(current_app.config["STORAGE_DIR"]) / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    keys = [key for _, facility, key in pending if facility == hot][:count]
    for key in keys:
        (folder / key).write_bytes(buf.getvalue())
    return len(keys)


def generate(plan: Plan) -> dict:
    """Insert the whole data set in one transaction; returns what bench/ needs to know."""
    from portal.accounts.services import hash_password

    started = time.monotonic()
    rng = random.Random(plan.seed)
    password_hash = hash_password(PASSWORD)
    with system_scope(db.session):
        tenants = [(_tenant(*BIG), BIG[0], True)] + [(_tenant(*t), t[0], False) for t in SMALL]
        rows = Rows(_start_ids())
        societies = []
        for tenant_id, slug, big in tenants:
            s = Society(tenant_id, slug, random.Random(rng.getrandbits(64)), rows, password_hash)
            recruiting = slug == recruitment_data.RECRUITING
            facility_ids, directors = _society(
                s, plan, plan.trainees if big else plan.small_trainees,
                plan.facilities if big else max(3, plan.programs) if recruiting else 3, big)
            if recruiting:
                recruitment_data.recruitment(s, plan, facility_ids, directors)
                jmsb = s
            societies.append(s)
        _write(rows)
        big = societies[0]
        from portal.tenants.resolve import rules_for

        case_rows, cases_pending_hot = case_data.write(big.tenant_id, big.case_log, plan.cases,
                                rules_for(BIG[0]).case_log.leaf_codes(), plan.seed,
                                plan.case_pending_share, plan.known_cases)
    db.session.commit()
    pending = big.summary.get("pending", [])
    hot = big.summary["hot_facility"]
    files = _write_files(big.tenant_id, pending, hot, plan.files)
    if db.session.connection().dialect.name == "postgresql":
        db.session.commit()
        # what autovacuum would have done by now: planner statistics and the visibility
        # map (index-only scans for the capped counts)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    hot_pending = [cid for cid, facility, _ in pending if facility == hot]
    recruitment = recruitment_data.summary(jmsb, plan)
    return {
        "tenant": BIG[0], "tenant_id": big.tenant_id, "password": PASSWORD, "logins": LOGINS,
        "seed": plan.seed, "trainees": plan.trainees, "facilities": plan.facilities,
        "rows": {**{t: len(d) for t, d in rows.data.items()}, **case_rows},
        "caselog_trainee_id": big.case_log.known,
        "caselog_cases": min(plan.known_cases, plan.cases),
        "cases_pending_hot_director": cases_pending_hot,
        "pending_total": len(pending), "pending_hot_facility": len(hot_pending),
        "row_id": hot_pending[0] if hot_pending else None,
        # ?after=<id> for a deep page of the secretariat's list: 25 rows before its end
        "deep_after": pending[-26][0] if len(pending) > 26 else pending[0][0] - 1,
        "files_on_disk": files,
        recruitment_data.RECRUITING: recruitment,
        # flat, for bench/bench.py's "behind" column
        f"{recruitment_data.RECRUITING}_applications_total": recruitment["applications_total"],
        f"{recruitment_data.RECRUITING}_applications_hot_program": recruitment["applications_hot_program"],
        "seconds": round(time.monotonic() - started, 1),
    }


@click.command("bench-data")
@click.option("--trainees", type=click.IntRange(1), default=100_000, show_default=True)
@click.option("--facilities", type=click.IntRange(1), default=2_000, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--pending-share", type=click.FloatRange(0, 1), default=0.6, show_default=True)
@click.option("--hot-share", type=click.FloatRange(0, 1), default=0.025, show_default=True,
              help="share of the trainees at the known director's facility")
@click.option("--recruitment-applicants", type=click.IntRange(1), default=None,
              help="jmsb applicants, each with one application  [default: max(25, trainees/10)]")
@click.option("--cases", type=click.IntRange(0), default=1_000_000, show_default=True,
              help="経験症例 over the big society's enrolled trainees")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False), default=None,
              help="write what bench/run needs (logins, ids) to this JSON file")
def bench_data(trainees: int, facilities: int, seed: int, pending_share: float, hot_share: float,
               recruitment_applicants: int | None, cases: int, summary_path: str | None) -> None:
    """Fill an empty database with the benchmark's data set (see bench/run)."""
    import json

    summary = generate(Plan(trainees, facilities, seed, pending_share, hot_share,
                            recruitment_applicants=recruitment_applicants, cases=cases))
    line = json.dumps(summary, ensure_ascii=False)
    if summary_path:
        Path(summary_path).write_text(line + "\n")
    click.echo(f"bench-data: {sum(summary['rows'].values())} rows in {summary['seconds']} s; "
               f"logins {', '.join(LOGINS.values())} / {PASSWORD} on {BIG[0]}, "
               f"{', '.join(recruitment_data.JMSB_LOGINS.values())} on {recruitment_data.RECRUITING}")
    click.echo(line)
