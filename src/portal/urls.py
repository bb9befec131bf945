"""URL helpers shared by every feature: where a redirect may go, and links for mail."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, url_for


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: next=https://elsewhere, //elsewhere and /\\elsewhere are refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target



def external_url(endpoint: str, **values: object) -> str:
    """Links in mail use the tenant's configured host, never the request's Host header."""
    config = current_app.config
    port = config["EXTERNAL_PORT"]
    netloc = g.tenant.primary_host + (f":{port}" if port and port not in ("80", "443") else "")
    return f"{config['EXTERNAL_SCHEME']}://{netloc}{url_for(endpoint, **values)}"
