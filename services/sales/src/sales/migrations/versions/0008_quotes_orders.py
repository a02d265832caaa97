"""quotes, sales orders, their lines, order status history, document counters

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_counters',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'kind', 'year', name=op.f('pk_document_counters'))
    )
    op.create_table('quotes',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('deal_id', sa.Uuid(), nullable=True),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('price_book_id', sa.Uuid(), nullable=True),
    sa.Column('region', sa.String(length=10), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approval_status', sa.String(length=20), nullable=False),
    sa.Column('approved_by', sa.Uuid(), nullable=True),
    sa.Column('approval_note', sa.Text(), nullable=False),
    sa.Column('max_discount_percent', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('priced_on', sa.Date(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('discount_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('net_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('gross_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes'))
    )
    op.create_index(op.f('ix_quotes_deleted_at'), 'quotes', ['deleted_at'], unique=False)
    op.create_index('ix_quotes_sent_valid_until', 'quotes', ['valid_until'], unique=False, postgresql_where=sa.text("status = 'sent'"))
    op.create_index('ix_quotes_tenant_account', 'quotes', ['tenant_id', 'account_id'], unique=False)
    op.create_index('ix_quotes_tenant_deal', 'quotes', ['tenant_id', 'deal_id'], unique=False)
    op.create_index(op.f('ix_quotes_tenant_id'), 'quotes', ['tenant_id'], unique=False)
    op.create_index('ix_quotes_tenant_owner', 'quotes', ['tenant_id', 'owner_id'], unique=False)
    op.create_index('ix_quotes_tenant_page', 'quotes', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('ux_quotes_tenant_number', 'quotes', ['tenant_id', 'number'], unique=True)
    op.create_table('quote_lines',
    sa.Column('quote_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('list_price', sa.Numeric(precision=30, scale=10), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=30, scale=10), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('discount_amount', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('taxes', postgresql.JSONB(astext_type=Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('gross_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('price_book_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_lines_quote_id_quotes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_lines'))
    )
    op.create_index('ix_quote_lines_quote', 'quote_lines', ['quote_id', 'position'], unique=False)
    op.create_table('sales_orders',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('quote_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('deal_id', sa.Uuid(), nullable=True),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('region', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('discount_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('net_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('gross_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_sales_orders_quote_id_quotes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_orders'))
    )
    op.create_index(op.f('ix_sales_orders_deleted_at'), 'sales_orders', ['deleted_at'], unique=False)
    op.create_index('ix_sales_orders_tenant_account', 'sales_orders', ['tenant_id', 'account_id'], unique=False)
    op.create_index(op.f('ix_sales_orders_tenant_id'), 'sales_orders', ['tenant_id'], unique=False)
    op.create_index('ix_sales_orders_tenant_owner', 'sales_orders', ['tenant_id', 'owner_id'], unique=False)
    op.create_index('ix_sales_orders_tenant_page', 'sales_orders', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('ux_sales_orders_tenant_number', 'sales_orders', ['tenant_id', 'number'], unique=True)
    op.create_index('ux_sales_orders_tenant_quote', 'sales_orders', ['tenant_id', 'quote_id'], unique=True)
    op.create_table('sales_order_lines',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('list_price', sa.Numeric(precision=30, scale=10), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=30, scale=10), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('discount_amount', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('taxes', postgresql.JSONB(astext_type=Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('gross_total', sa.Numeric(precision=22, scale=4), nullable=False),
    sa.Column('price_book_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['sales_orders.id'], name=op.f('fk_sales_order_lines_order_id_sales_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_order_lines'))
    )
    op.create_index('ix_sales_order_lines_order', 'sales_order_lines', ['order_id', 'position'], unique=False)
    op.create_table('sales_order_status_history',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['sales_orders.id'], name=op.f('fk_sales_order_status_history_order_id_sales_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_order_status_history'))
    )
    op.create_index('ix_sales_order_status_history_order', 'sales_order_status_history', ['order_id', 'changed_at'], unique=False)


def downgrade() -> None:
    op.drop_table('sales_order_status_history')
    op.drop_table('sales_order_lines')
    op.drop_table('sales_orders')
    op.drop_table('quote_lines')
    op.drop_table('quotes')
    op.drop_table('document_counters')
