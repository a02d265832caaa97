"""warehouses, stock levels, movement ledger, reservations, delivery notes, assets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('warehouses',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('code_key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses'))
    )
    op.create_index(op.f('ix_warehouses_deleted_at'), 'warehouses', ['deleted_at'], unique=False)
    op.create_index(op.f('ix_warehouses_tenant_id'), 'warehouses', ['tenant_id'], unique=False)
    op.create_index('ix_warehouses_tenant_page', 'warehouses', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_warehouses_tenant_code_key', 'warehouses', ['tenant_id', 'code_key'], unique=True)
    op.create_table('stock_levels',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('warehouse_id', sa.Uuid(), nullable=False),
    sa.Column('on_hand', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('reserved', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('reserved >= 0 AND on_hand >= reserved', name=op.f('ck_stock_levels_never_oversold')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_levels_product_id_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_levels_warehouse_id_warehouses'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_levels'))
    )
    op.create_index('uq_stock_levels_product_warehouse', 'stock_levels', ['tenant_id', 'product_id', 'warehouse_id'], unique=True)
    op.create_table('stock_movements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('warehouse_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('quantity_delta', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('reserved_delta', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('reference_type', sa.String(length=40), nullable=False),
    sa.Column('reference_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements')),
    sa.UniqueConstraint('seq', name=op.f('uq_stock_movements_seq'))
    )
    op.create_index('ix_stock_movements_product', 'stock_movements', ['tenant_id', 'product_id', 'seq'], unique=False)
    op.create_index('ix_stock_movements_reference', 'stock_movements', ['tenant_id', 'reference_type', 'reference_id'], unique=False)
    op.create_table('stock_low_states',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('low', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'product_id', name=op.f('pk_stock_low_states'))
    )
    op.create_table('order_reservations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('order_number', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_reservations'))
    )
    op.create_index('uq_order_reservations_order', 'order_reservations', ['tenant_id', 'order_id'], unique=True)
    op.create_table('reservation_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('reservation_id', sa.Uuid(), nullable=False),
    sa.Column('order_line_id', sa.String(length=64), nullable=False),
    sa.Column('line_product_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('warehouse_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('shipped', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('released', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.ForeignKeyConstraint(['reservation_id'], ['order_reservations.id'], name=op.f('fk_reservation_lines_reservation_id_order_reservations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation_lines'))
    )
    op.create_index('ix_reservation_lines_reservation', 'reservation_lines', ['reservation_id'], unique=False)
    op.create_table('delivery_notes',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_notes'))
    )
    op.create_index(op.f('ix_delivery_notes_deleted_at'), 'delivery_notes', ['deleted_at'], unique=False)
    op.create_index('ix_delivery_notes_order', 'delivery_notes', ['tenant_id', 'order_id'], unique=False)
    op.create_index(op.f('ix_delivery_notes_tenant_id'), 'delivery_notes', ['tenant_id'], unique=False)
    op.create_index('ix_delivery_notes_tenant_page', 'delivery_notes', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_table('assets',
    sa.Column('serial_number', sa.String(length=100), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('delivery_note_id', sa.Uuid(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['delivery_note_id'], ['delivery_notes.id'], name=op.f('fk_assets_delivery_note_id_delivery_notes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assets'))
    )
    op.create_index('ix_assets_account', 'assets', ['tenant_id', 'account_id'], unique=False)
    op.create_index(op.f('ix_assets_deleted_at'), 'assets', ['deleted_at'], unique=False)
    op.create_index(op.f('ix_assets_tenant_id'), 'assets', ['tenant_id'], unique=False)
    op.create_index('ix_assets_tenant_page', 'assets', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('uq_assets_serial', 'assets', ['tenant_id', 'product_id', 'serial_number'], unique=True)

    # The ledger is append-only: a movement is never changed or removed.
    op.execute(
        """
        CREATE FUNCTION stock_movements_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'stock_movements is append-only';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements "
        "FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS stock_movements_append_only ON stock_movements")
    op.execute("DROP FUNCTION IF EXISTS stock_movements_append_only()")
    op.drop_table('assets')
    op.drop_table('delivery_notes')
    op.drop_table('reservation_lines')
    op.drop_table('order_reservations')
    op.drop_table('stock_low_states')
    op.drop_table('stock_movements')
    op.drop_table('stock_levels')
    op.drop_table('warehouses')
