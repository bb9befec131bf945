"""one 症例レポート per case: case_reports.case_id's index becomes unique.

Revision ID: c15d3b8e6a47
Revises: a13f0c2d9e41
Create Date: 2026-12-02 16:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c15d3b8e6a47'
down_revision = 'a13f0c2d9e41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reports_case_id'))
        batch_op.create_index(batch_op.f('ix_case_reports_case_id'), ['case_id'], unique=True)


def downgrade():
    with op.batch_alter_table('case_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reports_case_id'))
        batch_op.create_index(batch_op.f('ix_case_reports_case_id'), ['case_id'], unique=False)
