"""Secretariat: renewal windows (申請期間, entered in Japan time, stored in UTC) and a facility
account's e-mail change after the secretariat checked the requester's identity (C-R03, I-04),
which takes effect when the new address confirms (SECURITY.md 20, services/email_change.py)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.blueprints.renewal import bp
from portal.blueprints.renewal.forms import EmailChangeForm, WindowForm
from portal.blueprints.renewal.models import RenewalWindow
from portal.blueprints.renewal.services import email_change
from portal.blueprints.renewal.services.applications import RenewalError
from portal.blueprints.renewal.views.secretariat.facilities import SECRETARIAT, _facilities_page
from portal.extensions import db
from portal.forms import CONTROLS, refusal
from portal.i18n import N_
from portal.ui import JST
from portal.web import roles_required


def _windows_page(form: WindowForm, status: int = 200):
    windows = list(db.session.scalars(select(RenewalWindow).order_by(RenewalWindow.opens_at.desc())))
    return render_template("renewal/admin/windows.html", windows=windows, form=form), status


def _utc(day, time, end: bool = False) -> datetime:
    """A Japan-time minute as UTC; the closing minute is inclusive (23:59 means up to 23:59:59)."""
    value = datetime.combine(day, time.replace(second=59, microsecond=999999) if end else
                             time.replace(second=0, microsecond=0), tzinfo=JST)
    return value.astimezone(timezone.utc)


@bp.get("/admin/windows/manage")
@roles_required(SECRETARIAT)
def manage_windows():
    return _windows_page(WindowForm(formdata=None))


@bp.post("/admin/windows/manage")
@roles_required(SECRETARIAT)
def create_window():
    form = WindowForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _windows_page(form, 422)
    opens = _utc(form.opens_date.data, form.opens_time.data)
    closes = _utc(form.closes_date.data, form.closes_time.data, end=True)
    if closes <= opens:
        form.closes_date.errors.append(N_("終了日時は開始日時より後にしてください。"))
        return _windows_page(form, 422)
    window = RenewalWindow(tenant_id=current_user.tenant_id, label=form.label.data.strip(),
                           opens_at=opens, closes_at=closes)
    db.session.add(window)
    db.session.flush()
    audit.record("renewal_window_created", window, actor=current_user,
                 reason=f"{window.label}: {opens.isoformat()} - {closes.isoformat()}")
    flash(N_("申請期間を登録しました。"), "info")
    return redirect(url_for("renewal.manage_windows"), 303)


def _email_error(message: str):
    """Checked before anything changes; the 422 makes the request's commit a rollback."""
    return _facilities_page(error=[message], status=422)


@bp.post("/admin/facilities/accounts/<int:user_id>/email")
@roles_required(SECRETARIAT)
def change_facility_email(user_id: int):
    """SECURITY.md 20: the change waits for the new address to confirm its link."""
    form = EmailChangeForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        if refusal(form).message == CONTROLS:
            return _email_error(CONTROLS)
        return _email_error(N_("メールアドレスは320文字以内、本人確認の記録は2000文字以内で入力してください。"))
    try:
        email_change.request_change(current_user, user_id, form.new_email.data,
                                    form.evidence.data)
    except RenewalError as exc:
        if exc.status == 404:
            abort(404)
        return _email_error(exc.message)
    flash(N_("新しいメールアドレスに確認のメールを送信しました。受信者がリンクを開くと変更されます。"), "info")
    return redirect(url_for("renewal.facilities"), 303)
