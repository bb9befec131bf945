"""training periods (issue 16 item 2): enrollments.rotation, and period_changes
(所属研修施設変更・休止登録) with RLS on PostgreSQL.

Revision ID: a13f0c2d9e41
Revises: 5c1e0a7b3d12
Create Date: 2026-12-02 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13f0c2d9e41'
down_revision = '5c1e0a7b3d12'
branch_labels = None
depends_on = None

TENANT_TABLES = ['period_changes']


def upgrade():
    # NULL on the rows already there: the society's first rotation (rules.training), which
    # a migration cannot read
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rotation', sa.String(length=40), nullable=True))

    op.create_table('period_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('rotation', sa.String(length=40), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason_code', sa.String(length=40), nullable=True),
    sa.Column('reason_detail', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_period_changes_approver_id_users')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_period_changes_enrollment_id_enrollments')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_period_changes_facility_id_facilities')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_period_changes_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_period_changes_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_period_changes_trainee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_changes'))
    )
    with op.batch_alter_table('period_changes', schema=None) as batch_op:
        batch_op.create_index('ix_period_changes_tenant_approver_status_id', ['tenant_id', 'approver_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_period_changes_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_period_changes_tenant_status_id', ['tenant_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_period_changes_tenant_trainee_id', ['tenant_id', 'trainee_id', 'id'], unique=False)
    _postgres_walls()


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
    with op.batch_alter_table('period_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_period_changes_tenant_trainee_id')
        batch_op.drop_index('ix_period_changes_tenant_status_id')
        batch_op.drop_index(batch_op.f('ix_period_changes_tenant_id'))
        batch_op.drop_index('ix_period_changes_tenant_approver_status_id')
    op.drop_table('period_changes')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_column('rotation')
