"""places: address and postcode may be unknown for a place placed by its coordinates

An imported place with a name and coordinates but no address (17 rows of the Bourgogne-Franche-Comté
file) is kept on the map and in searches instead of being rejected (issue 15); it stays out of the
open-data files, whose standard requires an address, until its address is filled in.

Revision ID: 0011_place_address_optional
Revises: 0010_import_publication
Create Date: 2026-12-06 22:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_place_address_optional'
down_revision = '0010_import_publication'
branch_labels = None
depends_on = None

COLUMNS = (('address', sa.String(length=250)), ('postcode', sa.String(length=5)))


def upgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=True)


def downgrade():
    # A place without an address cannot go back to the old schema: it is given an empty one.
    for name, _kind in COLUMNS:
        op.execute(sa.text(f"UPDATE places SET {name} = '' WHERE {name} IS NULL"))
    with op.batch_alter_table('places', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
