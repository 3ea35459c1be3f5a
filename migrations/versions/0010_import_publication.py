"""organisation imports: which import created an organisation, and what was decided for them

Revision ID: 0010_import_publication
Revises: 0009_place_provenance
Create Date: 2026-12-06 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_import_publication'
down_revision = '0009_place_provenance'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organisation_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('publication', sa.String(length=10), nullable=False),
        sa.Column('notify', sa.Boolean(), nullable=False),
        sa.Column('organisations_created', sa.Integer(), nullable=False),
        sa.CheckConstraint("publication in ('accepted', 'pending')", name=op.f('ck_organisation_imports_publication')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_organisation_imports_actor_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_imports')),
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisations_import_id'), ['import_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_organisations_import_id_organisation_imports'),
                                    'organisation_imports', ['import_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_import_id_organisation_imports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organisations_import_id'))
        batch_op.drop_column('import_id')
    op.drop_table('organisation_imports')
