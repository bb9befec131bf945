"""jmsb recruitment: recruitment_programs, recruitment_rounds, recruitment_applications
(one open application per person and year, a partial unique index), medical_licenses, the
registrant's 生年月日/address/phone and one account per 医籍登録番号; RLS policies

Revision ID: 5b1e0c3d7a92
Revises: 4a9c2e7d1b60
Create Date: 2026-11-21 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c3d7a92'
down_revision = '4a9c2e7d1b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recruitment_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('start_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decisions_close_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_recruitment_rounds_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_rounds')),
    sa.UniqueConstraint('tenant_id', 'start_fiscal_year', 'seq', name=op.f('uq_recruitment_rounds_tenant_id_start_fiscal_year_seq'))
    )
    with op.batch_alter_table('recruitment_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_rounds_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('recruitment_programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('specialty', sa.String(length=40), nullable=False),
    sa.Column('core_facility_id', sa.Integer(), nullable=False),
    sa.Column('director_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('start_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['core_facility_id'], ['facilities.id'], name=op.f('fk_recruitment_programs_core_facility_id_facilities')),
    sa.ForeignKeyConstraint(['director_id'], ['users.id'], name=op.f('fk_recruitment_programs_director_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_recruitment_programs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_programs'))
    )
    with op.batch_alter_table('recruitment_programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_programs_core_facility_id'), ['core_facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_programs_director_id'), ['director_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_programs_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('medical_licenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('is_provisional', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.String(length=500), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_medical_licenses_file_id_stored_files')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_medical_licenses_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['medical_licenses.id'], name=op.f('fk_medical_licenses_supersedes_id_medical_licenses')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_medical_licenses_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_medical_licenses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_medical_licenses'))
    )
    with op.batch_alter_table('medical_licenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_medical_licenses_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_medical_licenses_user_id'), ['user_id'], unique=False)

    op.create_table('recruitment_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('start_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('track', sa.String(length=20), nullable=False),
    sa.Column('curriculum_ground', sa.String(length=40), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('withdrawal_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_recruitment_applications_applicant_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_recruitment_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['recruitment_programs.id'], name=op.f('fk_recruitment_applications_program_id_recruitment_programs')),
    sa.ForeignKeyConstraint(['round_id'], ['recruitment_rounds.id'], name=op.f('fk_recruitment_applications_round_id_recruitment_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_recruitment_applications_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['withdrawal_decided_by_id'], ['users.id'], name=op.f('fk_recruitment_applications_withdrawal_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_applications'))
    )
    with op.batch_alter_table('recruitment_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_applications_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_applications_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_applications_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_recruitment_applications_tenant_round_program_id', ['tenant_id', 'round_id', 'program_id', 'id'], unique=False)
        batch_op.create_index('ix_recruitment_applications_tenant_status_id', ['tenant_id', 'status', 'id'], unique=False)
        batch_op.create_index('uq_recruitment_applications_one_open', ['tenant_id', 'applicant_id', 'start_fiscal_year'], unique=True, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=30), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_tenant_id_medical_registration_number'), ['tenant_id', 'medical_registration_number'])
    _postgres_walls()


TENANT_TABLES = ['recruitment_rounds', 'recruitment_programs', 'medical_licenses',
                 'recruitment_applications']


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
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_tenant_id_medical_registration_number'), type_='unique')
        batch_op.drop_column('phone')
        batch_op.drop_column('address')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('birth_date')

    with op.batch_alter_table('recruitment_applications', schema=None) as batch_op:
        batch_op.drop_index('uq_recruitment_applications_one_open', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index('ix_recruitment_applications_tenant_status_id')
        batch_op.drop_index('ix_recruitment_applications_tenant_round_program_id')
        batch_op.drop_index(batch_op.f('ix_recruitment_applications_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_applications_round_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_applications_program_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_applications_applicant_id'))

    op.drop_table('recruitment_applications')
    with op.batch_alter_table('medical_licenses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_medical_licenses_user_id'))
        batch_op.drop_index(batch_op.f('ix_medical_licenses_tenant_id'))

    op.drop_table('medical_licenses')
    with op.batch_alter_table('recruitment_programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruitment_programs_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_programs_director_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_programs_core_facility_id'))

    op.drop_table('recruitment_programs')
    with op.batch_alter_table('recruitment_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruitment_rounds_tenant_id'))

    op.drop_table('recruitment_rounds')
