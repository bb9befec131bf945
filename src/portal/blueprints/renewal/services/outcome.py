"""The outcome of a renewal application (DOMAIN.md C-W02, Q20, Q21): 合格 with its 認定開始日
or 不合格 with a reason and a mail; on the start date the facility becomes 認定 (core and
affiliated alike) and its certification is extended; an application not submitted by the end
of its window lapses (失効) with a notice; the core facility acknowledges an affiliation.
Services flush, never commit; the request, or the daily job per tenant, commits once."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import g
from sqlalchemy import select, update

from portal import audit
from portal.accounts.models import User
from portal.blueprints.renewal.models import (
    FacilityAffiliation,
    RenewalApplication,
    RenewalWindow,
)
from portal.blueprints.renewal.services.applications import (
    RenewalError,
    _transition,
    certification_of,
    facility_accounts,
    get_application,
    period_start,
)
from portal.daily import active_tenant_ids, run_per_tenant
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url
from portal.worklist.services import close_tasks, notify_user

REVIEW_TASK = "review_renewal"


def pass_application(actor: User, application_id: int, now: datetime,
                     start: date | None = None) -> RenewalApplication:
    """合格: the 認定開始日 is the one given, else the April after the window (the default
    the form offers). A 連携施設's core facility is told on that date (I-46)."""
    app = get_application(application_id)
    start = start or period_start(app.window)
    _transition(app, "submitted", status="passed", decided_at=now, certification_start_date=start)
    audit.record("renewal_passed", app, actor=actor, from_state="submitted", to_state="passed",
                 reason=start.isoformat())
    if app.facility_type == "affiliated" and app.core_facility_id is not None:
        db.session.add(FacilityAffiliation(
            tenant_id=app.tenant_id, affiliated_facility_id=app.facility_id,
            core_facility_id=app.core_facility_id, application_id=app.id, notify_on=start))
    close_tasks(REVIEW_TASK, related_id=app.id)
    for account in facility_accounts(app.facility_id):
        queue_mail("renewal_passed", account.email, application=app, facility=app.facility,
                   start=start, link=external_url("renewal.apply"))
    return app


def fail_application(actor: User, application_id: int, reason: str,
                     now: datetime) -> RenewalApplication:
    """不合格 (Q21): the reason is required, kept on the application and mailed."""
    reason = (reason or "").strip()
    if not reason:
        raise RenewalError(N_("不合格の理由を入力してください。"), 400)
    app = get_application(application_id)
    _transition(app, "submitted", status="failed", decided_at=now, failure_reason=reason)
    audit.record("renewal_failed", app, actor=actor, from_state="submitted", to_state="failed",
                 reason=reason)
    close_tasks(REVIEW_TASK, related_id=app.id)
    for account in facility_accounts(app.facility_id):
        queue_mail("renewal_failed", account.email, application=app, facility=app.facility,
                   reason=reason, link=external_url("renewal.apply"))
        notify_user(account, N_("更新申請は不合格となりました。"), reason, now)
    return app


# --- the daily job's steps (one tenant; flask renewal-daily) ---------------------------------------

def certify_due(today: date, now: datetime) -> int:
    """合格 -> 認定 on the 認定開始日: the facility's certification runs from that date for
    [renewal] certification_years. The guarded UPDATE lets one run do it."""
    due = list(db.session.scalars(select(RenewalApplication).where(
        RenewalApplication.status == "passed",
        RenewalApplication.certification_start_date <= today).order_by(RenewalApplication.id)))
    done = 0
    for app in due:
        claimed = db.session.execute(
            update(RenewalApplication).where(RenewalApplication.id == app.id,
                                             RenewalApplication.status == "passed")
            .values(status="certified").execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        db.session.refresh(app)
        _extend(app)
        audit.record("renewal_certified", app, actor=None, from_state="passed",
                     to_state="certified", reason=app.certification_start_date.isoformat())
        for account in facility_accounts(app.facility_id):
            notify_user(account, N_("認定開始日となり、認定が更新されました。"), "", now)
        done += 1
    return done


def certification_end(start: date, years: int) -> date:
    """The last day of a period of `years` from `start` (1 April 2026, 5 -> 31 March 2031)."""
    try:
        return start.replace(year=start.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _extend(app: RenewalApplication) -> None:
    end = certification_end(app.certification_start_date, g.rules.renewal.certification_years)
    cert = certification_of(app.facility_id)
    if cert is None:  # certified by the society outside the portal until now
        return
    if cert.valid_to is None or cert.valid_to < end:
        cert.valid_to = end
    cert.facility_type = app.facility_type
    db.session.flush()


def lapse_unsubmitted(now: datetime) -> int:
    """失効: an application still 未申請 when its window closed (a draft; a correction being
    answered is not a first submission, Q17). The facility is told (お知らせ and mail)."""
    due = list(db.session.scalars(select(RenewalApplication).join(RenewalWindow).where(
        RenewalApplication.status == "draft", RenewalWindow.closes_at < now)
        .order_by(RenewalApplication.id)))
    done = 0
    for app in due:
        claimed = db.session.execute(
            update(RenewalApplication).where(RenewalApplication.id == app.id,
                                             RenewalApplication.status == "draft")
            .values(status="lapsed").execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        db.session.refresh(app)
        audit.record("renewal_lapsed", app, actor=None, from_state="draft", to_state="lapsed")
        for account in facility_accounts(app.facility_id):
            notify_user(account, N_("申請期間内に更新申請がなかったため、申請は失効しました。"),
                        app.window.label, now)
            queue_mail("renewal_lapsed", account.email, application=app, facility=app.facility)
        done += 1
    return done


# --- the core facility's side of an affiliation (Q20) ------------------------------------------------

def affiliation_for_core(user: User, affiliation_id: int) -> FacilityAffiliation:
    """An affiliation addressed to the user's facility and already announced; else 404."""
    row = db.session.scalar(select(FacilityAffiliation).where(
        FacilityAffiliation.id == affiliation_id,
        FacilityAffiliation.core_facility_id == user.facility_id,
        FacilityAffiliation.status.in_(("notified", "acknowledged"))))
    if row is None or user.facility_id is None:
        raise RenewalError(N_("連携申請が見つかりません。"), 404)
    return row


def acknowledge_affiliation(user: User, affiliation_id: int, now: datetime) -> FacilityAffiliation:
    row = affiliation_for_core(user, affiliation_id)
    result = db.session.execute(
        update(FacilityAffiliation).where(FacilityAffiliation.id == row.id,
                                          FacilityAffiliation.status == "notified")
        .values(status="acknowledged", acknowledged_at=now, acknowledged_by_id=user.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RenewalError(N_("この連携申請は既に確認済みです。"))
    db.session.refresh(row)
    audit.record("affiliation_acknowledged", row, actor=user, from_state="notified",
                 to_state="acknowledged")
    close_tasks("affiliation_request", related_id=row.id)
    return row


def run_daily(today: date, now: datetime) -> tuple[int, int, int]:
    """Every society with the renewal module, one commit each: (certified, notified, lapsed)."""
    from portal.blueprints.renewal.services.affiliation import notify_due

    def one(_tenant_id: int) -> tuple[int, int, int]:
        if not g.rules.has_module("renewal"):
            return (0, 0, 0)
        return certify_due(today, now), notify_due(today, now), lapse_unsubmitted(now)

    results = run_per_tenant(active_tenant_ids(), one)
    return tuple(sum(r[i] for r in results) for i in range(3))  # type: ignore[return-value]
