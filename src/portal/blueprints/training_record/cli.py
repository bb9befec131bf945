"""flask training-enrol (cron, daily)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("training-enrol")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day to enrol for (default: today in Japan time)")
@with_appcontext
def training_enrol(today) -> None:
    """採用 applicants whose program year has begun become enrolled trainees (在籍), with a
    mail, in every society with the training record; safe to run twice or on two hosts."""
    from portal.blueprints.training_record.services.enrolment import enrol_everywhere
    from portal.db import utcnow
    from portal.ui import to_jst

    day = today.date() if today else to_jst(utcnow()).date()
    enrolled, failed = enrol_everywhere(day)
    click.echo(f"enrolled {enrolled} trainee(s)")
    if failed:
        raise click.ClickException(f"enrolment failed for: {', '.join(failed)}")
