"""question statistics for the programme report

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("municipality", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("out_of_scope", sa.Boolean(), nullable=False),
        sa.Column("clarify", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("top_route", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("servant_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("general_desk", sa.Boolean(), nullable=False),
        sa.Column("gap", sa.Boolean(), nullable=False),
        sa.Column("gap_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_question_stat_at"), "question_stat", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_question_stat_at"), table_name="question_stat")
    op.drop_table("question_stat")
