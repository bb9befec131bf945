"""SECURITY.md 1-5: tenant isolation, proved against the whole URL map, the session cookie,
the ORM filter and (on PostgreSQL) row-level security as the app's own database role."""
from __future__ import annotations

import secrets
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

from portal.accounts.models import User
from portal.audit import AuditEvent, AuditImmutable
from portal.blueprints.credentials.models import TrainingStartApplication
from portal.extensions import db
from portal.tenants.scoping import TenantScopeError, system_scope, tenant_scope
from portal.worklist.models import Task
from tests.factories.helpers.security import JMSB_LOGINS, changes, fill, ids_for

FOREIGN_POST = {"reason": "probe", "status": "approved", "lang": "ja", "document_type":
                "specialist_certificate", "new_email": "x@example.jp",
                "new_email_confirmation": "x@example.jp", "email": "trainee@jsicm.example.jp"}


def _leaks(response, markers: list[str], url: str = "", echoed=()) -> list[str]:
    """Tenant-A markers in the answer; a page echoing the probed URL (language form) or the
    probe's own posted values is not a leak."""
    markers = [m for m in markers if m not in url]
    body = response.get_data(as_text=True)
    for value in echoed:
        body = body.replace(str(value), "")
    headers = str(response.headers)
    return [m for m in markers if m in body or m in headers or quote(m) in headers]


def _foreign_values(rule, arg: str, a) -> tuple[str, list]:
    conv = rule._converters[arg]
    if isinstance(conv, IntegerConverter):
        return "id", ids_for(arg, a.ids)
    if isinstance(conv, PathConverter):
        tid = a.tenant_id
        return "id", [a.file_key, f"{tid}/{a.file_key}", f"../{tid}/{a.file_key}",
                      f"%2e%2e/{tid}/{a.file_key}", "../jsicm/rules.toml"]
    if type(conv) is UnicodeConverter:
        return "token", a.tokens + [secrets.token_urlsafe(32)]
    raise AssertionError(f"{rule.rule}: no probe values for <{arg}> ({type(conv).__name__})")


def _urls(rule, a) -> tuple[str, list[str]]:
    """Every combination is not needed: each argument is varied with the others fixed."""
    if not rule.arguments:
        return "none", [rule.rule]
    kinds, per_arg = set(), {}
    for arg in rule.arguments:
        kind, values = _foreign_values(rule, arg, a)
        kinds.add(kind)
        per_arg[arg] = values
    base = {arg: values[0] for arg, values in per_arg.items()}
    urls = [fill(rule, {**base, arg: value}) for arg, values in per_arg.items() for value in values]
    return ("id" if "id" in kinds else "token"), urls


def _probe(client, method: str, url: str, token: str, a, hx: bool):
    headers = {"HX-Request": "true", "X-CSRFToken": token} if hx else {}
    if method == "GET":
        return client.client.get(url, headers=headers,
                                 query_string={"after": a.credential_id - 1, "id": a.file_id})
    data = {**FOREIGN_POST, "csrf_token": token, "tenant_id": a.tenant_id, "file_id": a.file_id,
            "owner_id": a.ids["users"][0], "trainee_id": a.ids["users"][0]}
    return client.client.post(url, data=data, headers=headers)


def test_every_route_role_and_foreign_id_answers_404_without_tenant_a_data(
        app, client_for, tenant_a, db_urls, tenant_b_has_every_module, snapshot):
    before = snapshot(tenant_a.tenant_id)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    id_rules = {r.rule for r in rules if r.arguments}
    covered, failures, requests, leaked, values = set(), [], 0, 0, set()
    for role, login in JMSB_LOGINS.items():
        for rule in rules:
            client = client_for("jmsb.localhost")
            client.login(login)
            token = client.csrf("/")
            kind, urls = _urls(rule, tenant_a)
            for method in sorted(rule.methods & {"GET", "POST"}):
                for url in urls:
                    for hx in (False, True):
                        response = _probe(client, method, url, token, tenant_a, hx)
                        requests += 1
                        values.add(url)
                        # What the probe itself posted may come back on any later page
                        # (a form shown again, the dev mailbox): that is not tenant-A data.
                        found = _leaks(response, tenant_a.markers, url, FOREIGN_POST.values())
                        leaked += bool(found)
                        # A random string is an invalid link (400) or an unknown object (404); never data.
                        ok = {"id": {404}, "token": {400, 404}}.get(kind)
                        if found or response.status_code >= 500 or (
                                ok and response.status_code not in ok):
                            failures.append((role, method, url, hx, response.status_code, found))
                        if kind != "none":
                            covered.add(rule.rule)
    share = len(covered & id_rules) / len(id_rules)
    print(f"\ntenant probe: {len(rules)} routes x {len(JMSB_LOGINS)} roles, "
          f"{len(values)} foreign URLs, {requests} requests, leaked {leaked}, "
          f"id-bearing routes covered {len(covered & id_rules)}/{len(id_rules)} = {share:.0%}")
    assert leaked == 0 and not failures, [f for f in failures if f[5]][:10] + failures[:30]
    assert share == 1.0
    assert changes(before, snapshot(tenant_a.tenant_id)) == {}  # tenant A untouched


def _session_cookie(client, app):
    return client.client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="jsicm.localhost")


@pytest.mark.parametrize("login", ["jsicm-800014", "jsicm-director", "jsicm-jimu"])
def test_session_cookie_from_tenant_a_is_anonymous_on_tenant_b(app, client_for, tenant_a, login,
                                                               tenant_b_has_every_module):
    owner = client_for("jsicm.localhost")
    owner.login(login)
    cookie = _session_cookie(owner, app)
    assert owner.get("/").status_code == 200
    replay = client_for("jmsb.localhost")
    replay.client.set_cookie(cookie.key, cookie.value, domain="jmsb.localhost")
    home = replay.get("/")
    assert home.status_code == 302 and "/login" in home.headers["Location"]
    download = replay.get(f"/files/{tenant_a.file_id}")
    assert download.status_code == 302 and "/login" in download.headers["Location"]
    for response in (home, download, replay.get("/login")):
        assert not _leaks(response, tenant_a.markers)
    assert owner.get("/").status_code == 200  # the cookie still works where it was issued


def test_orm_query_with_no_tenant_in_scope_raises(app, world):
    with app.app_context():
        with pytest.raises(TenantScopeError):
            db.session.scalars(select(User))
        with pytest.raises(TenantScopeError):
            db.session.get(User, world.jsicm.trainee)
        db.session.rollback()


def test_writing_a_row_for_tenant_b_while_scoped_to_tenant_a_raises(app, world):
    with app.app_context():
        with (pytest.raises(TenantScopeError, match="another tenant"),
              tenant_scope(db.session, world.jsicm.tenant_id)):
            db.session.add(Task(tenant_id=world.jmsb.tenant_id, user_id=world.jmsb.trainee,
                                kind="upload_credential", title="x"))
        db.session.rollback()


def test_child_row_pointing_at_another_tenants_parent_raises(app, world):
    with app.app_context():
        with system_scope(db.session):
            foreign_trainee = db.session.get(User, world.jmsb.trainee)
        with (pytest.raises(TenantScopeError, match="points at another tenant"),
              tenant_scope(db.session, world.jsicm.tenant_id)):
            db.session.add(TrainingStartApplication(
                tenant_id=world.jsicm.tenant_id, trainee=foreign_trainee,
                facility_id=world.jsicm.facility, program_director_id=world.jsicm.director,
                training_start_date=foreign_trainee.created_at.date()))
        db.session.rollback()


def test_orm_cannot_update_or_delete_an_audit_event(app, tenant_a):
    with app.app_context(), tenant_scope(db.session, tenant_a.tenant_id):
        event = db.session.scalars(select(AuditEvent)).first()
        event.action = "forged"
        with pytest.raises(AuditImmutable):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(AuditEvent)).first())
        with pytest.raises(AuditImmutable):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("statement", [update(AuditEvent).values(action="forged"),
                                       delete(AuditEvent)])
def test_orm_bulk_statements_cannot_change_audit_events(app, tenant_a, statement):
    with app.app_context(), tenant_scope(db.session, tenant_a.tenant_id):
        count = db.session.scalar(select(func.count(AuditEvent.id)))
        with pytest.raises(AuditImmutable):
            db.session.execute(statement.execution_options(synchronize_session=False))
        db.session.rollback()
        assert db.session.scalar(select(func.count(AuditEvent.id))) == count > 0
        assert "forged" not in db.session.scalars(select(AuditEvent.action)).all()


# --- PostgreSQL: row-level security as the app's own role (the second wall) -----------------

# Tests with app_conn are marked `committed`: it is a connection of its own, as the app's role.
@pytest.fixture
def app_conn(db_urls):
    if db_urls["dialect"] != "postgresql":
        pytest.skip("row-level security and grants exist only on PostgreSQL")
    engine = create_engine(db_urls["app"], poolclass=NullPool)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _as_tenant(conn, value: str | None) -> None:
    conn.rollback()
    if value is not None:
        conn.execute(text("SELECT set_config('app.tenant_id', :v, false)"), {"v": value})
    else:
        conn.execute(text("RESET app.tenant_id"))


@pytest.mark.committed
def test_pg_app_role_neither_owns_tables_nor_bypasses_rls(app_conn):
    row = app_conn.execute(text(
        "SELECT current_user, r.rolsuper, r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user"
    )).one()
    assert tuple(row) == ("portal_app", False, False)
    owners = app_conn.execute(text(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"))
    assert owners.scalar() == 0


@pytest.mark.committed
def test_pg_raw_sql_sees_only_the_tenant_in_scope(app_conn, tenant_a, world):
    _as_tenant(app_conn, str(world.jsicm.tenant_id))
    tenants = app_conn.execute(text("SELECT DISTINCT tenant_id FROM users")).scalars().all()
    assert tenants == [world.jsicm.tenant_id]
    assert app_conn.execute(text("SELECT count(*) FROM users")).scalar() == 4
    _as_tenant(app_conn, str(world.jmsb.tenant_id))
    assert app_conn.execute(text("SELECT count(*) FROM credentials")).scalar() == 0
    assert app_conn.execute(text("SELECT count(*) FROM stored_files")).scalar() == 0
    _as_tenant(app_conn, None)
    for table in ("users", "credentials", "stored_files", "audit_events", "outbox_mails"):
        assert app_conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table


@pytest.mark.committed
def test_pg_insert_for_another_tenant_is_refused_by_with_check(app_conn, world):
    _as_tenant(app_conn, str(world.jsicm.tenant_id))
    with pytest.raises(DBAPIError, match="row-level security"):
        app_conn.execute(text(
            "INSERT INTO facilities (tenant_id, name, created_at, updated_at) "
            "VALUES (:t, 'forged', now(), now())"), {"t": world.jmsb.tenant_id})


@pytest.mark.committed
@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'forged'",
                                       "DELETE FROM audit_events"])
def test_pg_app_role_cannot_change_audit_events(app_conn, tenant_a, statement):
    _as_tenant(app_conn, str(tenant_a.tenant_id))
    assert app_conn.execute(text("SELECT count(*) FROM audit_events")).scalar() > 0
    with pytest.raises(DBAPIError, match="permission denied|append-only"):
        app_conn.execute(text(statement))


@pytest.mark.parametrize("host", ["evil.localhost", "localhost", "jsicm.localhost.evil.example",
                                  "jsicm.evil.localhost", "127.0.0.1"])
def test_unknown_host_is_a_404_page_without_any_tenant_data(app, client_for, tenant_a, host):
    owner = client_for("jsicm.localhost")
    owner.login("jsicm-jimu")
    stranger = client_for(host)
    cookie = _session_cookie(owner, app)
    stranger.client.set_cookie(cookie.key, cookie.value, domain=host)
    markers = tenant_a.markers + ["jmsb", "日本専門医機構", "専攻医 テスト1"]
    for path in ("/", "/login", f"/files/{tenant_a.file_id}",
                 f"/review/credentials/{tenant_a.credential_id}", "/tenant.css", "/_dev/mail",
                 "/profile"):
        response = stranger.get(path)
        assert response.status_code == 404, path
        assert "このアドレスで運用されているシステムはありません。" in response.get_data(as_text=True)
        assert not _leaks(response, markers), path


def test_child_row_cannot_point_at_another_tenants_parent_by_id(app, world):
    """SECURITY 5 without a loaded relationship: a bare foreign-key id is checked too."""
    from portal.tenants.scoping import TenantScopeError
    from portal.worklist.models import Task

    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        db.session.add(Task(user_id=world.jsicm.trainee, kind="upload_credential",
                            title="x", status="open"))
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("shape", ["count_from", "count_subquery", "count_join"])
def test_counts_with_the_table_only_in_from_or_a_subquery_are_scoped(app, world, shape):
    """`select(func.count()).select_from(User)` has no mapped entity in its columns; the ORM
    wall must still limit it (and a subquery inside it) to the tenant in scope."""
    from portal.directory.models import Facility

    statements = {
        "count_from": select(func.count()).select_from(User),
        "count_subquery": select(func.count()).select_from(select(User.id).subquery()),
        "count_join": select(func.count()).select_from(User).join(
            Facility, User.facility_id == Facility.id),
    }
    with app.app_context():
        with tenant_scope(db.session, world.jsicm.tenant_id):
            own = db.session.scalar(select(func.count(User.id)).join(
                Facility, User.facility_id == Facility.id)) if shape == "count_join" else \
                db.session.scalar(select(func.count(User.id)))
            assert db.session.scalar(statements[shape]) == own
        with system_scope(db.session):
            assert db.session.scalar(statements[shape]) > own  # the other society has users too
