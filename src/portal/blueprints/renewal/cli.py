"""flask renewal-daily (cron, once a day)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("renewal-daily")
@with_appcontext
@click.option("--date", "on", default=None, help="YYYY-MM-DD (default: today, Japan time)")
def renewal_daily(on: str | None) -> None:
    """連携施設の認定開始日: notify the core facilities (safe to run twice)."""
    from datetime import date

    from portal.blueprints.renewal.services.affiliation import notify_due_affiliations
    from portal.db import utcnow
    from portal.ui import to_jst

    today = date.fromisoformat(on) if on else to_jst(utcnow()).date()
    click.echo(f"notified {notify_due_affiliations(today)} affiliation(s)")
