"""flask recruitment-close-rounds (cron, every 5 minutes)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("recruitment-close-rounds")
@with_appcontext
def recruitment_close_rounds() -> None:
    """Recruitment rounds whose 選考結果登録締切 has passed: 応募済 becomes 未設定 and 不採用/未設定
    applicants are 未応募 again, in every society, even if nobody opens a page (safe to run twice)."""
    from portal.blueprints.recruitment.services.secretariat import close_rounds_everywhere

    closed, failed = close_rounds_everywhere()
    click.echo(f"closed {closed} recruitment round(s)")
    if failed:
        raise click.ClickException(f"close-out failed for: {', '.join(failed)}")
