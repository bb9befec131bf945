"""One refusal type, one answer (DESIGN.md rule 16, portal.errors): a Refusal rolls the request
back and shows its message (the page, or under htmx only the message, retargeted into the
page's message region); every other 4xx of an htmx request (CSRF, 403, 404, 413, 429) is
answered the same way, never with a whole error page inside a table row."""
from __future__ import annotations

import io

import pytest
from flask import request, url_for
from sqlalchemy import func, select

from portal import audit
from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.errors import Refusal
from portal.extensions import db
from portal.tenants.scoping import system_scope, tenant_scope

HX = {"HX-Request": "true"}
REFUSED = "テストの規則により受け付けできません。"
RENAMED = "書き換えられた名前"
STAND_IN = "home.set_language"  # POST /lang: a route with no login and no module gate


def _rename_then_refuse():
    """A view calling a service that changes a row and records it (flushed), then refuses."""
    user = db.session.get(User, int(request.form["user_id"]))
    user.full_name = RENAMED
    audit.record("registrant_updated", user, actor=None, reason="test")
    db.session.flush()
    mode = request.form["mode"]
    if mode == "back":
        raise Refusal(REFUSED).back_to(url_for("auth.login"))
    if mode == "page":  # the view's own page, rendered after the rollback
        raise Refusal(REFUSED, field="full_name").answer_with(lambda refused: (
            f"<p>{db.session.get(User, user.id).full_name}|{refused.message}|"
            f"{refused.field}</p>", refused.status))
    if mode == "missing":
        raise Refusal(REFUSED, 404)
    raise Refusal(REFUSED, 409)


@pytest.fixture
def site(app, jsicm, monkeypatch):
    """jsicm's client, with POST /lang standing in for a view whose service refuses (the
    session app takes no new routes once it has served a request; its view table does)."""
    monkeypatch.setitem(app.view_functions, STAND_IN, _rename_then_refuse)
    return jsicm


def stored(app, world) -> tuple[str, int]:
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        name = db.session.get(User, world.jsicm.trainee).full_name
    with app.app_context(), system_scope(db.session):
        return name, db.session.scalar(select(func.count(AuditEvent.id)))


def refuse(site, world, mode: str, headers=None):
    return site.post("/lang", {"mode": mode, "user_id": str(world.jsicm.trainee)},
                     headers=headers)


def assert_message_fragment(response, status: int, message: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:300]
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "HX-Request" in response.headers["Vary"]
    assert message in body and 'role="alert"' in body
    for page_part in ("<header", "<html", "<nav", "side-menu", "<footer"):
        assert page_part not in body, page_part


def test_refusal_answers_the_page_with_its_message_and_changes_nothing(app, world, site):
    before = stored(app, world)
    response = refuse(site, world, "plain")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert REFUSED in body and "<header" in body and 'id="messages"' in body
    assert "HX-Retarget" not in response.headers
    assert stored(app, world) == before and before[0] == "専攻医 テスト1"


def test_htmx_refusal_answers_only_the_message_region_and_rolls_back(app, world, site):
    before = stored(app, world)
    assert_message_fragment(refuse(site, world, "plain", HX), 409, REFUSED)
    assert stored(app, world) == before


def test_refusal_back_to_a_page_flashes_the_message_there(app, world, site):
    before = stored(app, world)
    response = refuse(site, world, "back")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    assert stored(app, world) == before  # a 303 commits: the handler rolled back first
    page = site.text("/login")
    assert REFUSED in page.split('id="messages"')[1].split("</div>")[0]
    assert_message_fragment(refuse(site, world, "back", HX), 422, REFUSED)
    assert stored(app, world) == before


def test_the_views_own_page_is_rendered_after_the_rollback(app, world, site):
    before = stored(app, world)
    for headers in (None, HX):
        response = refuse(site, world, "page", headers)
        assert response.status_code == 422  # a Refusal's default status
        assert response.get_data(as_text=True) == f"<p>専攻医 テスト1|{REFUSED}|full_name</p>"
        assert "HX-Request" in response.headers["Vary"]
    assert stored(app, world) == before


def test_a_404_refusal_is_any_404(app, world, site):
    before = stored(app, world)
    response = refuse(site, world, "missing")
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "ページが見つかりません。" in body
    assert REFUSED not in body
    assert_message_fragment(refuse(site, world, "missing", HX), 404, "ページが見つかりません。")
    assert stored(app, world) == before


# --- every 4xx of an htmx action: only the message, in the message region ---------------------

def _csrf(jsicm, client_for):
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    return director.client.post("/review/credentials/1/approve", data={"csrf_token": "forged"},
                                headers=HX)


def _forbidden(jsicm, client_for):
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")  # a trainee's action, with no id in the URL: 403
    return director.post("/credentials/submit", headers=HX, csrf_from="/")


def _missing_row(jsicm, client_for):
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")  # the service refuses: no such credential (404)
    return director.post("/review/credentials/999999/approve", headers=HX,
                         csrf_from="/review/credentials")


def _missing_page(jsicm, client_for):
    jsicm.login("jsicm-800014")
    return jsicm.post("/no/such/page", headers=HX, csrf_from="/")


def _too_large(jsicm, client_for):
    jsicm.login("jsicm-800014")
    token = jsicm.csrf("/credentials/upload")
    return jsicm.client.post("/credentials/upload", data={
        "csrf_token": token, "document_type": "specialist_certificate",
        "file": (io.BytesIO(b"%PDF-1.4\n" + b"0" * (12 * 1024 * 1024)), "証票.pdf")},
        content_type="multipart/form-data", headers=HX)


def _too_many(jsicm, client_for):
    for _ in range(5):
        assert jsicm.post("/login", {"identifier": "jsicm-800014", "password": "wrong"},
                          headers=HX).status_code == 400
    return jsicm.post("/login", {"identifier": "jsicm-800014", "password": "wrong"},
                      headers=HX)


@pytest.mark.parametrize("action, status, message", [
    (_csrf, 400, "リクエストの内容が正しくありません。"),
    (_forbidden, 403, "この操作を行う権限がありません。"),
    (_missing_row, 404, "ページが見つかりません。"),
    (_missing_page, 404, "ページが見つかりません。"),
    (_too_large, 413, "ファイルサイズが上限を超えています。"),
    (_too_many, 429, "短時間に操作が繰り返されたため"),
], ids=["csrf", "403", "404-refusal", "404-url", "413", "429"])
def test_htmx_4xx_is_only_the_message_for_the_message_region(jsicm, client_for, action, status,
                                                             message):
    assert_message_fragment(action(jsicm, client_for), status, message)


def test_the_same_4xx_without_htmx_is_still_the_whole_error_page(jsicm, client_for):
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    response = director.post("/credentials/submit", csrf_from="/")
    body = response.get_data(as_text=True)
    assert response.status_code == 403 and "<header" in body
    assert "この操作を行う権限がありません。" in body and "HX-Retarget" not in response.headers
    assert_message_fragment(director.post("/credentials/submit", headers=HX, csrf_from="/"),
                            403, "この操作を行う権限がありません。")


def test_the_banner_texts_for_app_js_are_in_the_pages_language(jsicm):
    page = jsicm.text("/login")
    assert 'data-msg-server="サーバーでエラーが発生しました。時間をおいて再度お試しください。"' in page
    assert 'data-msg-network="通信できませんでした。接続を確認して再度お試しください。"' in page
    jsicm.post("/lang", {"lang": "en", "next": "/login"})
    english = jsicm.text("/login")
    assert ('data-msg-server="An error occurred on the server. Please wait a while and try '
            'again."') in english
    assert ('data-msg-network="Could not reach the server. Please check your connection and '
            'try again."') in english
