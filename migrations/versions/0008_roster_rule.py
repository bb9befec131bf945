"""JSPM roster rule (Q22, C-R16): society_members.qualification/valid_from/valid_to and
renewal_applications.roster_status/roster_unverified (member numbers the roster does not hold)

Revision ID: 8d4b1f6e2a93
Revises: 6c2f8a1e4d37
Create Date: 2026-12-02 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8d4b1f6e2a93'
down_revision = '6c2f8a1e4d37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('society_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qualification', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
    with op.batch_alter_table('renewal_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('roster_unverified', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('renewal_applications', schema=None) as batch_op:
        batch_op.drop_column('roster_unverified')
        batch_op.drop_column('roster_status')
    with op.batch_alter_table('society_members', schema=None) as batch_op:
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
        batch_op.drop_column('qualification')
