"""Notices of failures and planned interruptions of supply (``notices``)."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("streets", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("text_pl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("kind IN ('failure', 'planned')", name="ck_notices_kind"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_notices_period"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notices_ends_at", "notices", ["ends_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notices_ends_at", table_name="notices")
    op.drop_table("notices")
