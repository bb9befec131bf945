"""Every society answers /favicon.ico (browsers ask for it on every page): its own icon from
rules.toml branding.favicon, else the portal's; every page links it."""
from __future__ import annotations

import pytest

from portal.tenants.rules import load_all_rules


@pytest.mark.parametrize("slug", ["jsicm", "jmsb", "jspm", "jsgt"])
def test_each_demo_society_has_its_own_icon(app, factories, client_for, slug):
    factories.tenant(slug, "学会")
    client = client_for(f"{slug}.localhost")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    colour = load_all_rules(app.config["TENANTS_DIR"])[slug].branding.primary_color
    assert colour.encode() in icon.data  # the society's own, not the portal's default
    assert 'rel="icon" href="/favicon.ico"' in client.get("/login").get_data(as_text=True)


def test_a_society_without_an_icon_gets_the_portals(factories, client_for):
    factories.tenant("abc", "日本テスト学会")
    icon = client_for("abc.localhost").get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
