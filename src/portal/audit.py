"""Append-only audit events: who, in which role, did what, from which state to which, why."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from portal.db import Base, TenantScoped
from portal.extensions import db


class AuditImmutable(RuntimeError):
    pass


class AuditEvent(TenantScoped, Base):
    __tablename__ = "audit_events"
    # the audit viewer's filters by event and by subject (migration 0010)
    __table_args__ = (Index("ix_audit_events_tenant_action", "tenant_id", "action", "id"),
                      Index("ix_audit_events_tenant_entity", "tenant_id", "entity_type", "entity_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None]
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)


def record(
    action: str,
    entity: Any,
    *,
    actor: Any = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (flushed with the change it describes)."""
    event_row = AuditEvent(
        tenant_id=entity.tenant_id,
        actor_id=getattr(actor, "id", None),
        actor_role=getattr(actor, "role", None),
        action=action,
        # Not type(entity): views may hand services current_user, a LocalProxy.
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    db.session.add(event_row)
    return event_row


def history(entity_type: str, entity_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id)
        )
    )


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper: Any, connection: Any, target: AuditEvent) -> None:
    # The database refuses too (trigger and grants on PostgreSQL); this is the app's wall.
    raise AuditImmutable("audit events cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """update(AuditEvent) / delete(AuditEvent) skip the mapper events above (and SQLite has
    no grants or trigger), so statements are refused here too."""
    if (state.is_update or state.is_delete) and any(
            m.class_ is AuditEvent for m in state.all_mappers):
        raise AuditImmutable("audit events cannot be changed or deleted")
