"""Host header -> tenant, once per request, into g.tenant and g.rules."""
from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, abort, current_app, g, request
from sqlalchemy import select

from portal.extensions import db
from portal.tenants.models import Tenant, TenantDomain
from portal.tenants.rules import TenantRules, default_rules, load_all_rules
from portal.tenants.scoping import set_session_tenant

_CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, TenantRef | None]] = {}


@dataclass(frozen=True)
class TenantRef:
    """A plain snapshot: ORM rows never outlive the session that loaded them."""

    id: int
    slug: str
    name: str
    primary_host: str


def clear_cache() -> None:
    _cache.clear()


def host_of(raw: str) -> str:
    host = raw.strip().lower().rstrip(".")
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def _lookup(host: str) -> TenantRef | None:
    base = current_app.config["BASE_DOMAIN"]
    domain = db.session.scalar(select(TenantDomain).where(TenantDomain.host == host))
    tenant = domain.tenant if domain else None
    if tenant is None and host.endswith("." + base):
        slug = host[: -len(base) - 1]
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None or not tenant.is_active:
        return None
    return TenantRef(tenant.id, tenant.slug, tenant.name, primary_host(tenant, base))


def primary_host(tenant: Tenant, base: str) -> str:
    primary = next((d.host for d in tenant.domains if d.is_primary), None)
    return primary or f"{tenant.slug}.{base}"


def tenant_for_host(host: str) -> TenantRef | None:
    now = time.monotonic()
    hit = _cache.get(host)
    if hit and hit[0] > now:
        return hit[1]
    ref = _lookup(host)
    seconds = current_app.config.get("TENANT_CACHE_SECONDS", _CACHE_SECONDS)
    _cache[host] = (now + seconds, ref)
    return ref


def ref_for_id(tenant_id: int) -> TenantRef:
    """The snapshot of a tenant known by id (a job's argument), for bind_tenant."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    return TenantRef(tenant.id, tenant.slug, tenant.name,
                     primary_host(tenant, current_app.config["BASE_DOMAIN"]))


def rules_for(slug: str, name: str = "") -> TenantRules:
    rules = load_all_rules(current_app.config["TENANTS_DIR"]).get(slug)
    return rules or default_rules(slug, name or slug)


def bind_tenant(ref: TenantRef) -> None:
    g.tenant = ref
    g.rules = rules_for(ref.slug, ref.name)
    set_session_tenant(db.session, ref.id)


def resolve_tenant() -> None:
    if request.endpoint in ("static", "health", "ready", "metrics"):
        return
    ref = tenant_for_host(host_of(request.host))
    if ref is None:
        abort(404)
    bind_tenant(ref)


def init_app(app: Flask) -> None:
    load_all_rules(app.config["TENANTS_DIR"])  # fail at start-up, not at first request
    # First of all hooks, even those extensions registered earlier (CSRF reads the form,
    # which can raise 413): every hook after it, and every error page, knows the tenant.
    app.before_request_funcs.setdefault(None, []).insert(0, resolve_tenant)
