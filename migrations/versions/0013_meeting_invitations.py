"""meetings: the coordinator who created a meeting (the ORGANIZER of its invitations), and the
organisations invited (every active organisation, or a chosen list) for series and meetings

Meetings of a series take their series' creator; everything existing invites every organisation.

Revision ID: 0013_meeting_invitations
Revises: 0012_records_and_steps
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_meeting_invitations'
down_revision = '0012_records_and_steps'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invite_all', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invite_all', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_foreign_key(batch_op.f('fk_meetings_created_by_id_users'), 'users', ['created_by_id'], ['id'],
                                    ondelete='SET NULL')
    op.execute("UPDATE meetings SET created_by_id = (SELECT created_by_id FROM meeting_series "
               "WHERE meeting_series.id = meetings.series_id) WHERE series_id IS NOT NULL")
    for table, owner, referred in (('meeting_series_organisations', 'series_id', 'meeting_series'),
                                   ('meeting_organisations', 'meeting_id', 'meetings')):
        op.create_table(
            table,
            sa.Column(owner, sa.Integer(), nullable=False),
            sa.Column('organisation_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([owner], [f'{referred}.id'], name=op.f(f'fk_{table}_{owner}_{referred}'),
                                    ondelete='CASCADE'),
            sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                    name=op.f(f'fk_{table}_organisation_id_organisations'), ondelete='CASCADE'),
            sa.PrimaryKeyConstraint(owner, 'organisation_id', name=op.f(f'pk_{table}')),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    for table in ('meeting_organisations', 'meeting_series_organisations'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_organisation_id'))
        op.drop_table(table)
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetings_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('invite_all')
        batch_op.drop_column('created_by_id')
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.drop_column('invite_all')
