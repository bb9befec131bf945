"""Secretariat: upload a file, see its preview (htmx polls a large one's progress), confirm,
download the error rows as CSV. A batch of another society is a 404."""
from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.imports import bp
from portal.blueprints.imports.forms import UploadForm
from portal.blueprints.imports.services import batches
from portal.blueprints.imports.services.reading import Unreadable
from portal.blueprints.imports.services.rows import FIELD_LABELS, MissingColumns, describe
from portal.extensions import htmx
from portal.forms import EmptyForm
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.storage import as_attachment
from portal.web import int_arg, roles_required

SECRETARIAT = Role.secretariat
ACTIONS = ("create", "update", "unchanged", "error")


def _enabled() -> None:
    if not g.rules.imports.enabled:
        abort(404)


def _batch_or_404(batch_id: int):
    _enabled()
    batch = batches.get_batch(batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.get("")
@roles_required(SECRETARIAT)
def upload():
    _enabled()
    return render_template("imports/upload.html", form=UploadForm(), import_rules=g.rules.imports,
                           field_labels=FIELD_LABELS)


@bp.post("")
@roles_required(SECRETARIAT)
def preview():
    """Under htmx the preview is swapped in below the upload form (and its URL pushed);
    without JavaScript, a 303 to the preview page."""
    _enabled()
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        found = batches.start_preview(current_user, form.file.data, form.kind.data)
    except (Unreadable, MissingColumns) as exc:
        if not htmx:  # htmx: portal.errors puts the message in the page's message region
            exc.answer_with(lambda refused: (render_template(
                "imports/upload.html", form=form, import_rules=g.rules.imports,
                error=refused.message, field_labels=FIELD_LABELS), refused.status))
        raise
    target = url_for("imports.batch", import_batch_id=found.id)
    if not htmx:
        return redirect(target, 303)
    response = _preview(found, "", 0)
    response.headers["HX-Push-Url"] = target
    return response


def _preview(found, action: str, after: int):
    rows = batches.preview_rows(found.id, action or None, after)
    done, total = batches.progress(found)
    return render_page_or_block(
        "imports/batch.html", "preview", batch=found, rows=rows, action=action, after=after,
        done=done, total=total, describe=describe, form=EmptyForm(), actions=ACTIONS,
        field_labels=FIELD_LABELS)


@bp.get("/<int:import_batch_id>")
@roles_required(SECRETARIAT)
def batch(import_batch_id: int):
    found = _batch_or_404(import_batch_id)
    action = request.args.get("action", "")
    action = action if action in ACTIONS else ""
    return _preview(found, action, int_arg("after", minimum=0) or 0)


@bp.post("/<int:import_batch_id>/confirm")
@roles_required(SECRETARIAT)
def confirm(import_batch_id: int):
    found = _batch_or_404(import_batch_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    batches.confirm(current_user, found)
    if found.status == "applied":
        flash(N_("取込を確定しました。"), "info")
    return redirect(url_for("imports.batch", import_batch_id=found.id), 303)


@bp.get("/<int:import_batch_id>/errors.csv")
@roles_required(SECRETARIAT)
def errors_csv(import_batch_id: int):
    found = _batch_or_404(import_batch_id)
    response = make_response(batches.error_csv(found))
    response.mimetype = "text/csv"
    return as_attachment(response, f"取込エラー_{found.id}.csv", f"import_errors_{found.id}.csv")
