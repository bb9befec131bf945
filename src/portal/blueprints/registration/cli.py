"""flask registration-archive (cron, daily; it acts from 1 April)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("registration-archive")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day to run for (default: today in Japan time)")
@with_appcontext
def registration_archive(today) -> None:
    """Accounts registered in an earlier recruitment year that never applied are archived, so
    the doctor can register again (B-R05); the secretariat can undo it. Safe to run twice."""
    from portal.blueprints.registration.services.archive import archive_everywhere
    from portal.db import utcnow
    from portal.ui import to_jst

    day = today.date() if today else to_jst(utcnow()).date()
    done, failed = archive_everywhere(day)
    click.echo(f"archived {done} registration(s)")
    if failed:
        raise click.ClickException(f"archiving failed for: {', '.join(failed)}")
