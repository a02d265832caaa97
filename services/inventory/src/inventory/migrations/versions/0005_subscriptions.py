"""subscriptions, recurring invoices, billed periods, the transactions ledger

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _schedule_columns() -> list[sa.Column]:
    return [
        sa.Column('account_id', sa.Uuid(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('auto_renew', sa.Boolean(), nullable=False),
        sa.Column('term_periods', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('periods_billed', sa.Integer(), nullable=False),
        sa.Column('next_period_start', sa.Date(), nullable=False),
        sa.Column('invoice_mode', sa.String(length=10), nullable=False),
        sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    ]


def _record_columns() -> list[sa.Column]:
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


def _schedule_indexes(table: str) -> None:
    op.create_index(f'ix_{table}_due', table, ['next_period_start'], unique=False, postgresql_where=sa.text("status = 'active'"))
    op.create_index(f'ix_{table}_tenant_page', table, ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index(f'ix_{table}_tenant_account', table, ['tenant_id', 'account_id'], unique=False)
    op.create_index(op.f(f'ix_{table}_tenant_id'), table, ['tenant_id'], unique=False)
    op.create_index(op.f(f'ix_{table}_deleted_at'), table, ['deleted_at'], unique=False)


def upgrade() -> None:
    op.create_table('subscriptions',
    *_schedule_columns(),
    sa.Column('product_id', sa.Uuid(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('price', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('taxes', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    *_record_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions'))
    )
    _schedule_indexes('subscriptions')
    op.create_table('recurring_invoices',
    *_schedule_columns(),
    sa.Column('lines', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    *_record_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_invoices'))
    )
    _schedule_indexes('recurring_invoices')
    op.create_table('billing_periods',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_billing_periods_invoice_id_invoices'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_periods'))
    )
    op.create_index('ix_billing_periods_invoice', 'billing_periods', ['invoice_id'], unique=False)
    op.create_index('uq_billing_periods_source_start', 'billing_periods', ['source_kind', 'source_id', 'period_start'], unique=True)
    op.create_table('billing_transactions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=True),
    sa.Column('subscription_id', sa.Uuid(), nullable=True),
    sa.Column('recurring_invoice_id', sa.Uuid(), nullable=True),
    sa.Column('payment_id', sa.Uuid(), nullable=True),
    sa.Column('credit_note_id', sa.Uuid(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=28, scale=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_transactions')),
    sa.UniqueConstraint('seq', name=op.f('uq_billing_transactions_seq'))
    )
    op.create_index('ix_billing_transactions_tenant_seq', 'billing_transactions', ['tenant_id', 'seq'], unique=False)
    op.create_index('ix_billing_transactions_invoice', 'billing_transactions', ['tenant_id', 'invoice_id'], unique=False)
    op.create_index('ix_billing_transactions_subscription', 'billing_transactions', ['tenant_id', 'subscription_id'], unique=False)
    op.create_index('ix_billing_transactions_recurring', 'billing_transactions', ['tenant_id', 'recurring_invoice_id'], unique=False)
    op.create_index('ix_billing_transactions_account', 'billing_transactions', ['tenant_id', 'account_id'], unique=False)

    # The ledger is append-only: a transaction is never changed or removed.
    op.execute(
        """
        CREATE FUNCTION billing_transactions_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'billing_transactions is append-only';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER billing_transactions_append_only BEFORE UPDATE OR DELETE "
        "ON billing_transactions FOR EACH ROW EXECUTE FUNCTION billing_transactions_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS billing_transactions_append_only ON billing_transactions")
    op.execute("DROP FUNCTION IF EXISTS billing_transactions_append_only()")
    op.drop_table('billing_transactions')
    op.drop_table('billing_periods')
    op.drop_table('recurring_invoices')
    op.drop_table('subscriptions')
