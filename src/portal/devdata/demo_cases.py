"""Demo 経験症例 for the JSICM trainee 800014: 30 cases over the category tree, the older 18
signed off by 統括 太郎 (900001), the rest waiting in his 症例承認 queue. Idempotent: nothing is
added once the trainee has cases."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select

from portal.accounts.models import User
from portal.blueprints.cases.models import Case
from portal.extensions import db
from portal.tenants.resolve import rules_for
from portal.ui import JST

COUNT, SIGNED = 30, 18
FIRST_ADMISSION = date(2024, 5, 7)
SUMMARIES = ("第2病日に抜管、第4病日にICU退室。", "PaO2/FiO2 120 から改善し第6病日に離脱。",
             "ノルアドレナリン 0.2γ を第3病日に中止。", "CRP 25 から低下、第5病日に一般病棟へ。", "")


def _case(trainee: User, director: User, leaf: str, index: int, rules) -> Case:
    log = rules.case_log
    admitted = FIRST_ADMISSION + timedelta(days=9 * index)
    supports = [s.code for s in log.organ_supports[index % 3: index % 3 + 1 + index % 2]]
    procedure = log.procedures[index % len(log.procedures)].code
    signed = index < SIGNED
    return Case(
        tenant_id=trainee.tenant_id, trainee_id=trainee.id, director_id=director.id,
        facility_id=director.facility_id, entry_date=admitted + timedelta(days=3),
        icu_admission_date=admitted, icu_discharge_date=admitted + timedelta(days=2 + index % 6),
        age_band=log.age_bands[1 + index % (len(log.age_bands) - 1)].code,
        sex=("male", "female")[index % 2], primary_category=leaf, organ_supports=supports,
        procedures=[{"code": procedure, "role": ("operator", "assistant")[index % 2]}],
        outcome=log.outcomes[0 if index % 7 else 1].code, summary=SUMMARIES[index % len(SUMMARIES)],
        status="signed_off" if signed else "entered",
        signed_off_by_id=director.id if signed else None,
        signed_off_at=datetime.combine(admitted + timedelta(days=10), time(9), tzinfo=JST)
        if signed else None)


def seed_cases(tenant_id: int, slug: str, trainee: User, director: User) -> None:
    if db.session.scalar(select(exists().where(Case.trainee_id == trainee.id))):
        return
    rules = rules_for(slug)
    leaves = rules.case_log.leaf_codes()
    db.session.add_all(_case(trainee, director, leaves[i % len(leaves)], i, rules)
                       for i in range(COUNT))
    db.session.flush()
