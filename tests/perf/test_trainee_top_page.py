"""The trainee top page is also kept whole (credentials/queries.py `page`), under the panels' key
plus what the layout shows around them. Each test changes one of those inputs and checks the
very next view shows it; the panels' own inputs are covered by test_trainee_top_cache.py."""
from __future__ import annotations

import re

import pytest
from flask import template_rendered

from portal.accounts.models import User
from tests.factories.helpers.rows import writing


@pytest.fixture
def rendered(app):
    """Names of every template rendered (a kept page renders none)."""
    seen = []

    def record(sender, template, context, **extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_second_view_is_the_kept_page_and_renders_nothing(world, jsicm, rendered):
    jsicm.login("jsicm-800014")
    jsicm.text("/")  # a new session: this view makes the CSRF secret, so it is not kept
    first = jsicm.text("/")
    assert rendered
    rendered.clear()
    assert jsicm.text("/") == first
    assert rendered == []


def test_a_new_name_shows_at_once(app, world, jsicm):
    jsicm.login("jsicm-800014")
    jsicm.text("/")
    assert "専攻医 テスト1" in jsicm.text("/")
    with writing(app, world.jsicm.tenant_id) as session:
        session.get(User, world.jsicm.trainee).full_name = "専攻医 改姓"
    page = jsicm.text("/")
    assert "専攻医 改姓" in page and "専攻医 テスト1" not in page


def test_a_message_to_flash_shows_once(world, jsicm):
    jsicm.login("jsicm-800014")
    jsicm.text("/")
    jsicm.text("/")
    with jsicm.client.session_transaction(base_url="http://jsicm.localhost") as session:
        session["_flashes"] = [("info", "テストのお知らせです。")]
    assert "テストのお知らせです。" in jsicm.text("/")
    assert "テストのお知らせです。" not in jsicm.text("/")


def test_a_query_string_is_never_served_from_the_kept_page(world, jsicm, rendered):
    jsicm.login("jsicm-800014")
    jsicm.text("/")
    jsicm.text("/")
    rendered.clear()
    page = jsicm.text("/?from=mail")
    assert 'name="next" value="/?from=mail"' in page
    assert rendered


def test_a_new_session_gets_a_page_whose_token_it_can_use(world, jsicm):
    jsicm.login("jsicm-800014")
    jsicm.text("/")
    old = jsicm.text("/")
    jsicm.client.post("/logout", data={"csrf_token": _token(old)})
    jsicm.login("jsicm-800014")
    jsicm.text("/")
    page = jsicm.text("/")
    assert _token(page) != _token(old)
    response = jsicm.client.post("/logout", data={"csrf_token": _token(page)})
    assert response.status_code == 302
    assert jsicm.get("/").status_code == 302  # logged out: the token was this session's
