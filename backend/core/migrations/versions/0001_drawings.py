"""The drawings table: corrections and shared drawings, with their strokes and picture.

Revision ID: 0001
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "drawings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("label", sa.SmallInteger(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("predicted", sa.SmallInteger(), nullable=False),
        sa.Column("probabilities", JSON, nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("strokes", JSON, nullable=False),
        sa.Column("canvas_width", sa.Integer(), nullable=False),
        sa.Column("canvas_height", sa.Integer(), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("label IS NULL OR (label >= 0 AND label <= 9)", name="label_is_a_digit"),
        sa.CheckConstraint("predicted >= 0 AND predicted <= 9", name="predicted_is_a_digit"),
    )
    op.create_index("ix_drawings_created_at", "drawings", ["created_at"])
    op.create_index("ix_drawings_label", "drawings", ["label"])


def downgrade() -> None:
    op.drop_index("ix_drawings_label", table_name="drawings")
    op.drop_index("ix_drawings_created_at", table_name="drawings")
    op.drop_table("drawings")
