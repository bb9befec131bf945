"""The one clock of the portal: now (UTC) and today (Japan time). Tests, the daily jobs'
--date option and a demo can pin it with the app's FIXED_NOW (an aware datetime), so every
date rule (due dates, reminders, lapse, certification) reads the same day."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context

JST = timezone(timedelta(hours=9))


def now() -> datetime:
    fixed = current_app.config.get("FIXED_NOW") if has_app_context() else None
    return fixed if fixed is not None else datetime.now(timezone.utc)


def today() -> date:
    """Today in Japan, where every society's deadlines fall."""
    return now().astimezone(JST).date()


def start_of_day(day: date) -> datetime:
    """00:00 Japan time of `day`, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=JST).astimezone(timezone.utc)
