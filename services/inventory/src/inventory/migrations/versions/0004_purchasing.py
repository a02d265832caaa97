"""vendors, purchase orders, receipt notes, bills

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('purchase_order_counters',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'year', name=op.f('pk_purchase_order_counters'))
    )
    op.create_table('vendors',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors'))
    )
    op.create_index(op.f('ix_vendors_deleted_at'), 'vendors', ['deleted_at'], unique=False)
    op.create_index(op.f('ix_vendors_tenant_id'), 'vendors', ['tenant_id'], unique=False)
    op.create_index('ix_vendors_tenant_page', 'vendors', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_table('purchase_orders',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('vendor_id', sa.Uuid(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('warehouse_id', sa.Uuid(), nullable=False),
    sa.Column('expected_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_purchase_orders_vendor_id_vendors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders'))
    )
    op.create_index(op.f('ix_purchase_orders_deleted_at'), 'purchase_orders', ['deleted_at'], unique=False)
    op.create_index(op.f('ix_purchase_orders_tenant_id'), 'purchase_orders', ['tenant_id'], unique=False)
    op.create_index('ix_purchase_orders_tenant_page', 'purchase_orders', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_purchase_orders_vendor', 'purchase_orders', ['tenant_id', 'vendor_id'], unique=False)
    op.create_index('uq_purchase_orders_number', 'purchase_orders', ['tenant_id', 'number'], unique=True)
    op.create_table('bills',
    sa.Column('vendor_id', sa.Uuid(), nullable=False),
    sa.Column('purchase_order_id', sa.Uuid(), nullable=False),
    sa.Column('vendor_reference', sa.String(length=100), nullable=False),
    sa.Column('vendor_reference_key', sa.String(length=100), nullable=False),
    sa.Column('bill_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_bills_purchase_order_id_purchase_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_bills_vendor_id_vendors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bills'))
    )
    op.create_index(op.f('ix_bills_deleted_at'), 'bills', ['deleted_at'], unique=False)
    op.create_index('ix_bills_order', 'bills', ['tenant_id', 'purchase_order_id'], unique=False)
    op.create_index(op.f('ix_bills_tenant_id'), 'bills', ['tenant_id'], unique=False)
    op.create_index('ix_bills_tenant_page', 'bills', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_bills_vendor_reference', 'bills', ['tenant_id', 'vendor_id', 'vendor_reference_key'], unique=True)
    op.create_table('purchase_order_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('purchase_order_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('line_total', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('received_quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.CheckConstraint('received_quantity >= 0 AND received_quantity <= quantity', name=op.f('ck_purchase_order_lines_never_over_received')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_purchase_order_lines_product_id_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_lines_purchase_order_id_purchase_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_lines'))
    )
    op.create_index('ix_purchase_order_lines_order', 'purchase_order_lines', ['purchase_order_id'], unique=False)
    op.create_table('receipt_notes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('purchase_order_id', sa.Uuid(), nullable=False),
    sa.Column('warehouse_id', sa.Uuid(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_receipt_notes_purchase_order_id_purchase_orders'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_notes'))
    )
    op.create_index('ix_receipt_notes_order', 'receipt_notes', ['tenant_id', 'purchase_order_id'], unique=False)
    op.create_table('bill_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('bill_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('line_total', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('ordered_unit_cost', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('received_quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('billed_quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('quantity_mismatch', sa.Boolean(), nullable=False),
    sa.Column('price_mismatch', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_bill_lines_bill_id_bills'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_lines'))
    )
    op.create_index('ix_bill_lines_bill', 'bill_lines', ['bill_id'], unique=False)
    op.create_table('receipt_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('receipt_note_id', sa.Uuid(), nullable=False),
    sa.Column('line_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_receipt_lines_positive')),
    sa.ForeignKeyConstraint(['line_id'], ['purchase_order_lines.id'], name=op.f('fk_receipt_lines_line_id_purchase_order_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['receipt_note_id'], ['receipt_notes.id'], name=op.f('fk_receipt_lines_receipt_note_id_receipt_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_lines'))
    )
    op.create_index('ix_receipt_lines_note', 'receipt_lines', ['receipt_note_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_receipt_lines_note', table_name='receipt_lines')
    op.drop_table('receipt_lines')
    op.drop_index('ix_bill_lines_bill', table_name='bill_lines')
    op.drop_table('bill_lines')
    op.drop_index('ix_receipt_notes_order', table_name='receipt_notes')
    op.drop_table('receipt_notes')
    op.drop_index('ix_purchase_order_lines_order', table_name='purchase_order_lines')
    op.drop_table('purchase_order_lines')
    op.drop_index('uq_bills_vendor_reference', table_name='bills')
    op.drop_index('ix_bills_tenant_page', table_name='bills')
    op.drop_index(op.f('ix_bills_tenant_id'), table_name='bills')
    op.drop_index('ix_bills_order', table_name='bills')
    op.drop_index(op.f('ix_bills_deleted_at'), table_name='bills')
    op.drop_table('bills')
    op.drop_index('uq_purchase_orders_number', table_name='purchase_orders')
    op.drop_index('ix_purchase_orders_vendor', table_name='purchase_orders')
    op.drop_index('ix_purchase_orders_tenant_page', table_name='purchase_orders')
    op.drop_index(op.f('ix_purchase_orders_tenant_id'), table_name='purchase_orders')
    op.drop_index(op.f('ix_purchase_orders_deleted_at'), table_name='purchase_orders')
    op.drop_table('purchase_orders')
    op.drop_index('ix_vendors_tenant_page', table_name='vendors')
    op.drop_index(op.f('ix_vendors_tenant_id'), table_name='vendors')
    op.drop_index(op.f('ix_vendors_deleted_at'), table_name='vendors')
    op.drop_table('vendors')
    op.drop_table('purchase_order_counters')
