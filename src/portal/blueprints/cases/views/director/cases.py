"""症例承認: the cases filed with this director that wait for sign-off, 50 per page by keyset,
filtered by trainee. 承認 per row over htmx (the row is swapped to its signed-off state and the
waiting count is updated out of band), or 一括承認 of the ticked rows; both work without
JavaScript as plain posts. A director or the secretariat opens a case read-only."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal import normalize
from portal.accounts.models import Role
from portal.blueprints.cases import bp
from portal.blueprints.cases.queries import cases as case_list
from portal.blueprints.cases.services import case_signoff, cases
from portal.blueprints.cases.services.case_csv import Labels
from portal.extensions import htmx
from portal.forms import EmptyForm
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.normalize import bounded_int
from portal.web import int_arg, roles_required

QUEUE = "cases/case_signoff.html"


def _queue_context(notice: str | None = None) -> dict:
    number = normalize.code(request.args.get("number", ""))[:20]  # 全角 folded
    trainee_id = (case_list.trainee_by_number(number) or -1) if number else int_arg("trainee")
    filters = case_list.CaseFilters(trainee_id=trainee_id)
    after = int_arg("after")
    rows, more = case_list.signoff_page(current_user, filters, g.rules, after)
    return {"rows": rows, "more": more, "filters": filters, "after": after, "notice": notice,
            "trainees": case_list.signoff_trainees(current_user), "labels": Labels(g.rules),
            "waiting": case_signoff.waiting_count(current_user), "form": EmptyForm()}


@bp.get("/signoff")
@roles_required(Role.program_director)
def signoff_queue():
    return render_template(QUEUE, **_queue_context())


@bp.post("/signoff/<int:case_id>")
@roles_required(Role.program_director)
def sign_off(case_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        case_signoff.sign_off_one(current_user, case_id)
    except cases.CaseError as exc:
        if exc.status == 404:
            abort(404)
        raise exc.back_to(url_for("cases.signoff_queue")) from None
    if htmx:
        case = cases.viewable_case(current_user, case_id)
        return render_page_or_block(QUEUE, "row", case=case, labels=Labels(g.rules), oob=True,
                                    waiting=case_signoff.waiting_count(current_user),
                                    notice=N_("承認しました。"))
    flash(N_("承認しました。"), "info")
    return redirect(url_for("cases.signoff_queue"), 303)


@bp.post("/signoff/bulk")
@roles_required(Role.program_director)
def sign_off_bulk():
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = [n for n in (bounded_int(v) for v in request.form.getlist("case_ids")) if n is not None]
    try:
        signed = case_signoff.sign_off(current_user, ids)
    except cases.CaseError as exc:
        raise exc.back_to(url_for("cases.signoff_queue")) from None
    message = N_("選択した症例を承認しました。") if signed else N_("承認できる症例はありませんでした。")
    if htmx:
        return render_page_or_block(QUEUE, "queue", **_queue_context(message))
    flash(message, "info")
    return redirect(url_for("cases.signoff_queue"), 303)


@bp.get("/review/<int:case_id>")
@roles_required(Role.program_director, Role.secretariat)
def review(case_id: int):
    try:
        case = cases.viewable_case(current_user, case_id)
    except cases.CaseError:
        abort(404)
    back = url_for("cases.signoff_queue") if current_user.role == Role.program_director.value else None
    return render_template("cases/case_detail.html", case=case, labels=Labels(g.rules),
                           form=EmptyForm(), back=back, read_only=True)
