"""B-S13: the program director's applicants, 採否 (one row by htmx or several at once) and
採用辞退の申請 (with the applicant's reason, I-23). Rules live in services; a refusal shows
its Japanese message with its 4xx status, and the request rolls back (nothing changes)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import normalize
from portal.accounts.models import Role
from portal.blueprints.recruitment import bp
from portal.blueprints.recruitment.models import DECISIONS
from portal.blueprints.recruitment.queries import director as q
from portal.blueprints.recruitment.services import applicant as services
from portal.blueprints.recruitment.services import selection
from portal.blueprints.recruitment.ui import row_words
from portal.db import utcnow
from portal.extensions import htmx
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.web import roles_required

TEMPLATE = "recruitment/director/index.html"
ALL_ROUNDS = "all"
COMMENT_MAX = 1000
BAD_ID = N_("応募者の指定が正しくありません。画面を更新してやり直してください。")
TOO_MANY = N_("一度に登録できるのは100名までです。")
BULK_MAX = 100


@dataclass
class Filters:
    """The list's query string, like the secretariat's 応募一覧:
    ?round=<id>|all&status=<code>&program=<id>&q=<name, kana or 医籍登録番号>&after=<id>."""

    round: str | None  # as given: a round id, "all", or None for the current round
    status: str | None
    after: int | None
    program: int | None = None
    q: str = ""

    def args(self, **extra) -> dict:
        values = {"round": self.round, "status": self.status, "program": self.program,
                  "q": self.q, **extra}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _int(value: str | None) -> int | None:
    """A positive database id, or None: anything else in a form or URL is not an id."""
    return normalize.bounded_int(value)


def _filters(source) -> Filters:
    round_ = source.get("round") or None
    if round_ != ALL_ROUNDS and _int(round_) is None:
        round_ = None
    status = source.get("status") or None
    q_text = normalize.nfkc(normalize.without_controls(source.get("q")))[:100].strip()
    return Filters(round_, status if status in q.RESULT_LABELS else None,
                   _int(source.get("after")), _int(source.get("program")), q_text)


def _page(filters: Filters, status: int = 200, error: str | None = None, only=None):
    """The list (one keyset page), or with `only` that application alone with its 採否
    form open (the row's 登録 link without JS)."""
    now = utcnow()
    cal = services.calendar(now)
    current = q.current_round(cal)
    if filters.round is None:
        round_id = current.id if current else None
    else:
        round_id = None if filters.round == ALL_ROUNDS else _int(filters.round)
    rows = [only] if only is not None else q.applicant_page(
        current_user, year=cal.year, round_id=round_id, status=filters.status,
        after=filters.after, program_id=filters.program, q=filters.q)
    decision_block = partial(q.decision_block, now=now)
    return render_template(
        TEMPLATE, cal=cal, round_id=round_id, filters=filters, rows=rows,
        next_after=getattr(rows, "next_after", None),
        programs=q.director_programs(current_user, cal.year),
        withdrawals=q.withdrawal_requests(current_user), decisions=DECISIONS,
        result_labels=q.RESULT_LABELS, words=row_words(results=q.RESULT_LABELS),
        decision_block=decision_block, error=error,
        any_decidable=any(decision_block(a) is None for a in rows), deciding=only is not None,
        comment_max=COMMENT_MAX), status


def _refused(exc: services.RecruitmentError, filters: Filters) -> services.RecruitmentError:
    """Nothing the request did stays (a bulk decision is all or nothing): portal.errors rolls
    back first, then shows the list as it is, with the message (under htmx: the message
    region)."""
    if not htmx:
        exc.answer_with(lambda refused: _page(filters, refused.status, refused.message))
    return exc


@bp.get("/director")
@roles_required(Role.program_director)
def director_applicants():
    return _page(_filters(request.args))


def _several(filters: Filters) -> bool:
    """Whether the list shows プログラム（募集）: rows can differ in it (index.html)."""
    year = services.calendar(utcnow()).year
    return filters.round == ALL_ROUNDS or len(q.director_programs(current_user, year)) > 1


def _row(application, status: int = 200, **context):
    filters = _filters(request.form or request.args)
    return render_page_or_block(
        TEMPLATE, "row", status, a=application, filters=filters, several=_several(filters),
        decisions=DECISIONS, result_labels=q.RESULT_LABELS, words=row_words(results=q.RESULT_LABELS),
        decision_block=partial(q.decision_block, now=utcnow()), **context)


@bp.get("/director/<int:application_id>/decide")
@roles_required(Role.program_director)
def director_decision_form(application_id: int):
    """The row's 登録 link: htmx opens that row's 採否 form in place (the list's rows carry
    no form of their own, so a page of 50 stays small); without JS, the list showing that
    applicant alone with the form. The bulk form under the list works without JS too."""
    try:
        application = selection.get_for_director(current_user, application_id)
    except services.RecruitmentError as exc:
        abort(exc.status)
    if htmx:
        response = _row(application, deciding=True)
        response.headers["HX-Retarget"] = f"#application-{application.id}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return _page(_filters(request.args), only=application)


def _decided_row(application_id: int, decision: str):
    """The htmx row form: only that row comes back, with the message in it."""
    try:
        selection.decide(current_user, [application_id], decision)
    except services.RecruitmentError as exc:
        if exc.status not in (403, 404):  # those go to the message region (portal.errors)
            exc.answer_with(lambda refused: _row(
                selection.get_for_director(current_user, application_id), refused.status,
                row_error=refused.message))
        raise  # portal.errors rolls back, then shows the row as stored, with the message
    application = selection.get_for_director(current_user, application_id)
    return _with_counts(_row(application, row_notice=N_("採否を登録しました。")))


def _with_counts(response):
    """The row's answer also carries 採用数／定員, swapped out of band into the programs card,
    so the director never decides against a stale count (the rest of the page stays)."""
    year = services.calendar(utcnow()).year
    response.set_data(response.get_data(as_text=True) + render_template(
        "recruitment/director/_programs.html", programs=q.director_programs(current_user, year),
        oob=True))
    return response


@bp.post("/director/decide")
@roles_required(Role.program_director)
def director_decide():
    """採用 / 不採用 / 未設定 for the ids posted (the row form sends one, the bulk form the
    checked ones). Without htmx: 303 back to the list with a flash."""
    filters = _filters(request.form)
    raw_ids = request.form.getlist("application_id")
    ids = [_int(v) for v in raw_ids]
    decision = request.form.get("decision", "")
    if None in ids:
        raise _refused(services.RecruitmentError(BAD_ID, 400), filters)
    if len(ids) > BULK_MAX:  # each id is one guarded UPDATE
        raise _refused(services.RecruitmentError(TOO_MANY, 400), filters)
    if htmx and len(ids) == 1:
        return _decided_row(ids[0], decision)
    try:
        changed = selection.decide(current_user, ids, decision)
    except services.RecruitmentError as exc:
        _refused(exc, filters)
        raise
    if changed:
        flash(gettext("%(num)d名の採否を登録しました。", num=len(changed)), "info")
    else:
        flash(N_("採否に変更はありませんでした。"), "info")
    return redirect(url_for("recruitment.director_applicants", **filters.args()), 303)


def _withdrawal_action(application_id: int, action: str, comment: str) -> str:
    """Runs the director's answer; returns the flash message."""
    selection.get_for_director(current_user, application_id)  # another program's id: 404 first
    if action == "approve":
        selection.approve_withdrawal(current_user, application_id)
        return N_("採用辞退を承認しました。応募者にメールで通知しました。")
    if action == "decline":
        if len(comment) > COMMENT_MAX:
            raise services.RecruitmentError(N_("却下の理由は1000文字以内で入力してください。"), 400)
        selection.decline_withdrawal(current_user, application_id, comment)
        return N_("採用辞退の申請を却下しました。応募者にメールで通知しました。")
    raise services.RecruitmentError(N_("承認または却下を選択してください。"), 400)


@bp.post("/director/withdrawal")
@roles_required(Role.program_director)
def director_withdrawal():
    """採用辞退の申請: 承認 (the applicant is mailed and is 未応募 again) or 却下 with a
    comment (the acceptance stays, DOMAIN.md Q13)."""
    filters = _filters(request.form)
    application_id = _int(request.form.get("application_id"))
    try:
        if application_id is None:
            raise services.RecruitmentError(BAD_ID, 400)
        message = _withdrawal_action(application_id, request.form.get("action", ""),
                                     request.form.get("comment", ""))
    except services.RecruitmentError as exc:
        _refused(exc, filters)
        raise
    flash(message, "info")
    return redirect(url_for("recruitment.director_applicants", **filters.args()), 303)
