"""review queue indexes leading with tenant_id

The secretariat's queue (tenant, status, id) and a director's (tenant, facility, status, id)
read their keyset pages and capped counts straight from an index, whatever the table size.

Revision ID: 3c1f0b7a9d42
Revises: 6250200577bf
Create Date: 2026-11-21 13:35:00
"""
from alembic import op

revision = '3c1f0b7a9d42'
down_revision = '6250200577bf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.create_index('ix_credentials_tenant_status_id',
                              ['tenant_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_credentials_tenant_facility_status_id',
                              ['tenant_id', 'facility_id', 'status', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_index('ix_credentials_tenant_facility_status_id')
        batch_op.drop_index('ix_credentials_tenant_status_id')
