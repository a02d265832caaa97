"""lead assignment rules

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


def upgrade() -> None:
    op.create_table('assignment_rules',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('conditions', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_user_id', sa.Uuid(), nullable=True),
    sa.Column('target_group_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_rules'))
    )
    op.create_index(op.f('ix_assignment_rules_deleted_at'), 'assignment_rules', ['deleted_at'], unique=False)
    op.create_index(op.f('ix_assignment_rules_tenant_id'), 'assignment_rules', ['tenant_id'], unique=False)
    op.create_index('ix_assignment_rules_tenant_order', 'assignment_rules', ['tenant_id', 'position', 'id'], unique=False)
    op.create_table('assignment_rule_cursors',
    sa.Column('rule_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('last_user_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['rule_id'], ['assignment_rules.id'], name=op.f('fk_assignment_rule_cursors_rule_id_assignment_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rule_id', name=op.f('pk_assignment_rule_cursors'))
    )


def downgrade() -> None:
    op.drop_table('assignment_rule_cursors')
    op.drop_index('ix_assignment_rules_tenant_order', table_name='assignment_rules')
    op.drop_index(op.f('ix_assignment_rules_tenant_id'), table_name='assignment_rules')
    op.drop_index(op.f('ix_assignment_rules_deleted_at'), table_name='assignment_rules')
    op.drop_table('assignment_rules')
