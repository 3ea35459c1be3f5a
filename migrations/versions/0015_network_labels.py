"""The network's own labels (issue 18, item 6): network_labels, and places.network_labels

Revision ID: 0015_network_labels
Revises: 0014_place_fee_condition
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_network_labels'
down_revision = '0014_place_fee_condition'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'network_labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
        sa.UniqueConstraint('name'),
    )
    with op.batch_alter_table('places') as batch_op:
        batch_op.add_column(sa.Column('network_labels', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('places') as batch_op:
        batch_op.drop_column('network_labels')
    op.drop_table('network_labels')
