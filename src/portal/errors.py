"""One refusal type and one way to answer it (DESIGN.md rule 16).

A business rule that says no raises `Refusal(message, status, field)` (or a feature's subclass
of it); nothing catches it to roll back by hand. The app's handler (registered by create_app)
rolls the session back, then answers:

* the view's own page, when the view handed one over with `refusal.answer_with(render)`
  and re-raised
  (a form re-rendered with the message next to its field, a table row with the message in it):
  it is rendered after the rollback, so it shows what is really stored;
* for an htmx request, only the message, retargeted into the page's message region
  (`#messages` in base.html) instead of the element the action meant to replace;
* with `refusal.back_to(url)`, the message flashed on that page (303);
* otherwise the error page with the message.

Every other 4xx (CSRF, 403, 404, 413, 429, ...) of an htmx request is answered the same way,
so an error page (header, menu) never lands inside a table row. A Refusal with status 404 and
no page of its own answers as any 404 does: a row of another society looks exactly like a
missing page.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, NotFound

from portal.extensions import db, htmx
from portal.i18n import N_

MESSAGE_REGION = "#messages"  # base.html: the flash messages' region, role="alert" per message
GENERIC = "errors/error.html"
MESSAGES = {
    400: N_("リクエストの内容が正しくありません。画面を再読み込みして、もう一度お試しください。"),
    403: N_("この操作を行う権限がありません。"),
    404: N_("ページが見つかりません。"),
    405: N_("この操作はできません。"),
    413: N_("ファイルサイズが上限を超えています。ファイルを小さくしてから、もう一度お試しください。"),
    429: N_("短時間に操作が繰り返されたため、一時的に受け付けを停止しています。"
            "1分ほど待ってから、もう一度お試しください。"),
}
UNAVAILABLE = N_("一時的に利用できません。しばらく待ってから、もう一度お試しください。")
RETRY_AFTER_SECONDS = 30
OTHER = N_("エラーが発生しました。時間をおいて、もう一度お試しください。")


class Refusal(Exception):
    """A business rule refused the request; `message` is a Japanese msgid (N_, or a string
    gettext already built), translated where it is shown. `field` names the form field the
    message belongs to, when there is one."""

    status = 422

    def __init__(self, message: str, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status or type(self).status
        self.field = field
        self.render: Callable[[Refusal], ResponseReturnValue] | None = None
        self.location: str | None = None

    def answer_with(self, render: Callable[[Refusal], ResponseReturnValue]) -> Refusal:
        """Answer with the view's own page: `render(refusal)`, called after the rollback."""
        self.render = render
        return self

    def back_to(self, location: str) -> Refusal:
        """Answer a plain form post with a 303 to `location`, the message flashed there."""
        self.location = location
        return self


def _fragment(message: str, status: int) -> Response:
    """Only the message, swapped into the page's message region whatever the action's target."""
    response = make_response(render_template("errors/_message.html", message=message), status)
    response.headers["HX-Retarget"] = MESSAGE_REGION
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _answered(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response


def http_error(exc: HTTPException):
    """Every 4xx/5xx HTTPException (abort(), CSRF, 413 from the form parser, 429, ...)."""
    if request.endpoint == "static" or exc.code is None or exc.code < 400:
        return exc
    if exc.response is not None:  # answered already, e.g. a Refusal from a rate limit's on_breach
        return exc.response
    if g.get("tenant") is None:
        return render_template("errors/no_tenant.html", exc=exc), exc.code
    message = _too_large_for_slot() if exc.code == 413 else None
    message = message or MESSAGES.get(exc.code, OTHER)
    if htmx and exc.code < 500:
        return _answered(_fragment(message, exc.code))
    return _answered(make_response(render_template(GENERIC, code=exc.code, message=message),
                                   exc.code))


def _too_large_for_slot() -> str | None:
    """A body over MAX_CONTENT_LENGTH sent to an upload view: the limit of the slot the file was
    meant for (5MB以下 for a certificate, 10MB未満 for a licence), not a generic sentence."""
    from portal.storage import too_large_message  # storage imports this module
    from portal.web import upload_slot_of

    slot = upload_slot_of(current_app.view_functions.get(request.endpoint or ""))
    rules = g.get("rules")
    if slot is None or rules is None or slot not in rules.uploads:
        return None
    return too_large_message(rules.uploads[slot])


def refusal(exc: Refusal):
    """The one place a Refusal becomes a response: roll back, then answer (see the module)."""
    db.session.rollback()
    if exc.render is not None:
        return _answered(make_response(exc.render(exc)))
    if exc.status == 404:
        return http_error(NotFound())
    if htmx:
        return _answered(_fragment(exc.message, exc.status))
    if exc.location is not None:
        flash(exc.message, "error")
        return _answered(redirect(exc.location, 303))
    return _answered(make_response(
        render_template(GENERIC, code=exc.status, message=exc.message), exc.status))


def database_unavailable(exc: Exception):
    """The database cannot be reached (refused, unopenable, pool exhausted): a 503 the client
    may retry, not a 500, and not the unknown-host page that a failed tenant lookup would
    otherwise show. The page is self-contained: nothing on it may ask the database again."""
    current_app.logger.error("database unavailable: %s", exc)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the session is dropped anyway
        pass
    # Whoever is logged in cannot be read now; the response hooks must not try again.
    g._login_user = current_app.login_manager.anonymous_user()
    response = make_response(render_template("errors/unavailable.html", message=UNAVAILABLE),
                             503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    for database_error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(database_error, database_unavailable)
    app.register_error_handler(Refusal, refusal)
