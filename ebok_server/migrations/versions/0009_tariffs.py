"""Tariffs (issue 12 feature 4): ``tariffs`` holds each tariff group's prices (water and sewage per
m3, the monthly billing fee with and without e-FAKTURA: net price, VAT rate, validity period), and
``invoice_lines.tariff_id`` names the row a line was priced by. The billing run reads its prices from
this table instead of constants in the code.

Data: the rates the code charged until now become each group's first, open tariff rows (every group
a contract has, and G1-G3), valid from the earliest billed period (2015-01-01 at the latest), and
every existing line whose price and VAT rate are its group's row gets that row's id; lines priced
otherwise keep NULL.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"

# The rates of the code before this revision (billing.py's constants), net zloty and VAT percent:
# the fee was 1,00 zl / 2,33 zl gross, i.e. 0,93 zl / 2,16 zl net plus 8% (the same gross).
_RATES = (
    ("water", "m3", "5.87"),
    ("sewage", "m3", "8.24"),
    ("fee_efaktura", "szt", "0.93"),
    ("fee_paper", "szt", "2.16"),
)
_VAT_RATE = 8
_GROUPS = ("G1", "G2", "G3")
_LATEST_START = dt.date(2015, 1, 1)


def upgrade() -> None:
    tariffs = op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tariff_group", sa.String(length=10), nullable=False),
        sa.Column("component", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("price_net", sa.Numeric(10, 2), nullable=False),
        sa.Column("vat_rate", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "component IN ('water', 'sewage', 'fee_efaktura', 'fee_paper')", name="ck_tariffs_component"
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_tariffs_period"),
        sa.CheckConstraint("price_net >= 0 AND vat_rate BETWEEN 0 AND 100", name="ck_tariffs_price"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tariff_group", "component", "valid_from", name="uq_tariffs_group_component_from"),
    )
    op.create_index(
        "uq_tariffs_group_component_open",
        "tariffs",
        ["tariff_group", "component"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("tariff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_invoice_lines_tariff_id_tariffs", "tariffs", ["tariff_id"], ["id"], ondelete="RESTRICT"
        )

    conn = op.get_bind()
    groups = set(_GROUPS) | set(conn.scalars(sa.text("SELECT DISTINCT tariff_group FROM contracts")))
    earliest = conn.scalar(sa.text("SELECT MIN(period_from) FROM invoices"))
    if isinstance(earliest, str):  # SQLite's text dates through a plain text() query
        earliest = dt.date.fromisoformat(earliest)
    start = min(earliest, _LATEST_START) if earliest else _LATEST_START
    op.bulk_insert(
        tariffs,
        [
            dict(tariff_group=g, component=c, unit=u, price_net=p, vat_rate=_VAT_RATE, valid_from=start)
            for g in sorted(groups)
            for c, u, p in _RATES
        ],
    )
    op.execute(
        """
        UPDATE invoice_lines SET tariff_id = (
            SELECT t.id FROM invoices i
            JOIN contracts c ON c.service_point_id = i.service_point_id
            JOIN tariffs t ON t.tariff_group = c.tariff_group AND t.component = CASE
                WHEN invoice_lines.kind <> 'fee' THEN invoice_lines.kind
                WHEN i.efaktura THEN 'fee_efaktura' ELSE 'fee_paper' END
            WHERE i.id = invoice_lines.invoice_id
              AND CAST(ROUND(t.price_net * 100) AS INTEGER) = invoice_lines.unit_price_net
              AND t.vat_rate = invoice_lines.vat_rate
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_constraint("fk_invoice_lines_tariff_id_tariffs", type_="foreignkey")
        batch.drop_column("tariff_id")
    op.drop_index("uq_tariffs_group_component_open", table_name="tariffs")
    op.drop_table("tariffs")
