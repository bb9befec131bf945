"""Development mailbox: the outbox of this tenant, readable in the browser (DEV_MAILBOX only)."""
from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from portal.extensions import db
from portal.mail import OutboxMail
from portal.registry import Feature

bp = Blueprint("devtools", __name__, url_prefix="/_dev")


@bp.before_request
def _only_in_development():
    if not current_app.config.get("DEV_MAILBOX"):
        abort(404)


@bp.get("/mail")
def mailbox():
    mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(100))
    return render_template("devtools/mailbox.html", mails=list(mails))


FEATURE = Feature("devtools", bp)
