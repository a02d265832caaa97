"""support: business-hours calendars and SLA policies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _audit() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('created_by', sa.Uuid(), nullable=True),
        sa.Column('updated_by', sa.Uuid(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'business_hours',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('weekly', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('holidays', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('always_open', sa.Boolean(), nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_business_hours')),
    )
    op.create_index(op.f('ix_business_hours_tenant_id'), 'business_hours', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_business_hours_deleted_at'), 'business_hours', ['deleted_at'], unique=False)
    op.create_index('ix_business_hours_tenant_page', 'business_hours', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index(
        'uq_business_hours_tenant_name',
        'business_hours',
        ['tenant_id', sa.text('lower(name)')],
        unique=True,
        postgresql_where=sa.text('deleted_at IS NULL'),
    )

    op.create_table(
        'sla_policies',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('priorities', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('account_tiers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('service_contract_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('business_hours_id', sa.Uuid(), nullable=True),
        sa.Column('first_response_minutes', sa.Integer(), nullable=True),
        sa.Column('next_response_minutes', sa.Integer(), nullable=True),
        sa.Column('resolution_minutes', sa.Integer(), nullable=True),
        sa.Column('warning_percent', sa.Integer(), nullable=False),
        sa.Column('pause_statuses', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('escalations', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ['business_hours_id'], ['business_hours.id'],
            name=op.f('fk_sla_policies_business_hours_id_business_hours'), ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    )
    op.create_index(op.f('ix_sla_policies_tenant_id'), 'sla_policies', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_sla_policies_deleted_at'), 'sla_policies', ['deleted_at'], unique=False)
    op.create_index('ix_sla_policies_tenant_position', 'sla_policies', ['tenant_id', 'position', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('sla_policies')
    op.drop_table('business_hours')
