"""forecast quotas

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'quotas',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('amount', sa.Numeric(19, 4), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ux_quotas_tenant_user_period', 'quotas', ['tenant_id', 'user_id', 'period'], unique=True
    )
    op.create_index('ix_quotas_tenant_period', 'quotas', ['tenant_id', 'period'])


def downgrade() -> None:
    op.drop_index('ix_quotas_tenant_period', table_name='quotas')
    op.drop_index('ux_quotas_tenant_user_period', table_name='quotas')
    op.drop_table('quotas')
