"""personal notices: notices.user_id (an お知らせ for one user, e.g. 「証票が承認されました。」)

Revision ID: 6c2f8a1e4d37
Revises: 5b1e0c3d7a92
Create Date: 2026-12-02 14:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '6c2f8a1e4d37'
down_revision = '5b1e0c3d7a92'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notices_user_id_users'), 'users', ['user_id'], ['id'])
        batch_op.create_index('ix_notices_tenant_user', ['tenant_id', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_tenant_user')
        batch_op.drop_constraint(batch_op.f('fk_notices_user_id_users'), type_='foreignkey')
        batch_op.drop_column('user_id')
