"""The side menu's list of links, rendered once per (items, page, language) and kept per app.

Every page of a logged-in user renders the menu: about ten links, each with its label's
translation, url_for() and the current-page check, which is a fifth of the trainee top page's
CPU time. The HTML depends only on what is in the key: the items (frozen dataclasses, so
compared field by field), the path (aria-current), the language, the society (templates can be
overridden per society) and the script root (the links' prefix).
"""
from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, g, request
from flask_babel import get_locale
from markupsafe import Markup

TEMPLATE = "_menu_items.html"
MAX_ENTRIES = 1000  # (society, role, path, language) combinations a worker has served


def menu_list(menu: Sequence) -> Markup:
    tenant = g.get("tenant")
    try:
        key = (getattr(tenant, "slug", None), str(get_locale()), request.script_root,
               request.path, tuple(menu))
        hash(key)
    except TypeError:  # an item that cannot be compared by value is simply not kept
        return _render(menu)
    cache = current_app.extensions.setdefault("portal.menu_list", {})
    html = cache.get(key)
    if html is None:
        html = _render(menu)
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = html
    return html


def _render(menu: Sequence) -> Markup:
    template = current_app.jinja_env.get_template(TEMPLATE)
    return Markup(template.render(menu=menu, request=request))
