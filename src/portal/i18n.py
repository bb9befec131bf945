"""Japanese first (msgids are the manuals' Japanese wording); English through the en catalog.

Japanese needs no catalog. English comes from translations/en/LC_MESSAGES/messages.po,
compiled to .mo by scripts/setup or scripts/i18n (which also re-extracts and updates it).

Two ways a Python string reaches the screen translated:
* `N_("…")` marks a fixed string for extraction and returns it unchanged; the Japanese
  text is stored or passed along and the template translates it where it is shown
  (`_(item.label)`, `_(e)` for form errors, `_(message)` for flashes).
* `gettext("…%(name)s…", name=value)` (flask_babel) for a message built from values:
  it is translated when it is built, inside the request, in the request's language.
"""
from __future__ import annotations

from flask import Flask, g, has_request_context, session
from flask_babel import Babel, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from portal.extensions import babel

LOCALES = ("ja", "en")


def N_(s: str) -> str:
    """Mark a string for translation without translating it now."""
    return s


# Labels a society sets in tenants/<slug>/rules.toml that templates show through _()
# (auth.login_label). Listed here so the extractor puts them in the catalog.
TENANT_LABELS = (N_("メールアドレス"), N_("ログインID（会員番号）"))


def select_locale() -> str:
    if has_request_context() and session.get("lang") in LOCALES:
        return session["lang"]
    rules = g.get("rules") if has_request_context() else None
    return rules.locale_default if rules else "ja"


def _translations():
    """Flask-Babel's translations, looked up once per context instead of once per string
    (a review queue page has ~600 `_()` calls). Kept where flask_babel.refresh() clears it."""
    ctx = g.get("_flask_babel")
    cached = getattr(ctx, "babel_translations", None)
    if cached is None:
        cached = get_translations()
        ctx = g.get("_flask_babel")
        if ctx is not None:
            ctx.babel_translations = cached
    return cached


@pass_eval_context
def _template_gettext(eval_ctx, string: str, /, **variables):
    """What jinja's newstyle gettext does (translate, mark safe, then %-format with the values
    escaped), without its two context.call layers per `_()`: those cost 24 µs a call, and a
    list of 100 rows makes hundreds of calls. A string without `%` and without values is
    what `% {}` would give back, so the formatting is skipped only then."""
    rv = _translations().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables if variables or "%" in rv else rv


def init_app(app: Flask) -> None:
    translations = app.root_path + "/translations"
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translations)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Tokyo")
    # jinja needs a gettext here and wraps it in its newstyle layers; `gettext` and `_` are
    # then replaced by _template_gettext, which does the same work in one call
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(gettext=_template_gettext, _=_template_gettext)


__all__ = ["LOCALES", "N_", "Babel", "init_app", "select_locale"]
