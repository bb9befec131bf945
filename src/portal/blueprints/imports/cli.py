"""flask import-people --tenant SLUG FILE [--dry-run]: the first load, from the shell. The
same reading, plan and apply as the secretariat's page; the same per-row report; exit
status 1 when any row has an error (the other rows are applied unless --dry-run)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db


def _report(batch, rows) -> None:
    from portal.blueprints.imports.services.rows import describe

    for row in rows:
        reasons = " ".join(describe(r) for r in row.reasons)
        notes = " ".join(describe(n) for n in row.notes)
        detail = reasons or ",".join(row.changes)
        click.echo(f"{row.line}\t{row.action}\t{row.key}\t{detail}\t{notes}".rstrip())
    if batch.unknown_columns:
        click.echo("unknown columns: " + ", ".join(batch.unknown_columns))
    counts = " ".join(f"{k}={batch.counts.get(k, 0)}" for k in ("create", "update", "unchanged", "error"))
    click.echo(f"rows={batch.total_rows} {counts}")


@click.command("import-people")
@with_appcontext
@click.option("--tenant", "slug", required=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="plan and report only; change nothing")
@click.option("--quiet", is_flag=True, help="only the error rows and the totals")
@click.option("--kind", type=click.Choice(["people", "roster"]), default="people",
              help="roster: the certified-member roster (会員番号, 氏名, 資格, 有効期間)")
def import_people(slug: str, file: Path, dry_run: bool, quiet: bool, kind: str) -> None:
    from portal.blueprints.imports.services import applying, batches
    from portal.errors import Refusal
    from portal.tenants.models import Tenant
    from portal.tenants.resolve import TenantRef, bind_tenant, primary_host
    from portal.tenants.scoping import system_scope

    app = current_app._get_current_object()
    with system_scope(db.session):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise click.ClickException(f"テナント {slug} が見つかりません。")
        ref = TenantRef(tenant.id, tenant.slug, tenant.name,
                        primary_host(tenant, app.config["BASE_DOMAIN"]))
    with app.test_request_context("/", base_url=f"http://{ref.primary_host}"):
        bind_tenant(ref)
        try:
            batch = batches.new_batch(ref.id, None, file.name, kind)
            batches.plan_file(batch, file)
            actions = ("error",) if quiet else None
            _report(batch, applying.stored_rows(batch.id, actions))
            failed = batch.has_errors
            if not dry_run:
                applying.apply_batch(None, batch)
                db.session.commit()
                click.echo(f"applied: batch {batch.id}")
            else:
                db.session.rollback()
                click.echo("dry run: nothing changed")
        except Refusal as exc:
            db.session.rollback()
            from portal.blueprints.imports.services.rows import describe

            raise click.ClickException(describe((exc.message, {}))) from exc
        if failed:
            raise SystemExit(1)
