"""lead conversion lineage

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ('converted_account_id', 'converted_contact_id', 'converted_deal_id'):
        op.add_column('leads', sa.Column(column, sa.Uuid(), nullable=True))
    op.add_column('leads', sa.Column('converted_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('accounts', sa.Column('lead_id', sa.Uuid(), nullable=True))
    op.add_column('contacts', sa.Column('lead_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column('contacts', 'lead_id')
    op.drop_column('accounts', 'lead_id')
    for column in ('converted_at', 'converted_deal_id', 'converted_contact_id', 'converted_account_id'):
        op.drop_column('leads', column)
