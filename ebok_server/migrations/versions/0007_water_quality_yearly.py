"""Water quality and yearly figures (EU Directive 2020/2184): supply zones, the streets each zone
supplies, the zones' laboratory results, and the household size a resident may give for the yearly
comparison (``household_sizes``; no row: the documented default).

Only new tables: existing customers have no row (the default household); no existing row changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "water_zones",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "water_zone_streets",
        sa.Column("street", sa.String(100), primary_key=True),
        sa.Column("zone_code", sa.String(20), sa.ForeignKey("water_zones.code", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_water_zone_streets_zone_code", "water_zone_streets", ["zone_code"])
    op.create_table(
        "water_quality_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("zone_code", sa.String(20), sa.ForeignKey("water_zones.code", ondelete="CASCADE"), nullable=False),
        sa.Column("sampled_on", sa.Date, nullable=False),
        sa.Column("parameter", sa.String(20), nullable=False),
        sa.Column("value_milli", sa.Integer, nullable=False),
        sa.UniqueConstraint("zone_code", "sampled_on", "parameter", name="uq_water_quality_zone_day_parameter"),
    )
    op.create_table(
        "household_sizes",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("persons", sa.Integer, nullable=False),
        sa.CheckConstraint("persons BETWEEN 1 AND 20", name="ck_household_sizes_persons"),
    )


def downgrade() -> None:
    op.drop_table("household_sizes")
    op.drop_table("water_quality_results")
    op.drop_index("ix_water_zone_streets_zone_code", table_name="water_zone_streets")
    op.drop_table("water_zone_streets")
    op.drop_table("water_zones")
