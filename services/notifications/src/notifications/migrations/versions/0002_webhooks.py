"""notifications: webhook endpoints, deliveries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('event_types', sa.ARRAY(sa.String(length=200)), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('disabled_reason', sa.String(length=300), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_index(op.f('ix_webhook_endpoints_tenant_id'), 'webhook_endpoints', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_webhook_endpoints_deleted_at'), 'webhook_endpoints', ['deleted_at'], unique=False)
    op.create_index('ix_webhook_endpoints_page', 'webhook_endpoints', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('endpoint_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replay_of', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('seq', name=op.f('uq_webhook_deliveries_seq'))
    )
    op.create_index('uq_webhook_deliveries_endpoint_event', 'webhook_deliveries', ['endpoint_id', 'event_id'], unique=True, postgresql_where=sa.text('replay_of IS NULL'))
    op.create_index('ix_webhook_deliveries_pending_queue', 'webhook_deliveries', ['endpoint_id', 'seq'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_webhook_deliveries_pending_due', 'webhook_deliveries', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_webhook_deliveries_log', 'webhook_deliveries', ['tenant_id', 'endpoint_id', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_webhook_deliveries_log', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_pending_due', table_name='webhook_deliveries', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index('ix_webhook_deliveries_pending_queue', table_name='webhook_deliveries', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index('uq_webhook_deliveries_endpoint_event', table_name='webhook_deliveries', postgresql_where=sa.text('replay_of IS NULL'))
    op.drop_table('webhook_deliveries')
    op.drop_index('ix_webhook_endpoints_page', table_name='webhook_endpoints')
    op.drop_index(op.f('ix_webhook_endpoints_deleted_at'), table_name='webhook_endpoints')
    op.drop_index(op.f('ix_webhook_endpoints_tenant_id'), table_name='webhook_endpoints')
    op.drop_table('webhook_endpoints')
