"""organisations: description, what the organisation does in its own words

Asked when it joins the network and shown to coordinators in the moderation queue (issue 18, item 3).

Revision ID: 0017_organisation_description
Revises: 0016_mail_reply_to
Create Date: 2026-12-07 04:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_organisation_description'
down_revision = '0016_mail_reply_to'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=1000), nullable=True))


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('description')
