"""Creating societies and their hosts (flask create-tenant, add-domain; the demo seed)."""
from __future__ import annotations

import click
from sqlalchemy import select

from portal.extensions import db
from portal.tenants.models import Tenant, TenantDomain
from portal.tenants.resolve import clear_cache


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
