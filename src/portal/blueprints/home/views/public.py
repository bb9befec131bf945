"""What every page needs before anyone logs in: the language switch and the society's branding."""
from __future__ import annotations

from flask import (
    abort,
    current_app,
    g,
    make_response,
    redirect,
    request,
    send_from_directory,
    session,
    url_for,
)

from portal.blueprints.home import bp
from portal.i18n import LOCALES
from portal.urls import safe_next


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


@bp.get("/favicon.ico")
def favicon():
    """The society's icon (rules.toml branding.favicon, from its static folder), else the
    portal's. Browsers ask for /favicon.ico on every page; base.html links it too."""
    rules = g.get("rules")
    name = rules.branding.favicon if rules else None
    if name:
        folder = current_app.config["TENANTS_DIR"] / g.tenant.slug / "static"
    else:
        folder, name = current_app.static_folder, "favicon.svg"
    return send_from_directory(folder, name, max_age=86400)
