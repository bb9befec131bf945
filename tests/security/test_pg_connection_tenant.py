"""PostgreSQL: the tenant a pooled connection carries (portal.tenants.scoping).

app.tenant_id is set per connection and remembered on it, so most requests send no statement
for it. These tests pin the cases where the memory could lie, each with the app's own engine
and a single pooled connection (the same backend throughout, checked by its pid)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.accounts.models import User
from portal.extensions import db
from portal.tenants.scoping import set_session_tenant, tenant_scope

# What a pooled connection carries between the app's own transactions: no test transaction
# around them.
pytestmark = pytest.mark.committed


@pytest.fixture
def pg(app, db_urls, world):
    if db_urls["dialect"] != "postgresql":
        pytest.skip("row-level security exists only on PostgreSQL")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # one connection from here on: the next checkout is the same one
        yield world
        db.session.remove()


def _setting() -> tuple[int, str]:
    row = db.session.connection().execute(
        text("SELECT pg_backend_pid(), current_setting('app.tenant_id', true)")).one()
    return row[0], row[1]


def test_a_connection_used_outside_a_session_sees_no_tenant(pg):
    with tenant_scope(db.session, pg.jsicm.tenant_id):
        assert db.session.scalars(select(User.tenant_id)).all()
        pid, value = _setting()
        assert value == str(pg.jsicm.tenant_id)
        db.session.commit()
    db.session.remove()
    with db.engine.connect() as raw:
        assert raw.execute(text("SELECT pg_backend_pid()")).scalar() == pid
        assert raw.execute(text("SELECT count(*) FROM users")).scalar() == 0
        assert raw.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar() == ""


def test_a_tenant_set_in_a_rolled_back_transaction_is_set_again(pg):
    with tenant_scope(db.session, pg.jsicm.tenant_id):
        pid, _ = _setting()
        db.session.commit()  # the connection carries jsicm
    with tenant_scope(db.session, pg.jmsb.tenant_id):
        assert _setting() == (pid, str(pg.jmsb.tenant_id))
        db.session.rollback()  # the server puts jsicm back
    with tenant_scope(db.session, pg.jmsb.tenant_id):
        assert _setting() == (pid, str(pg.jmsb.tenant_id))
        tenants = set(db.session.execute(text("SELECT tenant_id FROM users")).scalars())
        assert tenants == {pg.jmsb.tenant_id}
        db.session.rollback()


def test_a_tenant_set_inside_a_rolled_back_savepoint_is_set_again(pg):
    session = db.session
    try:
        set_session_tenant(session, pg.jsicm.tenant_id)
        pid, _ = _setting()
        savepoint = session.begin_nested()
        set_session_tenant(session, pg.jmsb.tenant_id)
        assert _setting() == (pid, str(pg.jmsb.tenant_id))
        savepoint.rollback()  # the server is back on jsicm; the session still names jmsb
        session.commit()
        assert _setting() == (pid, str(pg.jmsb.tenant_id))  # a new transaction sets it again
        assert set(session.execute(text("SELECT tenant_id FROM users")).scalars()) == {
            pg.jmsb.tenant_id}
        session.rollback()
    finally:
        set_session_tenant(session, None)


def test_the_same_tenant_again_sends_no_statement(pg):
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    from sqlalchemy import event

    with tenant_scope(db.session, pg.jsicm.tenant_id):
        _setting()
        db.session.commit()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert _setting()[1] == str(pg.jsicm.tenant_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        db.session.rollback()
    assert not [s for s in statements if "set_config" in s], statements
