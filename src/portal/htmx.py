"""htmx helpers: a partial is a named block of the full page (jinja2-fragments)."""
from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, url_for
from jinja2_fragments.flask import render_block

from portal.extensions import htmx


def render_page_or_block(template: str, block: str, status: int = 200, **context: Any) -> Response:
    """The same URL serves the full page, or only `block` when htmx asks for it."""
    if htmx and not htmx.boosted:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(endpoint: str, **values: Any) -> Response:
    """Redirect that works for htmx (HX-Redirect) and for plain forms (303)."""
    target = url_for(endpoint, **values)
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
    else:
        response = make_response("", 303)
        response.headers["Location"] = target
    response.vary.add("HX-Request")
    return response
