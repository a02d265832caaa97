"""indexes for the lead list's sort orders and date filters

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# name -> the sort column (each ends with id: the keyset tie-breaker)
INDEXES = {
    'ix_leads_tenant_score': 'score',
    'ix_leads_tenant_last_name': 'last_name',
    'ix_leads_tenant_updated': 'updated_at',
}


def upgrade() -> None:
    for name, column in INDEXES.items():
        op.create_index(name, 'leads', ['tenant_id', column, 'id'])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='leads')
