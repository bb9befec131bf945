"""Japanese first (msgids are the manuals' Japanese wording); English through the en catalog."""
from __future__ import annotations

from flask import Flask, g, has_request_context, session
from flask_babel import Babel

from portal.extensions import babel

LOCALES = ("ja", "en")


def select_locale() -> str:
    if has_request_context() and session.get("lang") in LOCALES:
        return session["lang"]
    rules = g.get("rules") if has_request_context() else None
    return rules.locale_default if rules else "ja"


def init_app(app: Flask) -> None:
    translations = app.root_path + "/translations"
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translations)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Tokyo")


__all__ = ["Babel", "LOCALES", "init_app", "select_locale"]
