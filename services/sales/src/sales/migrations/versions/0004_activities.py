"""activities and reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('related_type', sa.String(length=16), nullable=False),
    sa.Column('related_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('attendees', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('reminder_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    op.create_index(op.f('ix_activities_deleted_at'), 'activities', ['deleted_at'], unique=False)
    op.create_index(op.f('ix_activities_tenant_id'), 'activities', ['tenant_id'], unique=False)
    op.create_index('ix_activities_tenant_page', 'activities', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_activities_tenant_related', 'activities', ['tenant_id', 'related_type', 'related_id'], unique=False)
    op.create_index('ix_activities_tenant_owner', 'activities', ['tenant_id', 'owner_id'], unique=False)
    op.create_index('ix_activities_tenant_due', 'activities', ['tenant_id', 'due_at', 'id'], unique=False)
    op.create_index('ix_activities_tenant_start', 'activities', ['tenant_id', 'start_at', 'id'], unique=False)
    op.create_index('ix_activities_reminder_armed', 'activities', ['reminder_at'], unique=False, postgresql_where=sa.text('reminded_at IS NULL AND deleted_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_activities_reminder_armed', table_name='activities', postgresql_where=sa.text('reminded_at IS NULL AND deleted_at IS NULL'))
    op.drop_index('ix_activities_tenant_start', table_name='activities')
    op.drop_index('ix_activities_tenant_due', table_name='activities')
    op.drop_index('ix_activities_tenant_owner', table_name='activities')
    op.drop_index('ix_activities_tenant_related', table_name='activities')
    op.drop_index('ix_activities_tenant_page', table_name='activities')
    op.drop_index(op.f('ix_activities_tenant_id'), table_name='activities')
    op.drop_index(op.f('ix_activities_deleted_at'), table_name='activities')
    op.drop_table('activities')
