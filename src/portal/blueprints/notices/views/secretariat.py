"""Secretariat: the society's お知らせ, newest first; write, edit (also to reschedule) and
retire one. Plain form posts; a refused form is shown again with its message."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.notices import bp
from portal.blueprints.notices import services as notices
from portal.blueprints.notices.forms import NoticeForm
from portal.forms import EmptyForm
from portal.i18n import N_
from portal.ui import to_jst
from portal.web import int_arg, roles_required

SECRETARIAT = Role.secretariat
FORM = "notices/admin/form.html"


@bp.get("")
@roles_required(SECRETARIAT)
def admin_list():
    after = int_arg("after")
    return render_template("notices/admin/list.html", rows=notices.notices(after), after=after,
                           state=notices.state, states=notices.STATES,
                           audiences=notices.AUDIENCES, form=EmptyForm())


def _form(notice=None) -> NoticeForm:
    form = NoticeForm(obj=None)
    form.audience.choices = list(notices.audiences(g.rules).items())
    if notice is not None and not form.is_submitted():
        form.title.data, form.body.data = notice.title, notice.body
        form.audience.data = notice.audience or notices.EVERYONE
        form.publish_from.data = to_jst(notice.published_at).replace(tzinfo=None)
        form.publish_to.data = (to_jst(notice.expires_at).replace(tzinfo=None)
                                if notice.expires_at else None)
    return form


def _values(form: NoticeForm) -> notices.NoticeValues:
    return notices.NoticeValues(form.title.data or "", form.body.data or "",
                                form.audience.data, form.publish_from.data, form.publish_to.data)


def _page(form: NoticeForm, notice=None, status: int = 200, error: str | None = None):
    return render_template(FORM, form=form, notice=notice, error=error), status


def _refused(form: NoticeForm, notice, exc: notices.NoticeRefused):
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    return exc.answer_with(lambda refused: _page(form, notice, refused.status,
                                                 None if field is not None else refused.message))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(SECRETARIAT)
def admin_new():
    form = _form()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(form, status=400 if form.errors else 200)
    try:
        notices.create_notice(current_user, _values(form))
    except notices.NoticeRefused as exc:
        raise _refused(form, None, exc) from None
    flash(N_("お知らせを登録しました。"), "info")
    return redirect(url_for("notices.admin_list"), 303)


def _notice_or_404(notice_id: int):
    notice = notices.get_notice(notice_id)
    if notice is None:
        abort(404)
    return notice


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@roles_required(SECRETARIAT)
def admin_edit(notice_id: int):
    notice = _notice_or_404(notice_id)
    form = _form(notice)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(form, notice, status=400 if form.errors else 200)
    try:
        changed = notices.update_notice(current_user, notice, _values(form))
    except notices.NoticeRefused as exc:
        raise _refused(form, notice, exc) from None
    flash(N_("お知らせを更新しました。") if changed else N_("変更はありませんでした。"), "info")
    return redirect(url_for("notices.admin_list"), 303)


@bp.post("/<int:notice_id>/retire")
@roles_required(SECRETARIAT)
def admin_retire(notice_id: int):
    notice = _notice_or_404(notice_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        notices.retire_notice(current_user, notice)
    except notices.NoticeRefused as exc:
        raise exc.back_to(url_for("notices.admin_list")) from None
    flash(N_("お知らせを取り下げました。トップページには表示されません。"), "info")
    return redirect(url_for("notices.admin_list"), 303)
