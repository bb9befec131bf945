"""What every template can use: branding, footer, dates in Japan time, status badges."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_babel import get_locale

JST = ZoneInfo("Asia/Tokyo")


def to_jst(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(JST)


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_jst(value)
    return value.strftime("%Y/%m/%d")


def fmt_mmdd(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_jst(value)
    return value.strftime("%m/%d")


def fmt_datetime(value: datetime | None) -> str:
    local = to_jst(value)
    return local.strftime("%Y/%m/%d %H:%M") if local else ""


def _context() -> dict:
    rules = g.get("rules")
    if rules is None:
        return {}
    year = datetime.now(JST).year
    return {"rules": rules, "branding": rules.branding, "footer_text": rules.branding.footer(year)}


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.globals["get_locale"] = get_locale
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_mmdd, "mmdd")
    app.add_template_filter(fmt_datetime, "datetime")
