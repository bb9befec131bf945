"""The registrant's 医師免許証 page and its files."""
from __future__ import annotations

from flask import abort, flash, g, request
from flask_login import current_user

from portal.accounts import licences
from portal.accounts.models import Role
from portal.blueprints.registration import bp
from portal.blueprints.registration.forms import LicenseForm
from portal.blueprints.registration.services import registrant as services
from portal.htmx import hx_redirect, render_page_or_block
from portal.i18n import N_
from portal.storage import download_response
from portal.upload_checks import UploadRejected
from portal.web import roles_required, upload_rate_limit, uploads_to

REGISTERED_EMAIL = "registration_email"  # shown on the 完了 page after the redirect



@bp.route("/license", methods=["GET", "POST"])
@uploads_to(services.SLOT)
@roles_required(Role.trainee)
@upload_rate_limit
def license():
    form = LicenseForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            services.upload_license(current_user, form.file.data, form.provisional.data, g.rules)
            flash(N_("医師免許証をアップロードしました。"), "info")
            return hx_redirect("registration.license")
        except (services.LicenseError, UploadRejected) as exc:
            form.file.errors.append(exc.message)
            status = exc.status
    current = licences.current_license(current_user)
    return render_page_or_block(
        "registration/license.html", "license_form", status, form=form, current=current,
        history=licences.license_history(current_user), slot=g.rules.upload(services.SLOT),
        blocked=services.upload_block_reason(current))


@bp.get("/license/files/<int:license_id>")
@roles_required(Role.trainee, Role.secretariat)
def license_file(license_id: int):
    license_ = services.license_for_download(current_user, license_id)
    if license_ is None:
        abort(404)
    return download_response(license_.file)
