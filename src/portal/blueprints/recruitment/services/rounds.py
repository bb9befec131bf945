"""The secretariat's rules for recruitment rounds (DOMAIN.md B-W02, B-R07, B-R09, I-21, I-25):
opens < closes <= 選考結果登録締切; the rounds of a year follow each other in seq order without
overlapping; training starts after the fiscal year of 応募開始; once a round has opened only its
closing times may be extended. Services flush, never commit; each change is audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import User
from portal.blueprints.recruitment.models import RecruitmentApplication, RecruitmentRound
from portal.blueprints.recruitment.services import applicant as services
from portal.blueprints.recruitment.services.secretariat import (
    AdminError,
    describe_changes,
    fiscal_year,
    has_applications,
    minute_of,
    training_starts,
)
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_

KANJI_NUMBERS = "一二三四五六七八九十"


@dataclass
class RoundInput:
    """Times in UTC (see jst_to_utc)."""

    start_fiscal_year: int
    seq: int
    label: str
    opens_at: datetime
    closes_at: datetime
    decisions_close_at: datetime


def rounds() -> list[RecruitmentRound]:
    return list(db.session.scalars(select(RecruitmentRound).order_by(
        RecruitmentRound.start_fiscal_year.desc(), RecruitmentRound.seq)))


def get_round(round_id: int) -> RecruitmentRound:
    round_ = db.session.get(RecruitmentRound, round_id)
    if round_ is None:
        raise AdminError(N_("募集回が見つかりません。"), status=404)
    return round_


def round_label(seq: int) -> str:
    """一次募集, 二次募集, ... (the seed's words) as the suggested name of round `seq`."""
    return f"{KANJI_NUMBERS[seq - 1]}次募集" if 1 <= seq <= len(KANJI_NUMBERS) else f"{seq}次募集"


def suggested_round(now: datetime) -> dict:
    """A new round's defaults: next year's recruitment, the seq after the last one."""
    year = fiscal_year(now) + 1
    last = db.session.scalar(select(func.max(RecruitmentRound.seq)).where(
        RecruitmentRound.start_fiscal_year == year)) or 0
    return {"start_fiscal_year": year, "seq": last + 1, "label": round_label(last + 1)}


def is_locked(round_: RecruitmentRound, now: datetime) -> bool:
    """Once a round has opened (or holds applications) only its closing times may be extended."""
    return round_.opens_at <= now or has_applications(RecruitmentApplication.round_id, round_.id)


def locked_ids(rounds_: list[RecruitmentRound], now: datetime) -> set[int]:
    """is_locked for a whole list, in one query."""
    if not rounds_:
        return set()
    used = set(db.session.scalars(select(RecruitmentApplication.round_id).distinct().where(
        RecruitmentApplication.round_id.in_([r.id for r in rounds_]))))
    return {r.id for r in rounds_ if r.opens_at <= now or r.id in used}


def _check_times(data: RoundInput) -> None:
    if minute_of(data.closes_at) <= minute_of(data.opens_at):  # as entered: minutes
        raise AdminError(N_("応募締切は応募開始より後の日時にしてください。"), "closes_at")
    if data.decisions_close_at < data.closes_at:
        raise AdminError(N_("選考結果登録締切は応募締切と同じか、それより後の日時にしてください。"),
                         "decisions_close_at")
    opened_in = fiscal_year(data.opens_at)
    if data.start_fiscal_year <= opened_in:  # I-25 / B-R09
        raise AdminError(gettext("研修開始年度は、応募開始日の年度（%(year)d年度）より後の年度にしてください。"
                                 "研修開始は最短で翌年度4月からです。", year=opened_in),
                         "start_fiscal_year")
    if data.decisions_close_at >= training_starts(data.start_fiscal_year):
        raise AdminError(gettext("選考結果登録締切は研修開始（%(year)d年4月1日）より前の日時にしてください。",
                                 year=data.start_fiscal_year), "decisions_close_at")


def _check_neighbours(data: RoundInput, round_id: int | None) -> None:
    """Rounds of a year follow each other: seq order is time order, and a round opens only
    after the previous one's selection closed (its 不採用/未設定 applicants are 未応募 again
    and may apply, B-R12)."""
    others = [r for r in services.rounds_of(data.start_fiscal_year) if r.id != round_id]
    for other in others:
        if other.seq == data.seq:
            raise AdminError(gettext("%(year)d年度の第%(seq)d回は既に登録されています（%(label)s）。",
                                     year=data.start_fiscal_year, seq=data.seq, label=other.label),
                             "seq")
        earlier = other.seq < data.seq
        if (other.opens_at < data.opens_at) != earlier:
            raise AdminError(gettext("回の順序と期間の順序が合っていません。第%(seq)d回（%(label)s）との"
                                     "前後関係を確認してください。", seq=other.seq, label=other.label),
                             "opens_at")
        apart = (other.decisions_close_at < data.opens_at if earlier
                 else data.decisions_close_at < other.opens_at)
        if not apart:
            raise AdminError(gettext("第%(seq)d回（%(label)s）と期間（応募開始〜選考結果登録締切）が重なっています。"
                                     "次の回の応募開始は、前の回の選考結果登録締切より後にしてください。",
                                     seq=other.seq, label=other.label), "opens_at")


def _check_locked(round_: RecruitmentRound, data: RoundInput) -> None:
    if round_.closed_at is not None:
        raise AdminError(N_("締切処理が済んだ募集回は変更できません。"))
    if ((data.start_fiscal_year, data.seq, minute_of(data.opens_at))
            != (round_.start_fiscal_year, round_.seq, minute_of(round_.opens_at))):
        raise AdminError(N_("応募開始後の募集回は、研修開始年度・回・応募開始日時を変更できません。"
                            "締切日時の延長のみ可能です。"), "opens_at")
    if data.closes_at < round_.closes_at or data.decisions_close_at < round_.decisions_close_at:
        raise AdminError(N_("応募開始後の募集回の締切日時は延長のみ可能です（早めることはできません）。"),
                         "closes_at")


def _keep_same_minutes(round_: RecruitmentRound, data: RoundInput) -> None:
    """The form shows minutes: a time submitted unchanged keeps the stored value exactly."""
    for name in ("opens_at", "closes_at", "decisions_close_at"):
        if minute_of(getattr(data, name)) == minute_of(getattr(round_, name)):
            setattr(data, name, getattr(round_, name))


def _round_summary(data: RoundInput) -> str:
    return (f"{data.start_fiscal_year}-{data.seq} {data.label}: {data.opens_at.isoformat()} / "
            f"{data.closes_at.isoformat()} / {data.decisions_close_at.isoformat()}")


def _save_round(round_: RecruitmentRound) -> None:
    try:
        with db.session.begin_nested():  # two secretaries adding the same seq at once
            db.session.add(round_)
            db.session.flush()
    except IntegrityError:
        raise AdminError(N_("この年度の同じ回が既に登録されています。"), "seq") from None


def create_round(actor: User, data: RoundInput, now: datetime | None = None) -> RecruitmentRound:
    now = now or utcnow()
    data.label = data.label.strip()
    _check_times(data)
    if data.closes_at <= now:
        raise AdminError(N_("応募締切が過去の日時です。"), "closes_at")
    _check_neighbours(data, None)
    round_ = RecruitmentRound(tenant_id=actor.tenant_id, **vars(data))
    _save_round(round_)
    audit.record("recruitment_round_created", round_, actor=actor, reason=_round_summary(data))
    return round_


def update_round(actor: User, round_id: int, data: RoundInput,
                 now: datetime | None = None) -> RecruitmentRound:
    now = now or utcnow()
    services.close_due_rounds(now)  # a round whose selection just ended is closed, not extended
    round_ = get_round(round_id)
    data.label = data.label.strip()
    _keep_same_minutes(round_, data)
    if is_locked(round_, now):
        _check_locked(round_, data)
    elif data.closes_at <= now:
        raise AdminError(N_("応募締切が過去の日時です。"), "closes_at")
    _check_times(data)
    _check_neighbours(data, round_.id)
    changes = describe_changes(round_, data)
    if not changes:
        return round_
    for name, value in vars(data).items():
        setattr(round_, name, value)
    _save_round(round_)
    audit.record("recruitment_round_updated", round_, actor=actor, reason=changes)
    return round_


def delete_round(actor: User, round_id: int, now: datetime | None = None) -> None:
    round_ = get_round(round_id)
    if is_locked(round_, now or utcnow()):
        raise AdminError(N_("応募開始後の募集回、または応募がある募集回は削除できません。"), status=409)
    audit.record("recruitment_round_deleted", round_, actor=actor, reason=_round_summary(round_))
    db.session.delete(round_)
    db.session.flush()
