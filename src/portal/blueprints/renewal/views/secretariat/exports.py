"""Secretariat exports: CSV of applications, the document-number check, the ZIP of sealed scans."""
from __future__ import annotations

from flask import abort, g, make_response, render_template, request
from sqlalchemy import select

from portal import objectstore
from portal.accounts.models import Role
from portal.blueprints.renewal import bp
from portal.blueprints.renewal.models import RenewalWindow
from portal.blueprints.renewal.services import exports
from portal.extensions import db
from portal.forms import EmptyForm
from portal.htmx import render_page_or_block
from portal.storage import as_attachment
from portal.web import int_arg, roles_required


def _attachment(response, ascii_name: str, name: str):
    return as_attachment(response, name, ascii_name)


@bp.get("/admin/applications.csv")
@roles_required(Role.secretariat)
def applications_csv():
    window_id = None
    if request.args.get("window"):
        window_id = int_arg("window")
        if window_id is None or exports.get_window(window_id) is None:
            abort(404)
    response = make_response(exports.applications_csv(window_id))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return _attachment(response, "renewal_applications.csv", exports.CSV_FILENAME)


@bp.get("/admin/verify")
@roles_required(Role.secretariat)
def verify():
    number = request.args.get("number", "")
    if not number.strip():
        return render_template("renewal/exports/verify.html", result=None, number="")
    result = exports.verify(number, g.rules.document_prefix)
    return render_template("renewal/exports/verify.html", result=result, number=result.number), (
        404 if result.error else 200)


@bp.get("/admin/windows")
@roles_required(Role.secretariat)
def export_windows():
    windows = list(db.session.scalars(select(RenewalWindow).order_by(RenewalWindow.opens_at.desc())))
    return render_template("renewal/exports/windows.html", windows=windows, form=EmptyForm())


@bp.post("/admin/windows/<int:window_id>/zip")
@roles_required(Role.secretariat)
def start_zip(window_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    window = exports.get_window(window_id)
    if window is None:
        abort(404)
    export_id = exports.start_zip(g.tenant.id, window.id)
    status = exports.zip_status(g.tenant.id, export_id) or exports.ZipStatus(export_id)
    response = render_page_or_block("renewal/exports/zip.html", "progress", 202,
                                    job=status, window=window)
    response.headers["X-Job-Id"] = export_id
    return response


def _status(job_id: str) -> exports.ZipStatus:
    status = exports.zip_status(g.tenant.id, job_id)
    if status is None:
        abort(404)
    return status


@bp.get("/admin/zip/<job_id>")
@roles_required(Role.secretariat)
def zip_progress(job_id: str):
    return render_page_or_block("renewal/exports/zip.html", "progress", job=_status(job_id),
                                window=None)


@bp.get("/admin/zip/<job_id>/download")
@roles_required(Role.secretariat)
def zip_download(job_id: str):
    status = _status(job_id)
    if not status.finished:
        abort(404)
    key = exports.zip_key(g.tenant.id, job_id)  # under this tenant's keys only
    response = objectstore.store().send(key, "application/zip")
    return _attachment(response, "sealed_scans.zip", "申請書・在籍証明書.zip")
