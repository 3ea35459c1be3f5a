"""directory: open-data change feed and external ids

Revision ID: 0003_directory_open_data
Revises: 0002_directory_search
Create Date: 2026-11-23 17:05:10.207805

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_directory_open_data'
down_revision = '0002_directory_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_places_external_id'), ['external_id'])
    # Existing places enter the change feed at their last update.
    op.execute("UPDATE places SET changed_at = COALESCE(deleted_at, updated_at)")
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.alter_column('changed_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(batch_op.f('ix_places_changed_at'), ['changed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_places_external_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_places_changed_at'))
        batch_op.drop_column('changed_at')
        batch_op.drop_column('external_id')
