"""Demo 症例レポート for the manual's trainee (seed-demo): one report accepted after a return
(two versions, the director's comment on each) and one waiting for the director's review, so
the version history, the 差分 and the review queue have something to show. Idempotent: a
trainee who has any report is left alone. Rows are written directly (no mail is queued)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from portal.accounts.models import User
from portal.blueprints.cases.models import Case, CaseReport, CaseReportVersion
from portal.extensions import db
from portal.worklist.services import open_task

JST = ZoneInfo("Asia/Tokyo")

_SEPSIS_V1 = """【症例】70歳代男性。
【主訴】発熱、意識障害。
【ICUでの経過】尿路感染症を契機とした敗血症性ショックでICUに入室した。初期輸液とノルアドレナリンで循環を維持し、入室3時間以内に抗菌薬を開始した。第4病日に昇圧薬を中止し、第6病日にICUを退室した。
【考察】早期の抗菌薬投与と循環管理が奏功した。
【結語】敗血症性ショックの一例を経験した。"""

_SEPSIS_V2 = """【症例】70歳代男性。
【主訴】発熱、意識障害。
【ICUでの経過】尿路感染症を契機とした敗血症性ショックでICUに入室した。初期輸液30mL/kgとノルアドレナリンで平均動脈圧65mmHg以上を維持し、入室1時間以内に抗菌薬を開始した。第4病日に昇圧薬を中止し、第6病日にICUを退室した。
【考察】受動的下肢挙上テストで輸液反応性を評価し、過剰輸液を避けた。早期の抗菌薬投与と目標を定めた循環管理が奏功した。
【結語】敗血症性ショックの一例を経験した。"""

_ARDS = """【症例】60歳代後半の女性。
【主訴】呼吸困難。
【ICUでの経過】重症肺炎に伴うARDS（P/F比 80）で人工呼吸管理を開始した。低一回換気量と高めのPEEPでも酸素化が改善せず、第2病日から1日16時間の腹臥位療法を行った。第5病日にP/F比 200まで改善した。
【考察】中等症以上のARDSでは早期の腹臥位療法を検討すべきである。"""


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=JST)


def _case(trainee: User, director: User, admitted: date, category: str, supports: list[str],
          sex: str) -> Case:
    case = Case(tenant_id=trainee.tenant_id, trainee_id=trainee.id, director_id=director.id,
                facility_id=trainee.facility_id or director.facility_id, entry_date=admitted,
                icu_admission_date=admitted, age_band="65-79", sex=sex,
                primary_category=category, organ_supports=supports,
                procedures=[{"code": "intubation", "role": "operator"}], outcome="alive_discharge")
    db.session.add(case)
    db.session.flush()
    return case


def _version(report: CaseReport, number: int, title: str, body: str, submitted: datetime,
             reviewed: datetime | None = None, comment: str | None = None) -> None:
    db.session.add(CaseReportVersion(
        tenant_id=report.tenant_id, report_id=report.id, number=number, title=title, body=body,
        submitted_at=submitted, review_comment=comment, reviewed_at=reviewed,
        reviewed_by_id=report.director_id if reviewed else None))


def seed_case_reports(trainee_login: str, director_login: str) -> None:
    trainee = db.session.scalar(select(User).where(User.login_id == trainee_login))
    director = db.session.scalar(select(User).where(User.login_id == director_login))
    if trainee is None or director is None or db.session.scalar(
            select(exists().where(CaseReport.trainee_id == trainee.id))):
        return
    sepsis = _case(trainee, director, date(2026, 5, 12), "sepsis_shock", ["imv", "vasoactive"],
                   "male")
    ards = _case(trainee, director, date(2026, 6, 20), "resp_ards", ["imv"], "female")
    title = "敗血症性ショックに対し早期の循環管理を行った一例"
    accepted = CaseReport(tenant_id=trainee.tenant_id, trainee_id=trainee.id,
                          director_id=director.id, case_id=sepsis.id, status="accepted",
                          current_version=2, submitted_at=_at(6, 8), accepted_at=_at(6, 10))
    waiting = CaseReport(tenant_id=trainee.tenant_id, trainee_id=trainee.id,
                         director_id=director.id, case_id=ards.id, status="submitted",
                         current_version=1, submitted_at=_at(7, 1))
    db.session.add_all([accepted, waiting])
    db.session.flush()
    _version(accepted, 1, title, _SEPSIS_V1, _at(6, 1), _at(6, 3),
             "輸液量と昇圧目標を具体的に書き、考察で輸液反応性の評価に触れてください。")
    _version(accepted, 2, title, _SEPSIS_V2, _at(6, 8), _at(6, 10), "よくまとまっています。受理します。")
    _version(waiting, 1, "重症ARDSに腹臥位療法を行った一例", _ARDS, _at(7, 1))
    open_task(director, "review_case_report", "cases.review_report", related_id=waiting.id,
              created_at=_at(7, 1))
