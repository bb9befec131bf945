"""Demo data: four societies on *.localhost (the fourth, jsgt, with every module on), one user per role, and the manual's trainee."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.services import hash_password
from portal.blueprints.credentials.models import Enrollment, PeriodChange, TrainingStartApplication
from portal.blueprints.credentials.services import register_training_start
from portal.devdata.demo_case_reports import seed_case_reports
from portal.devdata.demo_cases import seed_cases
from portal.directory.models import Facility
from portal.extensions import db
from portal.tenants.resolve import rules_for
from portal.tenants.scoping import tenant_scope
from portal.tenants.services import ensure_domain, ensure_tenant

DEMO_PASSWORD = "demo-pass-2024"
JST = ZoneInfo("Asia/Tokyo")
SOCIETIES = [("jsicm", "日本集中治療医学会"), ("jmsb", "日本専門医機構"), ("jspm", "日本緩和医療学会"),
             ("jsgt", "日本総合研修医学会")]


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
                      start: date = date(2024, 4, 1), **fields) -> User:
    """A cohort trainee (2024-04-01 by default): training start approved, task dated the
    migration day."""
    trainee = _user(tenant_id, role="trainee", facility_id=facility.id, **fields)
    if db.session.scalar(select(TrainingStartApplication).where(
            TrainingStartApplication.trainee_id == trainee.id)) is None:
        register_training_start(trainee, facility.id, director, start,
                                rules_for(slug), created_at=datetime(2024, 6, 3, 9, 0, tzinfo=JST))
    return trainee


def _seed_jsicm(tenant_id: int, slug: str) -> None:
    facility = _facility(tenant_id, "施設A")
    director = _user(tenant_id, "900001", "director@jsicm.example", "program_director", "統括 太郎",
                     full_name_kana="トウカツ タロウ", member_number="900001", facility_id=facility.id)
    _user(tenant_id, "jimu", "jimu@jsicm.example", "secretariat", "事務局 担当")
    _user(tenant_id, "shisetsu", "shisetsu@jsicm.example", "facility_manager", "施設 責任者",
          facility_id=facility.id)
    first = _migrated_trainee(tenant_id, slug, facility, director, login_id="800014", email="dummy@mail.sample",
                      member_system_email="dummy@mail.sample", name="専攻医 テスト1",
                      full_name_kana="センコウイ テストイチ", member_number="800014",
                      medical_registration_number="A1234567", jmsb_basic_specialty="pediatrics",
                      basic_program_status="specialist_certified")
    _training_history(first, facility, director)
    _migrated_trainee(tenant_id, slug, facility, director, login_id="800015", email="trainee2@mail.sample",
                      member_system_email="trainee2@mail.sample", name="専攻医 テスト2",
                      full_name_kana="センコウイ テストニ", member_number="800015",
                      medical_registration_number="B7654321",
                      jmsb_basic_specialty="internal_medicine",
                      basic_program_status="program_completion_expected")
    # A newcomer of the normal flow (A-R03): no training start yet, so 研修開始申請 comes first;
    # a second facility with its own director gives the picker a real choice.
    other = _facility(tenant_id, "施設B")
    _user(tenant_id, "900003", "director3@jsicm.example", "program_director", "統括 次郎",
          full_name_kana="トウカツ ジロウ", member_number="900003", facility_id=other.id)
    _user(tenant_id, "800016", "trainee3@mail.sample", "trainee", "専攻医 テスト3",
          member_system_email="trainee3@mail.sample", full_name_kana="センコウイ テストサン",
          member_number="800016", medical_registration_number="C2345678",
          jmsb_basic_specialty="anesthesiology", basic_program_status="specialist_certified")
    seed_cases(tenant_id, slug, first, director)  # 経験症例: 18 signed off, 12 waiting
    seed_case_reports("800014", "900001")  # 症例レポート: one accepted (2 versions), one waiting


def _training_history(trainee: User, facility: Facility, director: User) -> None:
    """800014's periods as the old system kept them (所属研修施設変更・休止登録, the 研修終了要件
    check): ICU, six months of emergency medicine, ICU again with three months of 休止 for
    illness; each change approved by 統括 太郎. Once only: a trainee with periods is left alone."""
    if db.session.scalar(select(Enrollment.id).where(Enrollment.trainee_id == trainee.id).limit(1)):
        return
    spans = [("icu", date(2024, 4, 1), date(2024, 9, 30)), ("emergency", date(2024, 10, 1), date(2025, 3, 31)),
             ("icu", date(2025, 4, 1), None)]
    previous = None
    for rotation, start, end in spans:
        period = Enrollment(tenant_id=trainee.tenant_id, trainee_id=trainee.id, facility_id=facility.id,
                            program_director_id=director.id, from_date=start, to_date=end,
                            rotation=rotation, source="migration")
        db.session.add(period)
        db.session.flush()
        if previous is not None:
            db.session.add(_approved(trainee, director, previous, "facility_change", start,
                                     rotation=rotation))
        previous = period
    db.session.add(_approved(trainee, director, previous, "suspension", date(2025, 7, 1),
                             end_date=date(2025, 9, 30), reason_code="illness"))
    db.session.flush()


def _approved(trainee: User, director: User, period: Enrollment, kind: str, start: date,
              **fields) -> PeriodChange:
    asked = datetime.combine(start - timedelta(days=30), time(9), JST)  # asked a month before
    return PeriodChange(tenant_id=trainee.tenant_id, trainee_id=trainee.id, kind=kind,
                        facility_id=period.facility_id, approver_id=director.id,
                        enrollment_id=period.id, start_date=start, status="approved",
                        submitted_at=asked, reviewed_by_id=director.id, reviewed_at=asked, **fields)


def _seed_generic(tenant_id: int, slug: str) -> None:
    facility = _facility(tenant_id, "施設A")
    for role, name in (("trainee", "専攻医 テスト"), ("program_director", "統括 太郎"),
                       ("facility_manager", "施設 責任者"), ("secretariat", "事務局 担当")):
        email = f"{role.replace('_', '-')}@{slug}.example"
        _user(tenant_id, email, email, role, name, facility_id=facility.id)


def _renewal_window(tenant_id: int, label: str) -> None:
    """A renewal window open now (C-W01)."""
    from datetime import timedelta

    from portal.blueprints.renewal.models import RenewalWindow
    from portal.db import utcnow

    if db.session.scalar(select(RenewalWindow).where(RenewalWindow.label == label)) is None:
        now = utcnow()
        db.session.add(RenewalWindow(tenant_id=tenant_id, label=label,
                                     opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=60)))


def _certified_facility(tenant_id: int, name: str, number: str, ftype: str, email: str,
                        valid_to: date | None = None) -> Facility:
    """A certified facility and its shared 施設責任者 login (e-mail). By default its period ends
    the March before the period the open demo window applies for: it is renewing now."""
    from datetime import timedelta

    from portal.blueprints.renewal.models import FacilityCertification
    from portal.blueprints.renewal.services.applications import next_april_first
    from portal.db import utcnow
    from portal.ui import to_jst

    if valid_to is None:
        valid_to = next_april_first(to_jst(utcnow() + timedelta(days=60)).date()) - timedelta(days=1)

    facility = _facility(tenant_id, name)
    if db.session.scalar(select(FacilityCertification).where(
            FacilityCertification.facility_id == facility.id)) is None:
        db.session.add(FacilityCertification(
            tenant_id=tenant_id, facility_id=facility.id, certification_number=number,
            facility_type=ftype, valid_from=date(2021, 4, 1), valid_to=valid_to))
    _user(tenant_id, email, email, "facility_manager", name, facility_id=facility.id)
    return facility


def _members(tenant_id: int, rows) -> None:
    """The society's certified-member roster: 様式1 checks the 施設責任者 (certified) and the
    指導医 (資格 supervisor, within its period) against it; a number it lacks is flagged (Q22)."""
    from portal.blueprints.renewal.models import SocietyMember

    for number, name, certified, *qualification in rows:
        if db.session.scalar(select(SocietyMember).where(SocietyMember.member_number == number)) is None:
            db.session.add(SocietyMember(
                tenant_id=tenant_id, member_number=number, name=name, certified=certified,
                qualification=qualification[0] if qualification else None,
                valid_from=date(2021, 4, 1) if qualification else None,
                valid_to=date(2031, 3, 31) if qualification else None))


def _seed_jspm(tenant_id: int, slug: str) -> None:
    """施設マイページ: a renewal window open now, a 基幹施設 and a 連携施設 with their shared
    logins (e-mail), the member roster with certified 施設責任者, and the secretariat."""
    _renewal_window(tenant_id, "更新申請（デモ）")
    _certified_facility(tenant_id, "緩和ケア中央病院", "JSPM-K-0001", "core", "core@jspm.example")
    _certified_facility(tenant_id, "さくら連携病院", "JSPM-R-0101", "affiliated", "renkei@jspm.example")
    _members(tenant_id, (("100001", "緩和 一郎", True, "specialist"),
                         ("100002", "髙橋 花子", True, "supervisor"), ("100003", "未認定 次郎", False)))
    _user(tenant_id, "secretariat@jspm.example", "secretariat@jspm.example", "secretariat",
          "事務局 担当")


def _start_fiscal_year() -> int:
    from portal.db import utcnow
    from portal.ui import to_jst

    today = to_jst(utcnow()).date()
    return today.year + 1 if today.month >= 4 else today.year  # the next 1 April (B-R09)


def _recruitment_rounds(tenant_id: int) -> int:
    """一次募集 open now and 二次募集 later, for training from next April."""
    from datetime import timedelta

    from portal.blueprints.recruitment.models import RecruitmentRound
    from portal.db import utcnow

    now, start_fy = utcnow(), _start_fiscal_year()
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
    return start_fy


def _program(tenant_id: int, facility: Facility, director: User, name: str, capacity: int,
             start_fy: int) -> None:
    from portal.blueprints.recruitment.models import RecruitmentProgram

    if db.session.scalar(select(RecruitmentProgram).where(RecruitmentProgram.name == name)) is None:
        db.session.add(RecruitmentProgram(
            tenant_id=tenant_id, name=name, specialty="pediatrics", core_facility_id=facility.id,
            director_id=director.id, capacity=capacity, start_fiscal_year=start_fy))


def _seed_jmsb(tenant_id: int, slug: str) -> None:
    """JMSB Online System+: 一次募集 open now and 二次募集 later (training from next April),
    two programs with their directors, the secretariat, and an applicant who has registered
    but not yet uploaded the licence (so the whole path can be tried)."""
    start_fy = _recruitment_rounds(tenant_id)
    programs = (("髙田大学病院", "program-director@jmsb.example", "統括 太郎", "トウカツ タロウ",
                 "髙田大学病院 小児科専門研修プログラム", 6),
                ("みなと総合病院", "director2@jmsb.example", "統括 次郎", "トウカツ ジロウ",
                 "みなと総合病院 小児科専門研修プログラム", 3))
    for facility_name, email, name, kana, program_name, capacity in programs:
        facility = _facility(tenant_id, facility_name)
        director = _user(tenant_id, email, email, "program_director", name, full_name_kana=kana,
                         facility_id=facility.id)
        _program(tenant_id, facility, director, program_name, capacity, start_fy)
    _user(tenant_id, "secretariat@jmsb.example", "secretariat@jmsb.example", "secretariat",
          "事務局 担当")
    _user(tenant_id, "trainee@jmsb.example", "trainee@jmsb.example", "trainee", "応募 花子",
          full_name_kana="オウボ ハナコ", medical_registration_number="654321",
          birth_date=date(1998, 5, 12))
    from portal.devdata.demo_training import seed_enrolled_trainee

    enrolled = _user(tenant_id, "kenshu@jmsb.example", "kenshu@jmsb.example", "trainee",
                     "研修 太郎", full_name_kana="ケンシュウ タロウ",
                     medical_registration_number="765432", birth_date=date(1997, 4, 2),
                     jmsb_basic_specialty="pediatrics")
    seed_enrolled_trainee(tenant_id, enrolled, "髙田大学病院 小児科専門研修プログラム")


def _seed_jsgt(tenant_id: int, slug: str) -> None:
    """日本総合研修医学会 (fictional): every module at once. One teaching hospital is a
    certified 基幹施設 (renewal), runs a recruitment program and trains a trainee whose
    training start is registered (credentials, then the case log); a second trainee has
    registered for recruitment only. Logins are e-mail addresses."""
    hospital = _certified_facility(tenant_id, "総合研修大学病院", "GT-K-0001", "core",
                                   "facility@jsgt.example", valid_to=date(2027, 3, 31))
    director = _user(tenant_id, "director@jsgt.example", "director@jsgt.example",
                     "program_director", "指導 一郎", full_name_kana="シドウ イチロウ",
                     member_number="700001", facility_id=hospital.id)
    _user(tenant_id, "secretariat@jsgt.example", "secretariat@jsgt.example", "secretariat",
          "事務局 担当")
    _migrated_trainee(tenant_id, slug, hospital, director, login_id="trainee@jsgt.example",
                      email="trainee@jsgt.example", name="研修 花子",
                      full_name_kana="ケンシュウ ハナコ", member_number="700101",
                      medical_registration_number="7010101", birth_date=date(1997, 7, 7),
                      jmsb_basic_specialty="pediatrics",
                      basic_program_status="specialist_certified", start=date(2025, 4, 1))
    _user(tenant_id, "applicant@jsgt.example", "applicant@jsgt.example", "trainee", "応募 次郎",
          full_name_kana="オウボ ジロウ", medical_registration_number="7020202",
          birth_date=date(1999, 2, 2))
    _program(tenant_id, hospital, director, "総合研修大学病院 総合診療専門研修プログラム", 4,
             _recruitment_rounds(tenant_id))
    _renewal_window(tenant_id, "更新申請（デモ）")
    _members(tenant_id, (("700001", "指導 一郎", True, "specialist"),
                         ("700002", "認定 三郎", True, "supervisor")))


SEEDERS = {"jsicm": _seed_jsicm, "jmsb": _seed_jmsb, "jspm": _seed_jspm, "jsgt": _seed_jsgt}


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
        "800016 (専攻医 テスト3: 研修開始申請から), 900001 (統括 太郎, 施設A: 症例承認 has 800014's 12 "
        "waiting cases), 900003 (統括 次郎, 施設B), jimu (事務局), shisetsu (施設責任者)",
        "jspm logins (e-mail): core@jspm.example (基幹施設), renkei@jspm.example (連携施設), "
        "secretariat@jspm.example; roster: 100001 緩和 一郎 (施設責任者に), 100002 髙橋 花子 (指導医); "
        "a number not in the roster is flagged for the secretariat",
        "jmsb logins (e-mail): trainee@jmsb.example (応募 花子), kenshu@jmsb.example (研修 太郎: "
        "在籍, 専攻医の研修実績), program-director@jmsb.example "
        "(統括 太郎), director2@jmsb.example (統括 次郎), secretariat@jmsb.example; "
        f"新規ユーザー登録: http://jmsb.{base}:{port}/register",
        "jsgt logins (e-mail, every module): trainee@jsgt.example (研修 花子: 証票, 症例, 応募), "
        "applicant@jsgt.example (応募 次郎), director@jsgt.example (指導 一郎), "
        "facility@jsgt.example (施設責任者), secretariat@jsgt.example; roster: 700001 (施設責任者に), 700002 (指導医)",
        f"development mailbox: http://jsicm.{base}:{port}/_dev/mail",
    ]
    return lines
