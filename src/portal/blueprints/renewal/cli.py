"""flask renewal-daily (cron, once a day)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("renewal-daily")
@with_appcontext
@click.option("--date", "on", default=None, help="YYYY-MM-DD (default: today, Japan time)")
def renewal_daily(on: str | None) -> None:
    """認定開始日: 合格 -> 認定 and the core facilities' notices; 失効 of applications not
    submitted in a closed window. Safe to run twice, or on two hosts at once."""
    from datetime import date

    from portal import clock
    from portal.blueprints.renewal.services.outcome import run_daily

    today = date.fromisoformat(on) if on else clock.today()
    certified, notified, lapsed = run_daily(today, clock.now())
    click.echo(f"certified {certified}, notified {notified} affiliation(s), lapsed {lapsed}")
