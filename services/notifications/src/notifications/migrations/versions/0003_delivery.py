"""notifications: preferences, e-mail settings, e-mail queue, digests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:00:00.000000
"""

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
