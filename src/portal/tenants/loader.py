"""Per-tenant template overrides: templates/tenants/<slug>/<path> replaces <path>.

Names are rewritten before Jinja's cache sees them, so the cache is keyed by tenant
(the same idea as CTFd's ThemeLoader). `extends` and `include` go through the same
`get_template`, so a society can override a partial, a mail or a printable form.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import g, has_app_context
from flask.templating import Environment


def _override_index(templates_dir: Path) -> dict[str, frozenset[str]]:
    root = templates_dir / "tenants"
    if not root.is_dir():
        return {}
    return {
        folder.name: frozenset(
            str(p.relative_to(folder)).replace("\\", "/") for p in folder.rglob("*") if p.is_file()
        )
        for folder in root.iterdir()
        if folder.is_dir()
    }


class TenantEnvironment(Environment):
    overrides: dict[str, frozenset[str]] = {}

    def tenant_name(self, name: str) -> str:
        if not isinstance(name, str) or name.startswith("tenants/"):
            return name
        tenant = g.get("tenant") if has_app_context() else None
        slug = getattr(tenant, "slug", None)
        if slug and name in self.overrides.get(slug, ()):
            return f"tenants/{slug}/{name}"
        return name

    def get_template(self, name: Any, parent: Any = None, globals: Any = None):  # noqa: A002
        return super().get_template(self.tenant_name(name), parent, globals)

    def select_template(self, names: Any, parent: Any = None, globals: Any = None):  # noqa: A002
        return super().select_template([self.tenant_name(n) for n in names], parent, globals)


def init_app(app: Any) -> None:
    TenantEnvironment.overrides = _override_index(Path(app.template_folder))
