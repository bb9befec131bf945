"""Response headers every page gets, and per-request session/tenant binding."""
from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def bind_session_to_tenant() -> None:
    """A cookie minted on tenant A is anonymous on tenant B (same SECRET_KEY or not)."""
    tenant = g.get("tenant")
    if tenant is None:
        return
    owner = session.get("tenant_id")
    if owner is not None and owner != tenant.id:
        session.clear()


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    _add_hsts(headers)
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    response.vary.add("HX-Request")
    return response


def _add_hsts(headers) -> None:
    """Only when served over https. No includeSubDomains unless configured: each society is
    its own host, and the base domain may carry other sites that are not ours to pin."""
    config = current_app.config
    if config["EXTERNAL_SCHEME"] != "https":
        return
    value = f"max-age={config['HSTS_MAX_AGE']}"
    if config["HSTS_INCLUDE_SUBDOMAINS"]:
        value += "; includeSubDomains"
    headers.setdefault("Strict-Transport-Security", value)


def init_app(app: Flask) -> None:
    app.before_request(bind_session_to_tenant)
    app.after_request(add_headers)
