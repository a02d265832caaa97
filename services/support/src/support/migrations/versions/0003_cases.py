"""support: cases, comments, SLA targets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _audit() -> list[sa.Column]:
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


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), server_default=sa.text('false'), nullable=False)


def upgrade() -> None:
    op.create_table(
        'cases',
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), server_default='', nullable=False),
        sa.Column('priority', sa.String(length=2), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('account_id', sa.Uuid(), nullable=True),
        sa.Column('contact_id', sa.Uuid(), nullable=True),
        sa.Column('asset_id', sa.Uuid(), nullable=True),
        sa.Column('owner_id', sa.Uuid(), nullable=True),
        sa.Column('group_id', sa.Uuid(), nullable=True),
        sa.Column('service_contract_id', sa.Uuid(), nullable=True),
        sa.Column('account_tier', sa.String(length=50), server_default='', nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sla_policy_id', sa.Uuid(), nullable=True),
        sa.Column('sla_terms', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column('sla_status', sa.String(length=16), nullable=False),
        _when('sla_paused_at'),
        _when('first_response_due_at'),
        _when('first_response_warn_at'),
        _when('first_response_warned_at'),
        _flag('first_response_breached'),
        _when('first_response_breached_at'),
        _when('first_responded_at'),
        sa.Column('first_response_minutes', sa.Integer(), nullable=True),
        _when('awaiting_reply_since'),
        _when('next_response_due_at'),
        _when('next_response_warn_at'),
        _when('next_response_warned_at'),
        _when('next_response_breached_at'),
        _flag('next_response_breached'),
        _when('resolution_due_at'),
        _when('resolution_warn_at'),
        _when('resolution_warned_at'),
        _flag('resolution_breached'),
        _when('resolution_breached_at'),
        _when('resolved_at'),
        sa.Column('resolution_minutes', sa.Integer(), nullable=True),
        _when('closed_at'),
        sa.Column('escalation_level', sa.Integer(), server_default='0', nullable=False),
        _when('next_escalation_at'),
        *_audit(),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    )
    op.create_index(op.f('ix_cases_tenant_id'), 'cases', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_cases_deleted_at'), 'cases', ['deleted_at'], unique=False)
    op.create_index('ix_cases_tenant_created', 'cases', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_cases_tenant_number', 'cases', ['tenant_id', 'number'], unique=True)
    op.create_index('ix_cases_tenant_owner', 'cases', ['tenant_id', 'owner_id'], unique=False)
    op.create_index('ix_cases_tenant_group', 'cases', ['tenant_id', 'group_id'], unique=False)
    op.create_index('ix_cases_tenant_account', 'cases', ['tenant_id', 'account_id'], unique=False)
    op.create_index('ix_cases_tenant_status', 'cases', ['tenant_id', 'status'], unique=False)
    op.create_index(
        'ix_cases_sla_running',
        'cases',
        ['resolution_due_at'],
        unique=False,
        postgresql_where=sa.text('deleted_at IS NULL AND sla_paused_at IS NULL'),
    )

    op.create_table(
        'case_comments',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.Column('from_customer', sa.Boolean(), nullable=False),
        sa.Column('author_id', sa.Uuid(), nullable=True),
        sa.Column('mentioned_user_ids', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_comments_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_comments')),
    )
    op.create_index('ix_case_comments_case', 'case_comments', ['tenant_id', 'case_id', 'created_at', 'id'], unique=False)

    op.create_table(
        'case_sla_pauses',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_sla_pauses_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_sla_pauses')),
    )
    op.create_index('ix_case_sla_pauses_case', 'case_sla_pauses', ['case_id', 'started_at'], unique=False)

    op.create_table(
        'case_counters',
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('tenant_id', 'year', name=op.f('pk_case_counters')),
    )
    op.create_table(
        'case_group_cursors',
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('group_id', sa.Uuid(), nullable=False),
        sa.Column('last_user_id', sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint('tenant_id', 'group_id', name=op.f('pk_case_group_cursors')),
    )


def downgrade() -> None:
    op.drop_table('case_group_cursors')
    op.drop_table('case_counters')
    op.drop_table('case_sla_pauses')
    op.drop_table('case_comments')
    op.drop_table('cases')
