"""The logged-in user is read with one Core statement (auth/loader.py) and handed to the
session as if the ORM had loaded it: persistent, no pending changes, saved when changed,
relationships loaded on access, and nothing from another society."""
from __future__ import annotations

from sqlalchemy import inspect

from portal.accounts.loader import _load
from portal.accounts.models import User
from portal.extensions import db
from portal.tenants.scoping import tenant_scope


def test_the_user_is_persistent_clean_and_its_changes_are_saved(app, world):
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        user = _load(world.jsicm.trainee, world.jsicm.tenant_id)
        state = inspect(user)
        assert state.persistent and not db.session.dirty and not state.modified
        assert (user.login_id, user.full_name_kana) == ("jsicm-800014", "センコウイ テストイチ")
        assert user.created_at.tzinfo is not None  # the column types' processing applies
        assert user.facility.name == "施設A"  # loaded on access
        assert _load(world.jsicm.trainee, world.jsicm.tenant_id) is user  # identity map
        user.phone = "03-1234-5678"
        db.session.commit()
        db.session.expunge_all()
        assert db.session.get(User, world.jsicm.trainee).phone == "03-1234-5678"


def test_another_societys_user_id_loads_nobody(app, world):
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        assert _load(world.jmsb.trainee, world.jsicm.tenant_id) is None
        db.session.rollback()
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        _load(world.jsicm.trainee, world.jsicm.tenant_id)
        # already in the session, but asked for on another society's host: still nobody
        assert _load(world.jsicm.trainee, world.jmsb.tenant_id) is None
        db.session.rollback()


def test_a_page_after_login_shows_the_user_and_a_logout_ends_the_session(jsicm):
    jsicm.login("jsicm-800014")
    assert "専攻医 テスト1" in jsicm.text("/")
    jsicm.post("/logout", csrf_from="/")
    assert jsicm.get("/").status_code == 302
