"""names unique among live roles, profiles and groups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("roles", "profiles", "groups")


def upgrade() -> None:
    for table in TABLES:
        op.drop_constraint(f"uq_{table}_tenant_id_name", table, type_="unique")
        op.create_index(
            f"uq_{table}_tenant_live_name", table, ["tenant_id", "name"], unique=True,
            postgresql_where=sa.text("deleted_at IS NULL"),
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"uq_{table}_tenant_live_name", table_name=table)
        op.create_unique_constraint(f"uq_{table}_tenant_id_name", table, ["tenant_id", "name"])
