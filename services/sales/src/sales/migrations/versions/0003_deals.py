"""pipelines, stages, deals, stage history, contact roles, splits

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
    op.create_table('pipelines',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipelines'))
    )
    op.create_index(op.f('ix_pipelines_deleted_at'), 'pipelines', ['deleted_at'], unique=False)
    op.create_index('ix_pipelines_one_default', 'pipelines', ['tenant_id'], unique=True, postgresql_where=sa.text('is_default'))
    op.create_index(op.f('ix_pipelines_tenant_id'), 'pipelines', ['tenant_id'], unique=False)
    op.create_index('ix_pipelines_tenant_name', 'pipelines', ['tenant_id', 'name'], unique=True)
    op.create_table('pipeline_stages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('pipeline_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], name=op.f('fk_pipeline_stages_pipeline_id_pipelines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_stages'))
    )
    op.create_index('ix_pipeline_stages_pipeline', 'pipeline_stages', ['pipeline_id', 'position'], unique=False)
    op.create_table('deals',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=22, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('pipeline_id', sa.Uuid(), nullable=False),
    sa.Column('stage_id', sa.Uuid(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('close_date', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('lost_reason', sa.Text(), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=50)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('lead_id', sa.Uuid(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_deals_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], name=op.f('fk_deals_pipeline_id_pipelines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['stage_id'], ['pipeline_stages.id'], name=op.f('fk_deals_stage_id_pipeline_stages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals'))
    )
    op.create_index(op.f('ix_deals_deleted_at'), 'deals', ['deleted_at'], unique=False)
    op.create_index('ix_deals_tags', 'deals', ['tags'], unique=False, postgresql_using='gin')
    op.create_index('ix_deals_tenant_account', 'deals', ['tenant_id', 'account_id'], unique=False)
    op.create_index('ix_deals_tenant_amount', 'deals', ['tenant_id', 'amount', 'id'], unique=False)
    op.create_index('ix_deals_tenant_board', 'deals', ['tenant_id', 'pipeline_id', 'stage_id'], unique=False)
    op.create_index('ix_deals_tenant_close_date', 'deals', ['tenant_id', 'close_date'], unique=False)
    op.create_index(op.f('ix_deals_tenant_id'), 'deals', ['tenant_id'], unique=False)
    op.create_index('ix_deals_tenant_lead', 'deals', ['tenant_id', 'lead_id'], unique=False)
    op.create_index('ix_deals_tenant_owner', 'deals', ['tenant_id', 'owner_id'], unique=False)
    op.create_index('ix_deals_tenant_page', 'deals', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_table('deal_contact_roles',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_deal_contact_roles_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_contact_roles_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_contact_roles'))
    )
    op.create_index('ix_deal_contact_roles_contact', 'deal_contact_roles', ['contact_id'], unique=False)
    op.create_index('ix_deal_contact_roles_deal_contact', 'deal_contact_roles', ['deal_id', 'contact_id'], unique=True)
    op.create_index('ix_deal_contact_roles_one_primary', 'deal_contact_roles', ['deal_id'], unique=True, postgresql_where=sa.text('is_primary'))
    op.create_table('deal_splits',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_splits_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_splits'))
    )
    op.create_index('ix_deal_splits_deal_user', 'deal_splits', ['deal_id', 'user_id'], unique=True)
    op.create_table('deal_stage_history',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('from_stage_id', sa.Uuid(), nullable=True),
    sa.Column('to_stage_id', sa.Uuid(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_stage_history_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_stage_history'))
    )
    op.create_index('ix_deal_stage_history_deal', 'deal_stage_history', ['deal_id', 'changed_at'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_index('ix_deal_stage_history_deal', table_name='deal_stage_history')
    op.drop_table('deal_stage_history')
    op.drop_index('ix_deal_splits_deal_user', table_name='deal_splits')
    op.drop_table('deal_splits')
    op.drop_index('ix_deal_contact_roles_one_primary', table_name='deal_contact_roles', postgresql_where=sa.text('is_primary'))
    op.drop_index('ix_deal_contact_roles_deal_contact', table_name='deal_contact_roles')
    op.drop_index('ix_deal_contact_roles_contact', table_name='deal_contact_roles')
    op.drop_table('deal_contact_roles')
    op.drop_index('ix_deals_tenant_page', table_name='deals')
    op.drop_index('ix_deals_tenant_owner', table_name='deals')
    op.drop_index('ix_deals_tenant_lead', table_name='deals')
    op.drop_index(op.f('ix_deals_tenant_id'), table_name='deals')
    op.drop_index('ix_deals_tenant_close_date', table_name='deals')
    op.drop_index('ix_deals_tenant_board', table_name='deals')
    op.drop_index('ix_deals_tenant_amount', table_name='deals')
    op.drop_index('ix_deals_tenant_account', table_name='deals')
    op.drop_index('ix_deals_tags', table_name='deals', postgresql_using='gin')
    op.drop_index(op.f('ix_deals_deleted_at'), table_name='deals')
    op.drop_table('deals')
    op.drop_index('ix_pipeline_stages_pipeline', table_name='pipeline_stages')
    op.drop_table('pipeline_stages')
    op.drop_index('ix_pipelines_tenant_name', table_name='pipelines')
    op.drop_index(op.f('ix_pipelines_tenant_id'), table_name='pipelines')
    op.drop_index('ix_pipelines_one_default', table_name='pipelines', postgresql_where=sa.text('is_default'))
    op.drop_index(op.f('ix_pipelines_deleted_at'), table_name='pipelines')
    op.drop_table('pipelines')
    # ### end Alembic commands ###
