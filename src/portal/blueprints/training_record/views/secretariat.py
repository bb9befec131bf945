"""The secretariat: every enrolled trainee, the CSV of all records (issue 17 item 8), and an
enrolment's delayed start (B-R25 to B-R27), ceiling exemption (B-R24) and track (B-R30)."""
from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import BASIC_SPECIALTIES, Role
from portal.blueprints.training_record import bp, queries, ui
from portal.blueprints.training_record.forms import CeilingForm, DelayForm, TrackForm
from portal.blueprints.training_record.models import QUALIFYING_REASONS, TRACKS
from portal.blueprints.training_record.services import ceiling as ceilings
from portal.blueprints.training_record.services import settings
from portal.excel_csv import excel_csv
from portal.forms import show_on
from portal.i18n import N_
from portal.web import int_arg, roles_required, text_arg


@bp.get("/admin/enrollments")
@roles_required(Role.secretariat)
def admin_enrollments():
    rows = queries.enrollments(current_user, int_arg("after"))
    return render_template("training_record/director/trainees.html", rows=rows[:queries.PAGE],
                           more=len(rows) > queries.PAGE, admin=True,
                           endpoint="training_record.admin_enrollments")


@bp.get("/admin/records.csv")
@roles_required(Role.secretariat)
def admin_export():
    body = excel_csv([gettext(h) for h in queries.EXPORT_HEADERS],
                     queries.export_rows(gettext, BASIC_SPECIALTIES))
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=training-records.csv",
        "Cache-Control": "no-store"})


def _ceiling_form(person_id: int) -> CeilingForm:
    current = ceilings.exemption_of(person_id)
    return CeilingForm(formdata=None, ceiling_exempt=bool(current and current.exempt),
                       certified_by=current.certified_by if current else None)


def _forms(enrollment, delay=None, ceiling=None, track=None) -> dict:
    delay = delay or DelayForm(obj=enrollment, formdata=None)
    delay.delay_reason.choices = [SelectChoice("", gettext("なし（4月1日開始）"))] + [
        SelectChoice(c, gettext(label)) for c, label in QUALIFYING_REASONS.items()] + [
        SelectChoice(settings.NOT_QUALIFYING, gettext("特定の理由に該当しない"))]
    ceiling = ceiling or _ceiling_form(enrollment.trainee_id)
    track = track or TrackForm(formdata=None)
    track.to_track.choices = [SelectChoice(c, gettext(label)) for c, label in TRACKS.items()]
    track.ground.choices = [SelectChoice("", gettext("選択してください"))] + [
        SelectChoice(c, gettext(label)) for c, label in settings.CURRICULUM_GROUNDS.items()]
    return {"delay_form": delay, "ceiling_form": ceiling, "track_form": track}


def _page(enrollment, status: int = 200, **forms):
    page = ui.record_page(enrollment, enrollment.trainee_id, g.rules, ui.today())
    return render_template("training_record/admin/enrollment.html",
                           history=queries.track_history(enrollment.id),
                           **_forms(enrollment, **forms), **page), status


@bp.get("/admin/enrollments/<int:enrollment_id>")
@roles_required(Role.secretariat)
def admin_enrollment(enrollment_id: int):
    return _page(queries.enrollment_for(current_user, enrollment_id))


def _done(enrollment_id: int, message: str):
    flash(message, "info")
    return redirect(url_for("training_record.admin_enrollment", enrollment_id=enrollment_id), 303)


@bp.post("/admin/enrollments/<int:enrollment_id>/delay")
@roles_required(Role.secretariat)
def admin_delay(enrollment_id: int):
    enrollment = queries.enrollment_for(current_user, enrollment_id)
    form = _forms(enrollment, delay=DelayForm())["delay_form"]
    if not form.validate_on_submit():
        return _page(enrollment, 422, delay=form)
    data = settings.DelayInput(form.planned_start_date.data, form.actual_start_date.data,
                               form.delay_reason.data or None,
                               (form.delay_reason_detail.data or "").strip() or None,
                               form.society_notified.data)
    try:
        settings.record_delay(current_user, enrollment, data, g.rules)
    except settings.RecordError as exc:
        show_on(form, exc)
        raise exc.answer_with(lambda r: _page(queries.enrollment_for(current_user, enrollment_id),
                                              r.status, delay=form)) from None
    return _done(enrollment_id, N_("研修開始日を登録しました。"))


@bp.post("/admin/enrollments/<int:enrollment_id>/ceiling")
@roles_required(Role.secretariat)
def admin_ceiling(enrollment_id: int):
    enrollment = queries.enrollment_for(current_user, enrollment_id)
    form = CeilingForm()
    if not form.validate_on_submit():
        return _page(enrollment, 422, ceiling=form)
    try:
        ceilings.set_exemption(current_user, enrollment.trainee, form.ceiling_exempt.data,
                               form.certified_by.data or "", form.reason.data.strip())
    except settings.RecordError as exc:
        show_on(form, exc)
        raise exc.answer_with(lambda r: _page(queries.enrollment_for(current_user, enrollment_id),
                                              r.status, ceiling=form)) from None
    return _done(enrollment_id, N_("シーリング対象外の設定を登録しました。"))


@bp.post("/admin/enrollments/<int:enrollment_id>/track")
@roles_required(Role.secretariat)
def admin_track(enrollment_id: int):
    enrollment = queries.enrollment_for(current_user, enrollment_id)
    form = _forms(enrollment, track=TrackForm())["track_form"]
    if not form.validate_on_submit():
        return _page(enrollment, 422, track=form)
    try:
        settings.change_track(current_user, enrollment, form.to_track.data, form.ground.data or None,
                              form.effective_date.data, form.reason.data.strip(),
                              form.society_agreed.data, g.rules)
    except settings.RecordError as exc:
        show_on(form, exc)
        raise exc.answer_with(lambda r: _page(queries.enrollment_for(current_user, enrollment_id),
                                              r.status, track=form)) from None
    return _done(enrollment_id, N_("研修制度の移行を登録しました。"))


# --- シーリング対象外 for anybody, applicants included (B-R24) -------------------------------------

def _ceiling_page(person=None, form: CeilingForm | None = None, status: int = 200, error=None):
    if person is not None and form is None:
        form = _ceiling_form(person.id)
    return render_template("training_record/admin/ceiling.html", person=person, form=form,
                           number=text_arg("number", 30), error=error,
                           exemption=ceilings.exemption_of(person.id) if person else None), status


@bp.get("/admin/ceiling")
@roles_required(Role.secretariat)
def admin_ceiling_search():
    """Find the doctor by 医籍登録番号, then set or clear the exemption."""
    number = text_arg("number", 30).strip()
    if not number:
        return _ceiling_page()
    try:
        return _ceiling_page(ceilings.person_by_number(number))
    except settings.RecordError as exc:
        return _ceiling_page(status=404, error=exc.message)


@bp.post("/admin/ceiling/<int:person_id>")
@roles_required(Role.secretariat)
def admin_ceiling_set(person_id: int):
    person = ceilings.trainee(person_id)
    form = CeilingForm()
    if not form.validate_on_submit():
        return _ceiling_page(person, form, 422)
    try:
        ceilings.set_exemption(current_user, person, form.ceiling_exempt.data,
                               form.certified_by.data or "", form.reason.data.strip())
    except settings.RecordError as exc:
        show_on(form, exc)
        raise exc.answer_with(lambda r: _ceiling_page(ceilings.trainee(person_id), form,
                                                      r.status)) from None
    flash(N_("シーリング対象外の設定を登録しました。"), "info")
    return redirect(url_for("training_record.admin_ceiling_search",
                            number=person.medical_registration_number), 303)
