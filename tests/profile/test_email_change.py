"""Notification e-mail change (A-W05, A-R12..A-R15, SECURITY.md 20, 21, 24): takes effect only
when the new address confirms; the old address is told; the member-system address stays."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.rows import outbox

OLD = "trainee@jsicm.example.jp"
NEW = "dumydumy@mail.sample"
MEMBER_SYSTEM = "member-system@jsicm.example.jp"
SUBJECT = "【icu_training】メールアドレス変更の受付"


def _trainee(app, world) -> User:
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        user = db.session.get(User, world.jsicm.trainee)
        db.session.expunge(user)
        return user


def _next(client, new: str = NEW, confirmation: str = NEW):
    return client.post("/profile", {"new_email": new, "new_email_confirmation": confirmation},
                       csrf_from="/profile")


def _register(client, new: str = NEW):
    return client.post("/profile/email", {"new_email": new, "new_email_confirmation": new},
                       csrf_from="/profile")


def _verify_path(app) -> str:
    [mail] = outbox(app, template="email_change_received")
    link = re.search(r"https?://\S+/profile/email/verify/\S+", mail.body).group(0)
    assert link.startswith("http://jsicm.localhost:5000/profile/email/verify/")
    return link.split(":5000", 1)[1]


@pytest.fixture
def trainee(app, world, jsicm):
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        db.session.execute(update(User).where(User.id == world.jsicm.trainee)
                           .values(member_system_email=MEMBER_SYSTEM))
        db.session.commit()
    jsicm.login("jsicm-800014")
    return jsicm


def _unchanged(app, world) -> None:
    user = _trainee(app, world)
    assert (user.email, user.member_system_email) == (OLD, MEMBER_SYSTEM)


def test_confirmation_field_is_marked_no_paste_on_jsicm(trainee):
    page = trainee.text("/profile")
    field = re.search(r'<input[^>]*name="new_email_confirmation"[^>]*>', page).group(0)
    assert "data-no-paste" in field
    assert "data-no-paste" not in re.search(r'<input[^>]*name="new_email"[^>]*>', page).group(0)


def test_mismatched_confirmation_is_refused_and_nothing_changes(app, world, trainee):
    response = _next(trainee, NEW, "dumydumy@mail.sampl")
    assert response.status_code == 400
    assert "確認用のメールアドレスが一致しません。" in response.get_data(as_text=True)
    # Posting straight to 登録 with a mismatch is refused too.
    bad = trainee.post("/profile/email", {"new_email": NEW, "new_email_confirmation": OLD},
                       csrf_from="/profile")
    assert bad.status_code == 400
    assert "確認用のメールアドレスが一致しません。" in bad.get_data(as_text=True)
    assert outbox(app) == []
    _unchanged(app, world)


def test_same_address_as_now_is_refused(app, world, trainee):
    response = _next(trainee, OLD.upper(), OLD.upper())
    assert response.status_code == 400
    assert "現在のメールアドレスと同じです。" in response.get_data(as_text=True)
    assert outbox(app) == []


def test_next_shows_the_confirm_screen_and_changes_nothing(app, world, trainee):
    response = _next(trainee)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登録情報の確認" in page and NEW in page and OLD in page and "登録" in page
    assert outbox(app) == []
    _unchanged(app, world)


def test_register_mails_the_new_address_and_changes_nothing_yet(app, world, trainee):
    _next(trainee)
    response = _register(trainee)
    assert response.status_code == 200
    assert SUBJECT in response.get_data(as_text=True)
    [mail] = outbox(app, template="email_change_received")
    assert (mail.to_addr, mail.subject) == (NEW, SUBJECT)
    _verify_path(app)
    _unchanged(app, world)
    assert OLD in trainee.text("/profile")


def test_opening_the_link_shows_a_button_and_only_post_confirms(app, world, trainee, client_for):
    _register(trainee)
    path = _verify_path(app)
    scanner = client_for("jsicm.localhost")  # a mail scanner prefetching the link
    page = scanner.get(path)
    assert page.status_code == 200 and "変更を確定する" in page.get_data(as_text=True)
    _unchanged(app, world)

    done = trainee.post(path, {}, csrf_from=path)
    assert done.status_code == 200
    assert f"通知メールの配信先を {NEW} に変更しました。" in done.get_data(as_text=True)
    user = _trainee(app, world)
    assert (user.email, user.member_system_email) == (NEW, MEMBER_SYSTEM)
    [notice] = outbox(app, template="email_changed_notice")
    assert notice.to_addr == OLD and NEW in notice.body


def test_confirmation_link_works_once(app, world, trainee):
    _register(trainee)
    path = _verify_path(app)
    token = trainee.csrf(path)
    assert trainee.post(path, {"csrf_token": token}).status_code == 200
    again = trainee.post(path, {"csrf_token": token})
    assert again.status_code == 400 and "無効" in again.get_data(as_text=True)
    assert len(outbox(app, template="email_changed_notice")) == 1


def test_email_change_is_audited_with_actor_and_role(app, world, trainee):
    _register(trainee)
    path = _verify_path(app)
    trainee.post(path, {}, csrf_from=path)
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "users").order_by(AuditEvent.id)).all()
        trail = [(e.action, e.actor_id, e.actor_role, e.entity_id) for e in events]
    t = world.jsicm.trainee
    assert trail == [("email_change_requested", t, "trainee", t), ("email_changed", t, "trainee", t)]
