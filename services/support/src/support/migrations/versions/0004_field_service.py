"""support: service contracts, work orders, appointments, timelogs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('field_counters',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'kind', 'year', name=op.f('pk_field_counters'))
    )
    op.create_table('service_appointments',
    sa.Column('work_order_id', sa.Uuid(), nullable=False),
    sa.Column('asset_id', sa.Uuid(), nullable=True),
    sa.Column('technician_id', sa.Uuid(), nullable=False),
    sa.Column('scheduled_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scheduled_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('scheduled_end > scheduled_start', name=op.f('ck_service_appointments_end_after_start')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_appointments'))
    )
    op.create_index(op.f('ix_service_appointments_deleted_at'), 'service_appointments', ['deleted_at'], unique=False)
    op.create_index('ix_service_appointments_technician_active', 'service_appointments', ['tenant_id', 'technician_id', 'scheduled_start'], unique=False, postgresql_where=sa.text("status IN ('scheduled', 'dispatched', 'in_progress') AND deleted_at IS NULL"))
    op.create_index(op.f('ix_service_appointments_tenant_id'), 'service_appointments', ['tenant_id'], unique=False)
    op.create_index('ix_service_appointments_tenant_start', 'service_appointments', ['tenant_id', 'scheduled_start', 'id'], unique=False)
    op.create_index('ix_service_appointments_work_order', 'service_appointments', ['tenant_id', 'work_order_id'], unique=False)
    op.create_table('service_contracts',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('entitlement_type', sa.String(length=8), nullable=False),
    sa.Column('entitlement_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tier', sa.String(length=50), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('expiry_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_contracts'))
    )
    op.create_index(op.f('ix_service_contracts_deleted_at'), 'service_contracts', ['deleted_at'], unique=False)
    op.create_index('ix_service_contracts_expiry_armed', 'service_contracts', ['end_date'], unique=False, postgresql_where=sa.text("status = 'active' AND expiry_warned_at IS NULL AND deleted_at IS NULL"))
    op.create_index('ix_service_contracts_tenant_account', 'service_contracts', ['tenant_id', 'account_id'], unique=False)
    op.create_index(op.f('ix_service_contracts_tenant_id'), 'service_contracts', ['tenant_id'], unique=False)
    op.create_index('ix_service_contracts_tenant_page', 'service_contracts', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_table('timelogs',
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('work_order_id', sa.Uuid(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('billable', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('(case_id IS NULL) <> (work_order_id IS NULL)', name=op.f('ck_timelogs_on_case_or_work_order')),
    sa.CheckConstraint('minutes > 0 AND minutes <= 1440', name=op.f('ck_timelogs_minutes_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timelogs'))
    )
    op.create_index(op.f('ix_timelogs_deleted_at'), 'timelogs', ['deleted_at'], unique=False)
    op.create_index('ix_timelogs_tenant_case', 'timelogs', ['tenant_id', 'case_id'], unique=False)
    op.create_index(op.f('ix_timelogs_tenant_id'), 'timelogs', ['tenant_id'], unique=False)
    op.create_index('ix_timelogs_tenant_user', 'timelogs', ['tenant_id', 'user_id'], unique=False)
    op.create_index('ix_timelogs_tenant_work_order', 'timelogs', ['tenant_id', 'work_order_id'], unique=False)
    op.create_table('work_orders',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('asset_id', sa.Uuid(), nullable=True),
    sa.Column('service_contract_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=2), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_orders'))
    )
    op.create_index(op.f('ix_work_orders_deleted_at'), 'work_orders', ['deleted_at'], unique=False)
    op.create_index('ix_work_orders_tenant_case', 'work_orders', ['tenant_id', 'case_id'], unique=False)
    op.create_index('ix_work_orders_tenant_contract', 'work_orders', ['tenant_id', 'service_contract_id'], unique=False)
    op.create_index(op.f('ix_work_orders_tenant_id'), 'work_orders', ['tenant_id'], unique=False)
    op.create_index('ix_work_orders_tenant_page', 'work_orders', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_work_orders_tenant_number', 'work_orders', ['tenant_id', 'number'], unique=True)


def downgrade() -> None:
    op.drop_table('work_orders')
    op.drop_table('timelogs')
    op.drop_table('service_contracts')
    op.drop_table('service_appointments')
    op.drop_table('field_counters')
