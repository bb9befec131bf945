"""outbox_mails.message_id: the Message-ID made when a mail is queued, sent on every
attempt; outbox_mails.resolve_at_send: the worker makes the content (or drops the mail)

Revision ID: 7d3a91c0e5f2
Revises: 8d4b1f6e2a93
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7d3a91c0e5f2'
down_revision = '8d4b1f6e2a93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('resolve_at_send', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_column('resolve_at_send')
        batch_op.drop_column('message_id')
