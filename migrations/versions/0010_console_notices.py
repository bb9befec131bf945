"""secretariat console (issue 15): notices the secretariat publishes are retired, not deleted,
and name who wrote them; the audit viewer filters events by action and date.

Revision ID: 7a3d5e9c1b20
Revises: 7d3a91c0e5f2
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a3d5e9c1b20'
down_revision = '7d3a91c0e5f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notices_created_by_id_users'), 'users',
                                    ['created_by_id'], ['id'])
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_tenant_action', ['tenant_id', 'action', 'id'],
                              unique=False)
        batch_op.create_index('ix_audit_events_tenant_entity',
                              ['tenant_id', 'entity_type', 'entity_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_tenant_entity')
        batch_op.drop_index('ix_audit_events_tenant_action')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notices_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('retired_at')
