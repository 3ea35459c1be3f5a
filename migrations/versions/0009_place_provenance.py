"""places: provenance of imported places (source, source_id) and every site_web URL (other_websites)

The places already imported with an id that could not be their public id keep it in
`external_id`: it becomes their `source_id` too.

Revision ID: 0009_place_provenance
Revises: 0008_search_log_words
Create Date: 2026-12-06 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_place_provenance'
down_revision = '0008_search_log_words'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('other_websites', sa.JSON(), nullable=False, server_default='[]'))
    op.execute("UPDATE places SET source_id = external_id WHERE external_id IS NOT NULL")
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.alter_column('other_websites', server_default=None)


def downgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_column('other_websites')
        batch_op.drop_column('source_id')
        batch_op.drop_column('source')
