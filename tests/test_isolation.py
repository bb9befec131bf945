"""The suite's own isolation (tests/conftest.py `db`): a test's commits stay inside its
transaction, and on PostgreSQL the sessions that share the test's connection each keep their
own tenant for row-level security."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from portal.accounts.models import User
from portal.extensions import db
from portal.tenants.models import Tenant
from portal.tenants.scoping import system_scope, tenant_scope


def _tenants_seen_from_outside(db_urls) -> int:
    engine = create_engine(db_urls["owner"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM tenants")).scalar()
    finally:
        engine.dispose()


def test_what_a_test_commits_is_seen_by_the_app_but_not_by_another_connection(app, world,
                                                                               db_urls):
    with app.app_context(), system_scope(db.session):
        assert db.session.scalar(select(func.count()).select_from(Tenant)) == 2
    assert _tenants_seen_from_outside(db_urls) == 0


@pytest.mark.committed
def test_a_committed_test_really_commits(app, world, db_urls):
    assert _tenants_seen_from_outside(db_urls) == 2


def test_an_inner_session_does_not_leave_its_tenant_to_the_one_it_interrupted(app, world,
                                                                              db_urls):
    if db_urls["dialect"] != "postgresql":
        pytest.skip("app.tenant_id and row-level security exist only on PostgreSQL")
    jsicm, jmsb = world.jsicm.tenant_id, world.jmsb.tenant_id
    with app.app_context(), tenant_scope(db.session, jsicm):
        outer = db.session()
        assert outer.scalar(select(func.count()).select_from(User)) == 4  # transaction open
        with app.app_context(), tenant_scope(db.session, jmsb):
            assert db.session() is not outer
            db.session.add(User(login_id="inner", role="trainee", email="inner@example.jp",
                                full_name="内側", password_hash="x"))
            db.session.commit()  # its SAVEPOINT is released with app.tenant_id = jmsb
        row = outer.execute(text("SELECT current_setting('app.tenant_id', true), "
                                 "(SELECT count(*) FROM users)")).one()
        assert tuple(row) == (str(jsicm), 4)
