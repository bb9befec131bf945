"""Database down (issue 13 item 6): every page answers 503 「一時的に利用できません」 with a
Retry-After (not the unknown-host page), /_ready says not ready, /_health stays 200."""
from __future__ import annotations

import pytest

from portal import create_app
from portal.extensions import db, limiter
from portal.tenants.resolve import clear_cache
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.services import free_port


def unreachable_urls(tmp_path) -> dict[str, str]:
    return {
        "postgresql": f"postgresql+psycopg://portal_app@127.0.0.1:{free_port()}/portal",
        "sqlite": f"sqlite:///{tmp_path / 'no-such-dir' / 'portal.db'}",
    }


@pytest.fixture(params=["postgresql", "sqlite"])
def down_app(request, app_config, tmp_path):
    saved = dict(vars(limiter))  # Flask-Limiter keeps its storage on the extension object
    clear_cache()  # the tenant of a host must be looked up, not remembered
    broken = create_app({**app_config,
                         "SQLALCHEMY_DATABASE_URI": unreachable_urls(tmp_path)[request.param]})
    yield broken
    with broken.app_context():
        for engine in db.engines.values():
            engine.dispose()
    vars(limiter).update(saved)
    clear_cache()


@pytest.mark.parametrize("path", ["/", "/login", "/credentials/upload"])
def test_pages_answer_503_with_retry_after(down_app, path):
    response = TenantClient(down_app, "jsicm.localhost").get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert "一時的に利用できません" in page
    assert "このアドレスで運用されているシステムはありません" not in page


def test_post_login_answers_503(down_app):
    response = TenantClient(down_app, "jsicm.localhost").client.post(
        "/login", data={"identifier": "800014", "password": "x"})
    assert response.status_code in (400, 503)  # CSRF (no session) or the database: never 500


def test_readiness_probe_fails_and_health_stays_ok(down_app):
    client = down_app.test_client()
    ready = client.get("/_ready")
    assert ready.status_code == 503 and "database" in ready.get_data(as_text=True)
    assert "Retry-After" in ready.headers
    assert client.get("/_health").status_code == 200


def test_readiness_probe_passes_when_the_database_answers(app, world):
    response = app.test_client().get("/_ready", headers={"Host": "anything.example"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "ready\n"
