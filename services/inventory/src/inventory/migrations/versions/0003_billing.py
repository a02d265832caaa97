"""invoices, credit notes, payments, installment plans

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('billing_counters',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'kind', 'year', name=op.f('pk_billing_counters'))
    )
    op.create_table('invoices',
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('deal_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('total', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('amount_paid', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('amount_credited', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('balance', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices'))
    )
    op.create_index(op.f('ix_invoices_deleted_at'), 'invoices', ['deleted_at'], unique=False)
    op.create_index('ix_invoices_open_due', 'invoices', ['due_date'], unique=False, postgresql_where=sa.text("status IN ('issued', 'partially_paid')"))
    op.create_index('ix_invoices_tenant_account', 'invoices', ['tenant_id', 'account_id'], unique=False)
    op.create_index('ix_invoices_tenant_deal', 'invoices', ['tenant_id', 'deal_id'], unique=False)
    op.create_index(op.f('ix_invoices_tenant_id'), 'invoices', ['tenant_id'], unique=False)
    op.create_index('ix_invoices_tenant_page', 'invoices', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_invoices_tenant_deal_source', 'invoices', ['tenant_id', 'deal_id'], unique=True, postgresql_where=sa.text("source = 'deal'"))
    op.create_index('uq_invoices_tenant_number', 'invoices', ['tenant_id', 'number'], unique=True, postgresql_where=sa.text('number IS NOT NULL'))
    op.create_index('uq_invoices_tenant_order_source', 'invoices', ['tenant_id', 'order_id'], unique=True, postgresql_where=sa.text("source = 'order'"))
    op.create_table('payments',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('unallocated', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    op.create_index(op.f('ix_payments_deleted_at'), 'payments', ['deleted_at'], unique=False)
    op.create_index('ix_payments_tenant_account', 'payments', ['tenant_id', 'account_id'], unique=False)
    op.create_index(op.f('ix_payments_tenant_id'), 'payments', ['tenant_id'], unique=False)
    op.create_index('ix_payments_tenant_page', 'payments', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_table('credit_notes',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_credit_notes_invoice_id_invoices'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_notes'))
    )
    op.create_index(op.f('ix_credit_notes_deleted_at'), 'credit_notes', ['deleted_at'], unique=False)
    op.create_index('ix_credit_notes_invoice', 'credit_notes', ['tenant_id', 'invoice_id'], unique=False)
    op.create_index(op.f('ix_credit_notes_tenant_id'), 'credit_notes', ['tenant_id'], unique=False)
    op.create_index('ix_credit_notes_tenant_page', 'credit_notes', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_credit_notes_tenant_number', 'credit_notes', ['tenant_id', 'number'], unique=True)
    op.create_table('installment_plans',
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_installment_plans_invoice_id_invoices'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installment_plans'))
    )
    op.create_index(op.f('ix_installment_plans_deleted_at'), 'installment_plans', ['deleted_at'], unique=False)
    op.create_index(op.f('ix_installment_plans_tenant_id'), 'installment_plans', ['tenant_id'], unique=False)
    op.create_index('ix_installment_plans_tenant_page', 'installment_plans', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_installment_plans_tenant_invoice', 'installment_plans', ['tenant_id', 'invoice_id'], unique=True)
    op.create_table('invoice_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('discount_amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('taxes', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('line_total', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines'))
    )
    op.create_index('ix_invoice_lines_invoice', 'invoice_lines', ['invoice_id', 'position'], unique=False)
    op.create_table('payment_allocations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('payment_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payment_allocations_invoice_id_invoices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_allocations_payment_id_payments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations'))
    )
    op.create_index('ix_payment_allocations_invoice', 'payment_allocations', ['invoice_id'], unique=False)
    op.create_index('uq_payment_allocations_payment_invoice', 'payment_allocations', ['payment_id', 'invoice_id'], unique=True)
    op.create_table('installments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['installment_plans.id'], name=op.f('fk_installments_plan_id_installment_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installments'))
    )
    op.create_index(op.f('ix_installments_plan_id'), 'installments', ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_installments_plan_id'), table_name='installments')
    op.drop_table('installments')
    op.drop_index('uq_payment_allocations_payment_invoice', table_name='payment_allocations')
    op.drop_index('ix_payment_allocations_invoice', table_name='payment_allocations')
    op.drop_table('payment_allocations')
    op.drop_index('ix_invoice_lines_invoice', table_name='invoice_lines')
    op.drop_table('invoice_lines')
    op.drop_index('uq_installment_plans_tenant_invoice', table_name='installment_plans')
    op.drop_index('ix_installment_plans_tenant_page', table_name='installment_plans')
    op.drop_index(op.f('ix_installment_plans_tenant_id'), table_name='installment_plans')
    op.drop_index(op.f('ix_installment_plans_deleted_at'), table_name='installment_plans')
    op.drop_table('installment_plans')
    op.drop_index('uq_credit_notes_tenant_number', table_name='credit_notes')
    op.drop_index('ix_credit_notes_tenant_page', table_name='credit_notes')
    op.drop_index(op.f('ix_credit_notes_tenant_id'), table_name='credit_notes')
    op.drop_index('ix_credit_notes_invoice', table_name='credit_notes')
    op.drop_index(op.f('ix_credit_notes_deleted_at'), table_name='credit_notes')
    op.drop_table('credit_notes')
    op.drop_index('ix_payments_tenant_page', table_name='payments')
    op.drop_index(op.f('ix_payments_tenant_id'), table_name='payments')
    op.drop_index('ix_payments_tenant_account', table_name='payments')
    op.drop_index(op.f('ix_payments_deleted_at'), table_name='payments')
    op.drop_table('payments')
    op.drop_index('uq_invoices_tenant_order_source', table_name='invoices', postgresql_where=sa.text("source = 'order'"))
    op.drop_index('uq_invoices_tenant_number', table_name='invoices', postgresql_where=sa.text('number IS NOT NULL'))
    op.drop_index('uq_invoices_tenant_deal_source', table_name='invoices', postgresql_where=sa.text("source = 'deal'"))
    op.drop_index('ix_invoices_tenant_page', table_name='invoices')
    op.drop_index(op.f('ix_invoices_tenant_id'), table_name='invoices')
    op.drop_index('ix_invoices_tenant_deal', table_name='invoices')
    op.drop_index('ix_invoices_tenant_account', table_name='invoices')
    op.drop_index('ix_invoices_open_due', table_name='invoices', postgresql_where=sa.text("status IN ('issued', 'partially_paid')"))
    op.drop_index(op.f('ix_invoices_deleted_at'), table_name='invoices')
    op.drop_table('invoices')
    op.drop_table('billing_counters')
