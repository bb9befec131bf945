"""The trainee top page keeps its panels' HTML per user (portal.blueprints.credentials.queries),
keyed by what they show, read from the database on every request. These tests change, one
by one, everything the panels show (by the real review flow and by writing rows directly,
as another process or a script would) and check that the very next view shows it, that
the panels are rendered again only then, and that one user's panels never reach another.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import delete, select, update

from portal.accounts.models import User
from portal.blueprints.credentials.models import Credential
from portal.blueprints.credentials.queries import TEMPLATE
from portal.db import utcnow
from portal.directory.models import Facility
from portal.extensions import db
from portal.worklist.models import Notice, Task
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.credentials import submit_credential, upload_credential
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.rows import writing

PANELS = '<div class="panels">'


@pytest.fixture
def renders(app):
    """How many times the panels' template was rendered (a kept entry renders nothing)."""
    seen = []

    def record(sender, template, context, **extra):
        if template.name.endswith(TEMPLATE):
            seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def panels(client: TenantClient) -> str:
    page = client.text("/")
    assert PANELS in page, page[:500]
    return page[page.index(PANELS):page.index("</main>")]


def view(client: TenantClient, renders: list, rendered: bool) -> str:
    """GET / and check whether the panels were rendered afresh (True) or kept (False)."""
    before = len(renders)
    text = panels(client)
    assert len(renders) - before == (1 if rendered else 0), "panels rendered" if not rendered \
        else "panels served from the cache after a change"
    return text


def test_a_second_view_serves_the_kept_panels(app, world, jsicm, renders):
    jsicm.login("jsicm-800014")
    first = view(jsicm, renders, rendered=True)
    again = view(jsicm, renders, rendered=False)
    assert first == again
    assert "施設A" in again and "統括 太郎" in again and "証票をアップロードしてください。" in again


def test_the_review_flow_shows_at_once(app, world, jsicm, client_for, renders):
    jsicm.login("jsicm-800014")
    view(jsicm, renders, rendered=True)
    assert upload_credential(jsicm, pdf_bytes()).status_code == 303
    assert submit_credential(jsicm).status_code == 303
    text = view(jsicm, renders, rendered=True)
    assert "審査待ち" in text and "未処理のタスクはありません" in text  # the upload task closed
    view(jsicm, renders, rendered=False)

    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    with writing(app, world.jsicm.tenant_id) as session:
        credential_id = session.scalar(select(Credential.id))
    token = director.csrf("/review/credentials")
    response = director.client.post(f"/review/credentials/{credential_id}/return",
                                     data={"csrf_token": token, "reason": "画像が不鮮明です"},
                                     headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    text = view(jsicm, renders, rendered=True)
    assert "差戻し" in text and "画像が不鮮明です" in text and "証票をアップロードしてください。" in text

    with writing(app, world.jsicm.tenant_id) as session:  # as a script or another worker would
        session.execute(update(Credential).values(status="approved", review_comment=None))
    text = view(jsicm, renders, rendered=True)
    panels = text.split('id="notices-h"')[0]  # the return's own notice stays in お知らせ
    assert "承認済" in panels and "画像が不鮮明です" not in panels
    assert '<a href="/cases' in jsicm.text("/")  # the menu follows (case entry unlocked)


def test_notices_show_change_and_expire_at_once(app, world, jsicm, renders):
    jsicm.login("jsicm-800014")
    view(jsicm, renders, rendered=True)
    now = utcnow()
    with writing(app, world.jsicm.tenant_id) as session:
        session.add_all([
            Notice(title="研修説明会のお知らせ", body="", published_at=now - timedelta(days=1)),
            Notice(title="指導医向け", body="", audience="program_director",
                   published_at=now - timedelta(days=1)),
            Notice(title="来月のお知らせ", body="", published_at=now + timedelta(days=30)),
        ])
    text = view(jsicm, renders, rendered=True)
    assert "研修説明会のお知らせ" in text
    assert "指導医向け" not in text and "来月のお知らせ" not in text
    view(jsicm, renders, rendered=False)

    with writing(app, world.jsicm.tenant_id) as session:
        session.execute(update(Notice).where(Notice.title == "研修説明会のお知らせ")
                        .values(title="研修説明会（会場変更）"))
    assert "研修説明会（会場変更）" in view(jsicm, renders, rendered=True)

    with writing(app, world.jsicm.tenant_id) as session:
        session.execute(update(Notice).where(Notice.title == "来月のお知らせ")
                        .values(published_at=now - timedelta(minutes=1)))
    assert "来月のお知らせ" in view(jsicm, renders, rendered=True)

    with writing(app, world.jsicm.tenant_id) as session:
        session.execute(update(Notice).where(Notice.title == "来月のお知らせ")
                        .values(expires_at=utcnow()))  # expired by now, nothing else changed
    text = view(jsicm, renders, rendered=True)
    assert "来月のお知らせ" not in text and "研修説明会（会場変更）" in text


def test_names_tasks_and_language_show_at_once(app, world, jsicm, renders):
    jsicm.login("jsicm-800014")
    view(jsicm, renders, rendered=True)
    with writing(app, world.jsicm.tenant_id) as session:
        session.get(Facility, world.jsicm.facility).name = "施設A（新館）"
    assert "施設A（新館）" in view(jsicm, renders, rendered=True)
    with writing(app, world.jsicm.tenant_id) as session:
        session.get(User, world.jsicm.director).full_name = "統括 花子"
    assert "統括 花子" in view(jsicm, renders, rendered=True)
    with writing(app, world.jsicm.tenant_id) as session:
        session.execute(update(Task).values(title="証票審査のお願い"))  # edited in place
    assert "証票審査のお願い" in view(jsicm, renders, rendered=True)
    with writing(app, world.jsicm.tenant_id) as session:
        session.execute(update(Task).values(status="done"))
    assert "未処理のタスクはありません" in view(jsicm, renders, rendered=True)

    response = jsicm.post("/lang", {"lang": "en"}, csrf_from="/")
    assert response.status_code == 302
    text = view(jsicm, renders, rendered=True)
    assert "Current Enrollment" in text and "在籍状況" not in text


def test_panels_are_kept_per_user_and_never_shown_to_another(app, world, factories, client_for,
                                                              renders):
    soc = world.jsicm
    other = factories.user(soc.tenant_id, "jsicm-800015", "trainee", full_name="専攻医 テスト2",
                           facility_id=soc.other_facility)
    factories.migrated_application(soc.tenant_id, other, soc.other_facility, soc.other_director)
    first, second = client_for("jsicm.localhost"), client_for("jsicm.localhost")
    first.login("jsicm-800014")
    second.login("jsicm-800015")
    mine, theirs = view(first, renders, rendered=True), view(second, renders, rendered=True)
    assert "施設A" in mine and "施設B" not in mine
    assert "施設B" in theirs and "統括 次郎" in theirs and "施設A" not in theirs
    assert view(first, renders, rendered=False) == mine
    assert view(second, renders, rendered=False) == theirs


def test_a_change_made_while_the_panels_render_is_not_kept(app, world, jsicm, renders,
                                                            monkeypatch):
    """The lists are read after the key. Were a render kept under the key read before a
    change it shows, undoing that change would bring the key back and the render with it."""
    from portal.worklist import services

    jsicm.login("jsicm-800014")
    open_tasks = services.open_tasks

    def a_new_task_then_open_tasks(user):
        db.session.add(Task(tenant_id=user.tenant_id, user_id=user.id, kind="upload_credential",
                            title="割り込みのタスク", endpoint=None, created_at=utcnow()))
        db.session.flush()
        return open_tasks(user)

    monkeypatch.setattr(services, "open_tasks", a_new_task_then_open_tasks)
    assert "割り込みのタスク" in view(jsicm, renders, rendered=True)
    monkeypatch.setattr(services, "open_tasks", open_tasks)
    with writing(app, world.jsicm.tenant_id) as session:
        session.execute(delete(Task).where(Task.title == "割り込みのタスク"))
    assert "割り込みのタスク" not in view(jsicm, renders, rendered=True)
    view(jsicm, renders, rendered=False)
