"""renewal affiliation: facility_affiliations (the core facility's notice on the
certification start date), with the tenant_isolation RLS policy

Revision ID: 4a9c2e7d1b60
Revises: 8f7de451bd8b
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '4a9c2e7d1b60'
down_revision = '8f7de451bd8b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('facility_affiliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('affiliated_facility_id', sa.Integer(), nullable=False),
    sa.Column('core_facility_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('notify_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['affiliated_facility_id'], ['facilities.id'], name=op.f('fk_facility_affiliations_affiliated_facility_id_facilities')),
    sa.ForeignKeyConstraint(['application_id'], ['renewal_applications.id'], name=op.f('fk_facility_affiliations_application_id_renewal_applications')),
    sa.ForeignKeyConstraint(['core_facility_id'], ['facilities.id'], name=op.f('fk_facility_affiliations_core_facility_id_facilities')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_facility_affiliations_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_affiliations')),
    sa.UniqueConstraint('tenant_id', 'application_id', name=op.f('uq_facility_affiliations_tenant_id_application_id'))
    )
    with op.batch_alter_table('facility_affiliations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facility_affiliations_affiliated_facility_id'), ['affiliated_facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_facility_affiliations_core_facility_id'), ['core_facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_facility_affiliations_tenant_id'), ['tenant_id'], unique=False)
    _postgres_walls()


TENANT_TABLES = ['facility_affiliations']


def _postgres_walls():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"""CREATE POLICY tenant_isolation ON {table}
            USING (portal_all_tenants() OR tenant_id = portal_tenant_id())
            WITH CHECK (portal_all_tenants() OR tenant_id = portal_tenant_id())""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    with op.batch_alter_table('facility_affiliations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facility_affiliations_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_facility_affiliations_core_facility_id'))
        batch_op.drop_index(batch_op.f('ix_facility_affiliations_affiliated_facility_id'))
    op.drop_table('facility_affiliations')
