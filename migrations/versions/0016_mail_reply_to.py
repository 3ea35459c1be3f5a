"""messages: reply_to, where an answer to a message goes

A meeting invitation's answers go to the coordinator who organises it, a contact form's to the
person who wrote (issue 18, item 2); the sender stays the network's no-reply address.

Revision ID: 0016_mail_reply_to
Revises: 0015_network_labels
Create Date: 2026-12-07 04:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_mail_reply_to'
down_revision = '0015_network_labels'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
