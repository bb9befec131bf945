from __future__ import annotations

from flask import (
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user, login_required

from portal.blueprints.auth.models import Role
from portal.blueprints.credentials import services as credentials
from portal.blueprints.home import bp, trainee_top
from portal.blueprints.home.menu import menu_for
from portal.blueprints.home.menu_list import menu_list
from portal.blueprints.home.services import open_tasks, visible_notices
from portal.blueprints.recruitment import services as recruitment
from portal.blueprints.registration import services as registration
from portal.blueprints.renewal import services as renewal
from portal.db import utcnow
from portal.i18n import LOCALES
from portal.views import safe_next

_UNLOCKED = "portal.case_entry_unlocked"  # per request: saves the top page one query


@bp.app_context_processor
def _menu() -> dict:
    user = current_user._get_current_object()  # one proxy lookup, not five
    if not user or not user.is_authenticated or g.get("tenant") is None:
        return {"menu": []}
    unlocked = request.environ.get(_UNLOCKED)  # the trainee top page already knows
    if unlocked is None:
        unlocked = (Role(user.role) is Role.trainee and g.rules.has_module("credentials")
                    and credentials.case_entry_unlocked(user))
    return {"menu": menu_for(user, g.rules, unlocked)}


bp.add_app_template_global(menu_list)


@bp.get("/")
@login_required
def index():
    role = Role(current_user.role)
    if (role is Role.facility_manager and g.rules.has_module("renewal")
            and current_user.facility_id is not None):  # JSPM マイページTOP (C-S03)
        screen = renewal.screen_for(current_user, utcnow())
        return render_template("renewal/top.html", screen=screen, **_lists())
    if g.rules.has_module("recruitment"):  # JMSB Online System+
        return _recruitment_top(role, _lists())
    if not g.rules.has_module("credentials"):
        return render_template("home/basic.html", **_lists())
    if role is Role.trainee:
        return _trainee_top()
    if role in (Role.program_director, Role.secretariat):
        counts = credentials.queue_counts(current_user)
        return render_template("home/reviewer.html", counts=counts, **_lists())
    return render_template("home/basic.html", **_lists())


def _lists() -> dict:
    """お知らせ and タスク, on every top page."""
    return {"notices": visible_notices(current_user), "tasks": open_tasks(current_user)}


def _trainee_top():
    """Kept whole, or its panels kept, while what they show is unchanged (home/trainee_top.py)."""
    def render(facts, panels) -> str:
        request.environ[_UNLOCKED] = facts.credential_status in credentials.UNLOCKING
        return render_template("home/trainee.html", panels=panels)

    return trainee_top.page(current_user._get_current_object(), render)[1]


def _recruitment_top(role: Role, common: dict):
    if role is Role.trainee:
        licence = registration.current_license(current_user)
        screen = recruitment.applicant_screen(current_user, licence_on_file=licence is not None)
        return render_template("home/recruitment.html", screen=screen, licence=licence, **common)
    if role in (Role.program_director, Role.secretariat):
        counts = recruitment.top_counts(current_user)
        return render_template("home/recruitment.html", counts=counts, **common)
    return render_template("home/basic.html", **common)


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in LOCALES:
        abort(400)
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


@bp.get("/tenant.css")
def tenant_css():
    """Branding as CSS variables (no inline styles: the CSP forbids them)."""
    b = g.rules.branding
    css = f":root{{--primary:{b.primary_color};--accent:{b.accent_color};}}\n"
    response = make_response(css)
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/tenant-assets/<path:name>")
def tenant_asset(name: str):
    folder = current_app.config["TENANTS_DIR"] / g.tenant.slug / "static"
    return send_from_directory(folder, name, max_age=3600)
