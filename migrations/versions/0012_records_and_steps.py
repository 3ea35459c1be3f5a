"""audit_events becomes audit_records, referral_events becomes referral_steps

« Event » is kept for the network meetings (coordination/events/); the audit trail holds records
and a referral's timeline holds steps (issue 16). The tables, their indexes, constraints and (on
PostgreSQL) id sequences are renamed; every row stays.

Revision ID: 0012_records_and_steps
Revises: 0011_place_address_optional
Create Date: 2026-12-07 00:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_records_and_steps'
down_revision = '0011_place_address_optional'
branch_labels = None
depends_on = None

# old name, new name, indexed columns, foreign keys (column, table referred to, ON DELETE)
TABLES = (
    ('audit_events', 'audit_records', ('actor_id', 'at'), (('actor_id', 'users', 'SET NULL'),)),
    ('referral_events', 'referral_steps', ('referral_id',),
     (('actor_id', 'users', 'SET NULL'), ('organisation_id', 'organisations', 'SET NULL'),
      ('referral_id', 'referrals', 'CASCADE'))),
)


def upgrade():
    for old, new, indexed, foreign_keys in TABLES:
        _rename(old, new, indexed, foreign_keys)


def downgrade():
    for old, new, indexed, foreign_keys in TABLES:
        _rename(new, old, indexed, foreign_keys)


def _rename(old: str, new: str, indexed: tuple, foreign_keys: tuple) -> None:
    """Renames the table and every name the naming convention derived from it (extensions.NAMING)."""
    fk_names = [(f'fk_{old}_{column}_{referred}', f'fk_{new}_{column}_{referred}')
                for column, referred, _on_delete in foreign_keys]
    if op.get_bind().dialect.name == 'postgresql':
        op.rename_table(old, new)
        op.execute(f'ALTER SEQUENCE IF EXISTS {old}_id_seq RENAME TO {new}_id_seq')
        for column in indexed:
            op.execute(f'ALTER INDEX ix_{old}_{column} RENAME TO ix_{new}_{column}')
        for before, after in [(f'pk_{old}', f'pk_{new}'), *fk_names]:
            op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT {before} TO {after}')
        return
    # SQLite keeps constraint names inside the table's definition: the table is copied once more.
    op.rename_table(old, new)
    with op.batch_alter_table(new, recreate='always') as batch_op:
        batch_op.drop_constraint(f'pk_{old}', type_='primary')
        batch_op.create_primary_key(f'pk_{new}', ['id'])
        for (before, after), (column, referred, on_delete) in zip(fk_names, foreign_keys, strict=True):
            batch_op.drop_constraint(before, type_='foreignkey')
            batch_op.create_foreign_key(after, referred, [column], ['id'], ondelete=on_delete)
        for column in indexed:
            batch_op.drop_index(f'ix_{old}_{column}')
            batch_op.create_index(f'ix_{new}_{column}', [column], unique=False)
