"""deadlines (issue 19): tasks.due_on / escalated_at, reminder_logs (one digest per person per
day), users.reminder_mail, the JSPM outcome (renewal_applications.certification_start_date,
failure_reason; facility_affiliations.acknowledged_*), and the affiliation task's page.
RLS on the new tenant table on PostgreSQL.

Revision ID: e17b5d0a3c69
Revises: c15d3b8e6a47
Create Date: 2026-12-02 16:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e17b5d0a3c69'
down_revision = 'c15d3b8e6a47'
branch_labels = None
depends_on = None

TENANT_TABLES = ['reminder_logs']


def upgrade():
    op.create_table('reminder_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_reminder_logs_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_logs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_logs')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'day', name=op.f('uq_reminder_logs_tenant_id_user_id_day'))
    )
    with op.batch_alter_table('reminder_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_logs_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_tasks_tenant_status_due_on', ['tenant_id', 'status', 'due_on'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_mail', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('renewal_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certification_start_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('failure_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('facility_affiliations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_facility_affiliations_acknowledged_by_id_users'), 'users', ['acknowledged_by_id'], ['id'])

    # A start date recorded before 合格 carried one lived only on the affiliation; the
    # affiliation tasks opened without a page get theirs (renewal.affiliation).
    op.execute("""UPDATE renewal_applications SET certification_start_date = (
        SELECT notify_on FROM facility_affiliations
        WHERE facility_affiliations.application_id = renewal_applications.id)
        WHERE certification_start_date IS NULL""")
    op.execute("UPDATE tasks SET endpoint = 'renewal.affiliation' "
               "WHERE kind = 'affiliation_request' AND endpoint IS NULL")
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
    with op.batch_alter_table('facility_affiliations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_facility_affiliations_acknowledged_by_id_users'), type_='foreignkey')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
    with op.batch_alter_table('renewal_applications', schema=None) as batch_op:
        batch_op.drop_column('failure_reason')
        batch_op.drop_column('certification_start_date')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reminder_mail')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_tenant_status_due_on')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('due_on')
    with op.batch_alter_table('reminder_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_logs_tenant_id'))
    op.drop_table('reminder_logs')
