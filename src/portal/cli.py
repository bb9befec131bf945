"""Core flask commands: create-tenant, add-domain, create-user, outbox-sweep, purge-staged."""
from __future__ import annotations

import time
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db
from portal.tenants.models import Tenant
from portal.tenants.scoping import system_scope, tenant_scope
from portal.tenants.services import ensure_domain, ensure_tenant


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"テナント {slug} が見つかりません。")
    return tenant


@click.command("create-tenant")
@with_appcontext
@click.argument("slug")
@click.argument("name")
def create_tenant(slug: str, name: str) -> None:
    tenant = ensure_tenant(slug, name)
    ensure_domain(tenant, f"{slug}.{current_app.config['BASE_DOMAIN']}", primary=True)
    db.session.commit()
    click.echo(f"tenant {slug} (id {tenant.id})")


@click.command("add-domain")
@with_appcontext
@click.argument("slug")
@click.argument("host")
@click.option("--primary", is_flag=True, help="links in mail use this host")
def add_domain(slug: str, host: str, primary: bool) -> None:
    ensure_domain(_tenant(slug), host, primary)
    db.session.commit()
    click.echo(f"{host} -> {slug}")


@click.command("create-user")
@with_appcontext
@click.option("--tenant", "slug", required=True)
@click.option("--role", type=click.Choice(["trainee", "program_director", "facility_manager",
                                           "secretariat"]), required=True)
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--login-id", default=None)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(slug: str, role: str, email: str, full_name: str, login_id: str | None,
                password: str) -> None:
    from portal.accounts.models import User
    from portal.accounts.services import hash_password

    tenant = _tenant(slug)
    with tenant_scope(db.session, tenant.id):
        user = User(tenant_id=tenant.id, role=role, email=email, full_name=full_name,
                    login_id=login_id or email, password_hash=hash_password(password))
        db.session.add(user)
        db.session.commit()
        # inside the scope: reading the committed row again needs the tenant (RLS on PostgreSQL)
        click.echo(f"user {user.login_id} ({role}) in {slug}")


@click.command("outbox-sweep")
@with_appcontext
@click.option("--every", type=float, default=0, help="repeat every N seconds (0: once)")
def outbox_sweep(every: float) -> None:
    from portal.mail import sweep_outbox

    while True:
        click.echo(f"re-queued {sweep_outbox()} mail(s)")
        if not every:
            return
        time.sleep(every)


@click.command("purge-staged")
@with_appcontext
@click.option("--older-than-hours", type=int, default=24)
def purge_staged(older_than_hours: int) -> None:
    """Delete files chosen on 次へ but never submitted, and the bytes of superseded files
    past their society's retention period (the rows stay as tombstones)."""
    from portal.db import utcnow
    from portal.storage import StoredFile, discard, purge_superseded

    now = utcnow()
    cutoff = now - timedelta(hours=older_than_hours)
    with system_scope(db.session):
        stale = db.session.scalars(select(StoredFile).where(
            StoredFile.state == "staged", StoredFile.created_at < cutoff)).all()
        for file in stale:
            discard(file)
            db.session.delete(file)
        superseded = purge_superseded(now)
        db.session.commit()
    click.echo(f"purged {len(stale)} staged file(s), {superseded} superseded file(s)")


def init_app(app: Flask) -> None:
    """Core commands; each feature registers its own (portal.registry), and create_app adds
    the development data commands (portal.devdata)."""
    for command in (create_tenant, add_domain, create_user, outbox_sweep, purge_staged):
        app.cli.add_command(command)


def main() -> None:
    """`portal` console script: the flask CLI with this app."""
    from flask.cli import FlaskGroup

    from portal import create_app

    FlaskGroup(create_app=create_app)()
