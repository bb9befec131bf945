"""The case log part of `flask bench-data` (portal.devdata.benchdata): 経験症例 spread over the big
society's trainees (1,000,000 over 100,000 by default), a share still waiting for their
director's sign-off, and one accepted 症例レポート per enrolled trainee.

A million rows do not fit the in-memory Rows of the rest of the data set, so the cases are
generated trainee by trainee and streamed: COPY on PostgreSQL, executemany in chunks on SQLite.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from portal.extensions import db

CASE_COLUMNS = ("id tenant_id trainee_id director_id facility_id entry_date icu_admission_date "
                "icu_discharge_date age_band sex primary_category organ_supports procedures "
                "outcome summary status signed_off_by_id signed_off_at created_at updated_at").split()
REPORT_COLUMNS = ("id tenant_id trainee_id director_id case_id status current_version "
                  "submitted_at accepted_at created_at updated_at").split()
VERSION_COLUMNS = ("id tenant_id report_id number title body submitted_at review_comment "
                   "reviewed_by_id reviewed_at created_at updated_at").split()
AGE_BANDS = ("15-39", "40-64", "40-64", "65-79", "65-79", "80-")
SEXES = ("male", "male", "female", "female", "other")
SUPPORTS = ("imv", "niv", "ecmo", "mcs", "rrt", "ttm", "vasoactive")
PROCEDURES = ("intubation", "cvc", "arterial_line", "bronchoscopy", "tracheostomy", "chest_drain")
OUTCOMES = ("alive_discharge", "alive_discharge", "alive_discharge", "death_icu", "transfer")
FIRST_DAY = date(2024, 4, 1)
REPORT_BODY = ("【症例】60歳代男性、重症肺炎による急性呼吸不全。\n【経過】第1病日に気管挿管、"
               "人工呼吸管理を開始した。\n【考察】肺保護換気と早期リハビリテーションの効果を考察した。")


@dataclass
class Trainee:
    id: int
    facility: int
    director: int
    enrolled: bool  # credential approved: only they may have cases (A-R06)


@dataclass
class CaseLog:
    """What bench/run needs to know of the case log it was given."""

    trainees: list[Trainee] = field(default_factory=list)
    known: int | None = None  # the bench-caselog trainee
    counts: dict[str, int] = field(default_factory=dict)


def _case_rows(tenant_id: int, trainee: Trainee, count: int, first_id: int, rng: random.Random,
               categories: tuple[str, ...], pending_share: float,
               first_waits: bool = False) -> Iterator[tuple]:
    for n in range(count):
        admitted = FIRST_DAY + timedelta(days=rng.randrange(600))
        discharged = admitted + timedelta(days=rng.randrange(1, 15))
        entered = discharged + timedelta(days=rng.randrange(0, 10))
        pending = rng.random() < pending_share or (first_waits and n == 0)
        signed = None if pending else datetime(entered.year, entered.month, entered.day,
                                               tzinfo=UTC) + timedelta(days=rng.randrange(1, 20))
        stamp = datetime(entered.year, entered.month, entered.day, 9, tzinfo=UTC)
        supports = json.dumps(rng.sample(SUPPORTS, rng.randrange(0, 3)))
        procedures = json.dumps([{"code": p, "role": rng.choice(("operator", "assistant"))}
                                 for p in rng.sample(PROCEDURES, rng.randrange(0, 3))])
        yield (first_id + n, tenant_id, trainee.id, trainee.director, trainee.facility, entered,
               admitted, discharged, rng.choice(AGE_BANDS), rng.choice(SEXES),
               rng.choice(categories), supports, procedures, rng.choice(OUTCOMES), None,
               "entered" if pending else "signed_off", None if pending else trainee.director,
               signed, stamp, signed or stamp)


def _copy(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    conn = db.session.connection()
    written = 0
    if conn.dialect.name == "postgresql":
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT max(id) FROM {table}))")
        return written
    target, chunk = db.metadata.tables[table], []
    for row in rows:
        chunk.append(dict(zip(columns, row, strict=True)))
        if len(chunk) == 5000:
            conn.execute(insert(target), chunk)
            written, chunk = written + len(chunk), []
    if chunk:
        conn.execute(insert(target), chunk)
        written += len(chunk)
    return written


def _next_id(table: str) -> int:
    return (db.session.connection().exec_driver_sql(f"SELECT max(id) FROM {table}").scalar() or 0) + 1


def write(tenant_id: int, log: CaseLog, total: int, categories: tuple[str, ...], seed: int,
          pending_share: float = 0.2, known_cases: int = 120) -> tuple[dict[str, int], int]:
    """Stream `total` cases over the enrolled trainees (the known one gets `known_cases`), then
    one accepted report per enrolled trainee on its first case. Returns the rows written per
    table and how many cases wait for the hot facility's director."""
    rng = random.Random(seed)
    enrolled = [t for t in log.trainees if t.enrolled]
    if not enrolled or total <= 0:
        return {"cases": 0, "case_reports": 0, "case_report_versions": 0}, 0
    known_cases = min(known_cases, total)
    others = total - known_cases
    per, extra = divmod(others, max(len(enrolled) - 1, 1))
    first_case: dict[int, int] = {}
    hot_pending = 0

    first_id = _next_id("cases")  # not inside the generator: it runs while COPY holds the line

    def cases() -> Iterator[tuple]:
        nonlocal hot_pending
        next_id, leftover = first_id, extra
        for trainee in enrolled:
            count = known_cases if trainee.id == log.known else per + (1 if leftover > 0 else 0)
            if trainee.id != log.known and leftover > 0:
                leftover -= 1
            if count:
                first_case[trainee.id] = next_id
            # the known trainee's first case always waits: the sign-off queue is never empty
            for row in _case_rows(tenant_id, trainee, count, next_id, rng, categories,
                                  pending_share, first_waits=trainee.id == log.known):
                if row[15] == "entered" and trainee.director == log.trainees[0].director:
                    hot_pending += 1
                yield row
            next_id += count

    written = _copy("cases", CASE_COLUMNS, cases())
    reports = _reports(tenant_id, enrolled, first_case)
    rows = {"cases": written, "case_reports": reports, "case_report_versions": reports}
    return rows, hot_pending


def _reports(tenant_id: int, enrolled: list[Trainee], first_case: dict[int, int]) -> int:
    report_id, version_id = _next_id("case_reports"), _next_id("case_report_versions")
    at = datetime(2025, 9, 1, tzinfo=UTC)
    with_case = [t for t in enrolled if t.id in first_case]
    _copy("case_reports", REPORT_COLUMNS, (
        (report_id + i, tenant_id, t.id, t.director, first_case[t.id], "accepted", 1, at, at, at, at)
        for i, t in enumerate(with_case)))
    _copy("case_report_versions", VERSION_COLUMNS, (
        (version_id + i, tenant_id, report_id + i, 1, "重症肺炎によるARDSの一例", REPORT_BODY, at,
         None, t.director, at, at, at) for i, t in enumerate(with_case)))
    return len(with_case)
