"""The central tenant filter. Every ORM statement touching a tenant-owned table is
limited to the session's tenant; with no tenant set it raises (fails closed).

Jobs and CLI commands that really work across tenants (the outbox sweeper) say so
with `system_scope()`, which is visible in code review and in the PostgreSQL policy.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from portal.db import TenantScoped

ALL_TENANTS = "all"
_KEY = "tenant_id"


class TenantScopeError(RuntimeError):
    """A tenant-owned table was queried or written with no tenant in scope."""


def set_session_tenant(session: Any, tenant_id: int | str | None) -> None:
    session.info[_KEY] = tenant_id
    _set_pg_setting(session, tenant_id)


def session_tenant(session: Any) -> int | str | None:
    return session.info.get(_KEY)


@contextmanager
def system_scope(session: Any) -> Iterator[None]:
    previous = session_tenant(session)
    set_session_tenant(session, ALL_TENANTS)
    try:
        yield
        session.flush()  # what was written in this scope is checked against this scope
    finally:
        set_session_tenant(session, previous)


@contextmanager
def tenant_scope(session: Any, tenant_id: int) -> Iterator[None]:
    previous = session_tenant(session)
    set_session_tenant(session, tenant_id)
    try:
        yield
        session.flush()  # what was written in this scope is checked against this scope
    finally:
        set_session_tenant(session, previous)


def _touches_tenant_tables(state: ORMExecuteState) -> bool:
    """Mapped entities, and also tables named only in a FROM or a subquery
    (`select(func.count()).select_from(...)` has no mappers at all)."""
    if any(issubclass(m.class_, TenantScoped) for m in state.all_mappers):
        return True
    return any(t in _scoped_tables() for t in find_tables(state.statement, include_crud=True))


@cache
def _scoped_tables() -> frozenset:
    return frozenset(m.local_table for m in _all_scoped_mappers())


def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_relationship_load or state.is_column_load:
        return  # the criteria of the parent statement propagate to these loads
    if not _touches_tenant_tables(state):
        return
    tenant_id = session_tenant(state.session)
    if tenant_id is None:
        raise TenantScopeError("query on a tenant-owned table with no tenant in scope")
    if tenant_id == ALL_TENANTS:
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
        )
    )


def _stamp_and_check(session: Session, flush_context: Any, instances: Any) -> None:
    tenant_id = session_tenant(session)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if tenant_id is None:
            raise TenantScopeError(f"writing {type(obj).__name__} with no tenant in scope")
        if obj.tenant_id is None and tenant_id != ALL_TENANTS:
            obj.tenant_id = tenant_id
        if tenant_id != ALL_TENANTS and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"{type(obj).__name__} belongs to another tenant")
        _check_parents(obj)
        _check_foreign_keys(session, obj)


def _scoped_mapper_for(table: Any) -> Any:
    return next((m for m in _all_scoped_mappers() if m.local_table is table), None)


def _all_scoped_mappers() -> list[Any]:
    from portal.db import Base

    return [m for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)]


def _check_foreign_keys(session: Session, obj: TenantScoped) -> None:
    """Ids set directly (no relationship loaded) are checked too: the parent row must be
    visible in the child's tenant. A parent already in the session costs no query."""
    state = inspect(obj)
    for column in state.mapper.columns:
        for fk in column.foreign_keys:
            parent = _scoped_mapper_for(fk.column.table)
            if parent is None:
                continue
            key = state.mapper.get_property_by_column(column).key
            value = getattr(obj, key)
            if value is None or (state.persistent and not state.attrs[key].history.added):
                continue
            _require_same_tenant(session, parent, value, obj.tenant_id, f"{type(obj).__name__}.{key}")


def _require_same_tenant(session: Session, parent: Any, parent_id: Any, tenant_id: int,
                         what: str) -> None:
    cached = session.identity_map.get(parent.identity_key_from_primary_key((parent_id,)))
    if cached is not None:
        found = cached.tenant_id
    else:
        with session.no_autoflush:  # scoped: another tenant's parent is simply not found
            found = session.execute(
                select(parent.class_.tenant_id).where(parent.primary_key[0] == parent_id)).scalar()
    if found != tenant_id:
        raise TenantScopeError(f"{what} points at a row outside its tenant")


def _check_parents(obj: TenantScoped) -> None:
    """A child row can never point at another tenant's parent (loaded relationships)."""
    state = inspect(obj)
    for rel in state.mapper.relationships:
        if rel.direction.name != "MANYTOONE" or not issubclass(rel.mapper.class_, TenantScoped):
            continue
        parent = state.attrs[rel.key].loaded_value
        if isinstance(parent, TenantScoped) and parent.tenant_id not in (None, obj.tenant_id):
            raise TenantScopeError(f"{type(obj).__name__}.{rel.key} points at another tenant")


def _set_pg_setting(session: Any, tenant_id: int | str | None) -> None:
    """Second wall on PostgreSQL: row-level security reads app.tenant_id."""
    session.info["pg_tenant"] = "" if tenant_id is None else str(tenant_id)
    real = session.registry() if hasattr(session, "registry") else session  # scoped_session
    if real.in_transaction():
        _apply_pg_setting(real, None, real.connection())


# app.tenant_id is set for the connection (set_config(..., false)), and the value the
# connection carries is remembered on it, so a request whose tenant is the one its pooled
# connection last served sends no statement for it (a round trip on every request before).
# The memory is dropped whenever the server may have undone the setting (a rollback of the
# transaction that set it), and a connection that no session claimed for this transaction
# (raw engine use) is reset to no tenant before its first statement: it fails closed.
_CARRIES = "portal.pg_tenant"
_CLAIMED = "portal.pg_claimed"


def _apply_pg_setting(session: Session, transaction: Any, connection: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    _set_connection_tenant(connection, session.info.get("pg_tenant", ""))
    connection.info[_CLAIMED] = True


def _set_connection_tenant(connection: Any, value: str) -> None:
    carried = connection.connection.info  # per DBAPI connection, kept across checkouts
    if carried.get(_CARRIES) == value:
        return
    carried.pop(_CARRIES, None)  # unknown until the statement has run
    connection.exec_driver_sql("SELECT set_config('app.tenant_id', %(v)s, false)", {"v": value})
    carried[_CARRIES] = value


def _unclaimed(connection: Any) -> None:
    """Every transaction starts unclaimed; a session's after_begin claims it."""
    connection.info[_CLAIMED] = False


def _fail_closed(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
    if connection.info.get(_CLAIMED, True):
        return
    connection.info[_CLAIMED] = True
    _set_connection_tenant(connection, "")


def _forget(connection: Any, *args: Any) -> None:
    if not connection.invalidated:
        connection.connection.info.pop(_CARRIES, None)


def _forget_on_reset(dbapi_connection: Any, record: Any, reset_state: Any = None) -> None:
    """The pool rolls back what is still open when a connection comes back."""
    status = getattr(getattr(dbapi_connection, "info", None), "transaction_status", 0)
    if status and record is not None:  # not IDLE: a transaction is about to be undone
        record.info.pop(_CARRIES, None)


def install_pg_memory(engine: Any) -> None:
    if engine.dialect.name != "postgresql" or event.contains(engine, "begin", _unclaimed):
        return
    event.listen(engine, "begin", _unclaimed)
    event.listen(engine, "before_cursor_execute", _fail_closed)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "rollback_savepoint", _forget)
    event.listen(engine, "reset", _forget_on_reset)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "do_orm_execute", _scope_statement):
        event.listen(session_class, "do_orm_execute", _scope_statement)
        event.listen(session_class, "before_flush", _stamp_and_check)
        event.listen(session_class, "after_begin", _apply_pg_setting)
