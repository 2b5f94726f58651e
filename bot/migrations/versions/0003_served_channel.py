"""served channels: which desk process runs which chat channel (with a heartbeat)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "served_channel",
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("process_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_seen", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "process_id"),
    )
    op.create_index(op.f("ix_served_channel_last_seen"), "served_channel", ["last_seen"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_served_channel_last_seen"), table_name="served_channel")
    op.drop_table("served_channel")
