"""The last 100 mails of this society's outbox, as the recipients would read them."""
from flask import render_template
from sqlalchemy import select

from portal.blueprints.devtools import bp
from portal.extensions import db
from portal.mail import OutboxMail


@bp.get("/mail")
def mailbox():
    mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(100))
    return render_template("devtools/mailbox.html", mails=list(mails))
