"""external ids of accounts and contacts (CSV import relations)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ('accounts', 'contacts')
LIVE_WITH_ID = sa.text('deleted_at IS NULL AND external_id IS NOT NULL')


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('external_id', sa.String(100), nullable=True))
        # unique among the tenant's live records only: a binned record keeps its id
        op.create_index(
            f'ux_{table}_tenant_external_id',
            table,
            ['tenant_id', 'external_id'],
            unique=True,
            postgresql_where=LIVE_WITH_ID,
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f'ux_{table}_tenant_external_id', table_name=table)
        op.drop_column(table, 'external_id')
