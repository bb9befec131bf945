"""flask send-reminders (cron, once a day)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("send-reminders")
@with_appcontext
@click.option("--date", "on", default=None, help="YYYY-MM-DD (default: today, Japan time)")
def send_reminders(on: str | None) -> None:
    """期限: escalate overdue tasks and mail each person one digest for the day. Safe to run
    twice, or on several hosts at once: a person's digest of a day is sent once."""
    from datetime import date

    from portal import clock
    from portal.blueprints.deadlines.services import run_reminders

    today = date.fromisoformat(on) if on else clock.today()
    click.echo(f"sent {run_reminders(today, clock.now())} reminder mail(s)")
