"""notifications: preferences, e-mail settings, e-mail queue, digests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('channels', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('quiet_start', sa.String(length=5), nullable=True),
    sa.Column('quiet_end', sa.String(length=5), nullable=True),
    sa.Column('digest', sa.String(length=10), nullable=False),
    sa.Column('digest_hour', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences'))
    )
    op.create_index(op.f('ix_notification_preferences_tenant_id'), 'notification_preferences', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_notification_preferences_deleted_at'), 'notification_preferences', ['deleted_at'], unique=False)
    op.create_index('uq_notification_preferences_user', 'notification_preferences', ['tenant_id', 'user_id'], unique=True)
    op.create_table('email_settings',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('from_address', sa.String(length=254), nullable=False),
    sa.Column('smtp_host', sa.String(length=253), nullable=False),
    sa.Column('smtp_port', sa.Integer(), nullable=False),
    sa.Column('starttls', sa.Boolean(), nullable=False),
    sa.Column('username', sa.String(length=254), nullable=False),
    sa.Column('password_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_email_settings'))
    )
    op.create_table('email_bounces',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('bounced_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'address', name=op.f('pk_email_bounces'))
    )
    op.create_table('email_messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=400), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('notification_type', sa.String(length=40), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=120), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_email_messages_dedupe_key'))
    )
    op.create_index('ix_email_messages_due', 'email_messages', ['send_after'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_email_messages_tenant_user', 'email_messages', ['tenant_id', 'user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_email_messages_tenant_user', table_name='email_messages')
    op.drop_index('ix_email_messages_due', table_name='email_messages', postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('email_messages')
    op.drop_table('email_bounces')
    op.drop_table('email_settings')
    op.drop_index('uq_notification_preferences_user', table_name='notification_preferences')
    op.drop_index(op.f('ix_notification_preferences_deleted_at'), table_name='notification_preferences')
    op.drop_index(op.f('ix_notification_preferences_tenant_id'), table_name='notification_preferences')
    op.drop_table('notification_preferences')
