"""flask commands: create-tenant, add-domain, create-user, seed-demo, outbox-sweep, purge-staged."""
from __future__ import annotations

import time
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db
from portal.tenants.models import Tenant, TenantDomain
from portal.tenants.resolve import clear_cache
from portal.tenants.scoping import system_scope, tenant_scope


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"テナント {slug} が見つかりません。")
    return tenant


def ensure_tenant(slug: str, name: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        tenant = Tenant(slug=slug, name=name)
        db.session.add(tenant)
        db.session.flush()
    return tenant


def ensure_domain(tenant: Tenant, host: str, primary: bool = False) -> TenantDomain:
    host = host.lower()
    domain = db.session.scalar(select(TenantDomain).where(TenantDomain.host == host))
    if domain is None:
        domain = TenantDomain(tenant_id=tenant.id, host=host)
        db.session.add(domain)
    elif domain.tenant_id != tenant.id:
        raise click.ClickException(f"{host} は既に別のテナントに登録されています。")
    if primary:
        for other in tenant.domains:
            other.is_primary = False
        domain.is_primary = True
    db.session.flush()
    clear_cache()
    return domain


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
    from portal.blueprints.auth.models import User
    from portal.blueprints.auth.services import hash_password

    tenant = _tenant(slug)
    with tenant_scope(db.session, tenant.id):
        user = User(tenant_id=tenant.id, role=role, email=email, full_name=full_name,
                    login_id=login_id or email, password_hash=hash_password(password))
        db.session.add(user)
        db.session.commit()
        # inside the scope: reading the committed row again needs the tenant (RLS on PostgreSQL)
        click.echo(f"user {user.login_id} ({role}) in {slug}")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    from portal.demo import seed

    for line in seed():
        click.echo(line)


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
    """Delete files chosen on 次へ but never submitted."""
    from portal.db import utcnow
    from portal.storage import StoredFile, discard

    cutoff = utcnow() - timedelta(hours=older_than_hours)
    with system_scope(db.session):
        stale = db.session.scalars(select(StoredFile).where(
            StoredFile.state == "staged", StoredFile.created_at < cutoff)).all()
        for file in stale:
            discard(file)
            db.session.delete(file)
        db.session.commit()
    click.echo(f"purged {len(stale)} staged file(s)")


@click.command("renewal-daily")
@with_appcontext
@click.option("--date", "on", default=None, help="YYYY-MM-DD (default: today, Japan time)")
def renewal_daily(on: str | None) -> None:
    """連携施設の認定開始日: notify the core facilities (safe to run twice)."""
    from datetime import date

    from portal.blueprints.renewal.affiliation import notify_due_affiliations
    from portal.db import utcnow
    from portal.ui import to_jst

    today = date.fromisoformat(on) if on else to_jst(utcnow()).date()
    click.echo(f"notified {notify_due_affiliations(today)} affiliation(s)")


@click.command("recruitment-close-rounds")
@with_appcontext
def recruitment_close_rounds() -> None:
    """Recruitment rounds whose 選考結果登録締切 has passed: 応募済 becomes 未設定 and 不採用/未設定
    applicants are 未応募 again, in every society, even if nobody opens a page (safe to run twice)."""
    from portal.blueprints.recruitment.admin_services import close_rounds_everywhere

    closed, failed = close_rounds_everywhere()
    click.echo(f"closed {closed} recruitment round(s)")
    if failed:
        raise click.ClickException(f"close-out failed for: {', '.join(failed)}")


def init_app(app: Flask) -> None:
    from portal.benchdata import bench_data

    for command in (create_tenant, add_domain, create_user, seed_demo, outbox_sweep, purge_staged,
                    bench_data, renewal_daily, recruitment_close_rounds):
        app.cli.add_command(command)


def main() -> None:
    """`portal` console script: the flask CLI with this app."""
    from flask.cli import FlaskGroup

    from portal import create_app

    FlaskGroup(create_app=create_app)()
