"""A stored file, for whoever services.can_download lets see it (its owner, its reviewers)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.credentials import bp, services
from portal.extensions import db
from portal.storage import StoredFile, download_response
from portal.web import roles_required


@bp.get("/files/<int:file_id>")
@roles_required(Role.trainee, Role.program_director, Role.secretariat)
def download(file_id: int):
    file = db.session.get(StoredFile, file_id)
    if file is None or not services.can_download(current_user, file):
        abort(404)
    return download_response(file)
