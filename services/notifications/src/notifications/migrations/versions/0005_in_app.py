"""notifications: a notification may be kept out of the in-app centre

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 11:25:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'notifications',
        sa.Column('in_app', sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column('notifications', 'in_app')
