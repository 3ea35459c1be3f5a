"""places: fee_details, the condition behind « Gratuit sous condition » or the prices

Partners fill it beside the fees; the place page shows it (issue 18, item 5). The standard 1.0.1
has no column for it, so the open-data files do not carry it.

Revision ID: 0014_place_fee_condition
Revises: 0013_meeting_invitations
Create Date: 2026-12-07 03:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_place_fee_condition'
down_revision = '0013_meeting_invitations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_details', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_column('fee_details')
