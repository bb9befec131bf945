"""The link the secretariat's e-mail change sends to the new address (SECURITY.md 20): GET only
shows a button (mail scanners prefetch links), POST makes the change. No login: the link is
the proof that the address receives mail."""
from __future__ import annotations

from flask import render_template

from portal.accounts.services import TokenInvalid, peek_token
from portal.blueprints.renewal import bp
from portal.blueprints.renewal.services import email_change
from portal.blueprints.renewal.services.applications import RenewalError
from portal.forms import EmptyForm


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    form = EmptyForm()
    try:
        if not form.validate_on_submit():
            pending = peek_token(token, email_change.PURPOSE)
            return render_template("renewal/email_confirm.html", form=form,
                                   new_email=pending.new_email)
        account = email_change.confirm(token)
    except TokenInvalid as exc:
        return render_template("auth/token_invalid.html", message=exc.message), 400
    except RenewalError as exc:
        return render_template("auth/token_invalid.html", message=exc.message), exc.status
    return render_template("renewal/email_confirmed.html", email=account.email)
