"""Demo data: the three societies on *.localhost, one user per role, and the manual's trainee."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.services import hash_password
from portal.blueprints.credentials.models import TrainingStartApplication
from portal.blueprints.credentials.services import register_training_start
from portal.directory.models import Facility
from portal.extensions import db
from portal.tenants.resolve import rules_for
from portal.tenants.scoping import tenant_scope
from portal.tenants.services import ensure_domain, ensure_tenant

DEMO_PASSWORD = "demo-pass-2024"
JST = ZoneInfo("Asia/Tokyo")
SOCIETIES = [("jsicm", "日本集中治療医学会"), ("jmsb", "日本専門医機構"), ("jspm", "日本緩和医療学会")]


def _user(tenant_id: int, login_id: str, email: str, role: str, name: str, **extra) -> User:
    user = db.session.scalar(select(User).where(User.login_id == login_id))
    if user is None:
        user = User(tenant_id=tenant_id, login_id=login_id, email=email, role=role,
                    full_name=name, password_hash=hash_password(DEMO_PASSWORD), **extra)
        db.session.add(user)
        db.session.flush()
    return user


def _facility(tenant_id: int, name: str) -> Facility:
    facility = db.session.scalar(select(Facility).where(Facility.name == name))
    if facility is None:
        facility = Facility(tenant_id=tenant_id, name=name)
        db.session.add(facility)
        db.session.flush()
    return facility


def _migrated_trainee(tenant_id: int, slug: str, facility: Facility, director: User,
                      **fields) -> User:
    """A 2024-04-01 cohort trainee: training start approved, task dated the migration day."""
    trainee = _user(tenant_id, role="trainee", facility_id=facility.id, **fields)
    if db.session.scalar(select(TrainingStartApplication).where(
            TrainingStartApplication.trainee_id == trainee.id)) is None:
        register_training_start(trainee, facility.id, director, date(2024, 4, 1),
                                rules_for(slug), created_at=datetime(2024, 6, 3, 9, 0, tzinfo=JST))
    return trainee


def _seed_jsicm(tenant_id: int, slug: str) -> None:
    facility = _facility(tenant_id, "施設A")
    director = _user(tenant_id, "900001", "director@jsicm.example", "program_director", "統括 太郎",
                     full_name_kana="トウカツ タロウ", member_number="900001", facility_id=facility.id)
    _user(tenant_id, "jimu", "jimu@jsicm.example", "secretariat", "事務局 担当")
    _user(tenant_id, "shisetsu", "shisetsu@jsicm.example", "facility_manager", "施設 責任者",
          facility_id=facility.id)
    _migrated_trainee(tenant_id, slug, facility, director, login_id="800014", email="dummy@mail.sample",
                      member_system_email="dummy@mail.sample", name="専攻医 テスト1",
                      full_name_kana="センコウイ テストイチ", member_number="800014",
                      medical_registration_number="A1234567", jmsb_basic_specialty="pediatrics",
                      basic_program_status="specialist_certified")
    _migrated_trainee(tenant_id, slug, facility, director, login_id="800015", email="trainee2@mail.sample",
                      member_system_email="trainee2@mail.sample", name="専攻医 テスト2",
                      full_name_kana="センコウイ テストニ", member_number="800015",
                      medical_registration_number="B7654321",
                      jmsb_basic_specialty="internal_medicine",
                      basic_program_status="program_completion_expected")


def _seed_generic(tenant_id: int, slug: str) -> None:
    facility = _facility(tenant_id, "施設A")
    for role, name in (("trainee", "専攻医 テスト"), ("program_director", "統括 太郎"),
                       ("facility_manager", "施設 責任者"), ("secretariat", "事務局 担当")):
        email = f"{role.replace('_', '-')}@{slug}.example"
        _user(tenant_id, email, email, role, name, facility_id=facility.id)


def _seed_jspm(tenant_id: int, slug: str) -> None:
    """施設マイページ: a renewal window open now, a 基幹施設 and a 連携施設 with their shared
    logins (e-mail), the member roster with certified 施設責任者, and the secretariat."""
    from datetime import timedelta

    from portal.blueprints.renewal.models import FacilityCertification, RenewalWindow, SocietyMember
    from portal.db import utcnow

    label = "更新申請（デモ）"
    if db.session.scalar(select(RenewalWindow).where(RenewalWindow.label == label)) is None:
        now = utcnow()
        db.session.add(RenewalWindow(tenant_id=tenant_id, label=label,
                                     opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=60)))
    for name, number, ftype, email in (
            ("緩和ケア中央病院", "JSPM-K-0001", "core", "core@jspm.example"),
            ("さくら連携病院", "JSPM-R-0101", "affiliated", "renkei@jspm.example")):
        facility = _facility(tenant_id, name)
        if db.session.scalar(select(FacilityCertification).where(
                FacilityCertification.facility_id == facility.id)) is None:
            db.session.add(FacilityCertification(
                tenant_id=tenant_id, facility_id=facility.id, certification_number=number,
                facility_type=ftype, valid_from=date(2021, 4, 1), valid_to=date(2026, 3, 31)))
        _user(tenant_id, email, email, "facility_manager", name, facility_id=facility.id)
    for number, name, certified in (("100001", "緩和 一郎", True), ("100002", "髙橋 花子", True),
                                    ("100003", "未認定 次郎", False)):
        if db.session.scalar(select(SocietyMember).where(SocietyMember.member_number == number)) is None:
            db.session.add(SocietyMember(tenant_id=tenant_id, member_number=number, name=name,
                                         certified=certified))
    _user(tenant_id, "secretariat@jspm.example", "secretariat@jspm.example", "secretariat",
          "事務局 担当")


def _seed_jmsb(tenant_id: int, slug: str) -> None:
    """JMSB Online System+: 一次募集 open now and 二次募集 later (training from next April),
    two programs with their directors, the secretariat, and an applicant who has registered
    but not yet uploaded the licence (so the whole path can be tried)."""
    from datetime import timedelta

    from portal.blueprints.recruitment.models import RecruitmentProgram, RecruitmentRound
    from portal.db import utcnow
    from portal.ui import to_jst

    now = utcnow()
    today = to_jst(now).date()
    start_fy = today.year + 1 if today.month >= 4 else today.year  # the next 1 April (B-R09)
    if db.session.scalar(select(RecruitmentRound).where(
            RecruitmentRound.start_fiscal_year == start_fy)) is None:
        day = timedelta(days=1)
        db.session.add_all([
            RecruitmentRound(tenant_id=tenant_id, start_fiscal_year=start_fy, seq=1, label="一次募集",
                             opens_at=now - 7 * day, closes_at=now + 14 * day,
                             decisions_close_at=now + 21 * day),
            RecruitmentRound(tenant_id=tenant_id, start_fiscal_year=start_fy, seq=2, label="二次募集",
                             opens_at=now + 28 * day, closes_at=now + 42 * day,
                             decisions_close_at=now + 49 * day)])
    programs = (("髙田大学病院", "program-director@jmsb.example", "統括 太郎", "トウカツ タロウ",
                 "髙田大学病院 小児科専門研修プログラム", 6),
                ("みなと総合病院", "director2@jmsb.example", "統括 次郎", "トウカツ ジロウ",
                 "みなと総合病院 小児科専門研修プログラム", 3))
    for facility_name, email, name, kana, program_name, capacity in programs:
        facility = _facility(tenant_id, facility_name)
        director = _user(tenant_id, email, email, "program_director", name, full_name_kana=kana,
                         facility_id=facility.id)
        if db.session.scalar(select(RecruitmentProgram).where(
                RecruitmentProgram.name == program_name)) is None:
            db.session.add(RecruitmentProgram(
                tenant_id=tenant_id, name=program_name, specialty="pediatrics",
                core_facility_id=facility.id, director_id=director.id, capacity=capacity,
                start_fiscal_year=start_fy))
    _user(tenant_id, "secretariat@jmsb.example", "secretariat@jmsb.example", "secretariat",
          "事務局 担当")
    _user(tenant_id, "trainee@jmsb.example", "trainee@jmsb.example", "trainee", "応募 花子",
          full_name_kana="オウボ ハナコ", medical_registration_number="654321",
          birth_date=date(1998, 5, 12))


SEEDERS = {"jsicm": _seed_jsicm, "jmsb": _seed_jmsb, "jspm": _seed_jspm}


def seed() -> list[str]:
    base, port = current_app.config["BASE_DOMAIN"], current_app.config["EXTERNAL_PORT"]
    lines = []
    for slug, name in SOCIETIES:
        tenant = ensure_tenant(slug, name)
        ensure_domain(tenant, f"{slug}.{base}", primary=True)
        with tenant_scope(db.session, tenant.id):
            SEEDERS.get(slug, _seed_generic)(tenant.id, slug)
        lines.append(f"{name}: http://{slug}.{base}:{port}/")
    db.session.commit()
    lines += [
        f"demo password for every account: {DEMO_PASSWORD}",
        "jsicm logins (ログインID): 800014 (専攻医 テスト1), 800015 (専攻医 テスト2), "
        "900001 (統括 太郎), jimu (事務局), shisetsu (施設責任者)",
        "jspm logins (e-mail): core@jspm.example (基幹施設), renkei@jspm.example (連携施設), "
        "secretariat@jspm.example; certified members 100001 緩和 一郎, 100002 髙橋 花子",
        "jmsb logins (e-mail): trainee@jmsb.example (応募 花子), program-director@jmsb.example "
        "(統括 太郎), director2@jmsb.example (統括 次郎), secretariat@jmsb.example; "
        f"新規ユーザー登録: http://jmsb.{base}:{port}/register",
        f"development mailbox: http://jsicm.{base}:{port}/_dev/mail",
    ]
    return lines
