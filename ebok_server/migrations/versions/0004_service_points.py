"""Several service points (punkty poboru) per customer: a ``service_points`` table; each contract
belongs to one point (the one-contract-per-customer rule becomes one contract per point); invoices
carry their point, and the billing run's "one invoice per customer and period" becomes one per
point and period. Meters and readings follow their contract.

Data: every existing contract becomes one point ``PP-<customer number>-01`` with the contract's
connection address (label and address alike), and the customer's invoices get that point.

On SQLite ``contracts`` and ``invoices`` are rebuilt (copy and move), which must run with foreign
keys off: ``DROP TABLE contracts`` would otherwise cascade to the meters and their readings.
:func:`ebok_server.schema.ensure_schema` turns them off around an upgrade; this revision refuses to
run with them on when ``contracts`` has rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

# SQLite's reflection has no name for the baseline's unnamed UNIQUE(customer_id) on contracts: the
# batch gives it this one so that it can be dropped (PostgreSQL's own name: contracts_customer_id_key).
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _refuse_cascading_rebuild(bind) -> None:
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: checked below
    if (
        bind.exec_driver_sql("PRAGMA foreign_keys").scalar()
        and bind.exec_driver_sql("SELECT count(*) FROM contracts").scalar()
    ):
        raise RuntimeError(
            "revision 0004 rebuilds the contracts table and must run with SQLite foreign keys off "
            "(ebok-server migrate does so); with them on, the meters and readings would be deleted"
        )


def _check_foreign_keys(bind) -> None:
    if bind.dialect.name == "sqlite":
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"revision 0004 left broken foreign keys: {broken[:5]}")


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_cascading_rebuild(bind)
    op.create_table(
        "service_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_service_points_customer_id", "service_points", ["customer_id"], unique=False)

    # One point per contract (at this revision a customer has at most one contract).
    op.execute(
        "INSERT INTO service_points (customer_id, code, label, address) "
        "SELECT c.customer_id, 'PP-' || cu.customer_number || '-01', substr(c.connection_address, 1, 100), "
        "c.connection_address FROM contracts c JOIN customers cu ON cu.id = c.customer_id ORDER BY c.id"
    )

    op.add_column("contracts", sa.Column("service_point_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE contracts SET service_point_id = "
        "(SELECT sp.id FROM service_points sp WHERE sp.customer_id = contracts.customer_id)"
    )
    with op.batch_alter_table("contracts", naming_convention=_SQLITE_NAMES) as batch:
        batch.alter_column("service_point_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(
            "contracts_customer_id_key" if bind.dialect.name == "postgresql" else "uq_contracts_customer_id",
            type_="unique",
        )
        batch.create_unique_constraint("uq_contracts_service_point", ["service_point_id"])
        batch.create_foreign_key(
            "fk_contracts_service_point_id", "service_points", ["service_point_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_contracts_customer_id", ["customer_id"], unique=False)

    op.add_column("invoices", sa.Column("service_point_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE invoices SET service_point_id = "
        "(SELECT sp.id FROM service_points sp WHERE sp.customer_id = invoices.customer_id)"
    )
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("uq_invoices_customer_billing_period", type_="unique")
        batch.create_unique_constraint("uq_invoices_point_billing_period", ["service_point_id", "billing_period"])
        batch.create_foreign_key(
            "fk_invoices_service_point_id", "service_points", ["service_point_id"], ["id"], ondelete="CASCADE"
        )
    _check_foreign_keys(bind)


def downgrade() -> None:
    bind = op.get_bind()
    _refuse_cascading_rebuild(bind)
    several = bind.exec_driver_sql(
        "SELECT count(*) FROM (SELECT customer_id FROM service_points GROUP BY customer_id HAVING count(*) > 1) AS s"
    ).scalar()
    if several:
        raise RuntimeError(
            f"{several} customer(s) have several service points: revision 0003 allows one contract "
            "per customer, so this downgrade would lose data"
        )
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("fk_invoices_service_point_id", type_="foreignkey")
        batch.drop_constraint("uq_invoices_point_billing_period", type_="unique")
        batch.create_unique_constraint("uq_invoices_customer_billing_period", ["customer_id", "billing_period"])
        batch.drop_column("service_point_id")
    with op.batch_alter_table("contracts") as batch:
        batch.drop_index("ix_contracts_customer_id")
        batch.drop_constraint("fk_contracts_service_point_id", type_="foreignkey")
        batch.drop_constraint("uq_contracts_service_point", type_="unique")
        batch.create_unique_constraint(
            "contracts_customer_id_key" if bind.dialect.name == "postgresql" else "uq_contracts_customer_id",
            ["customer_id"],
        )
        batch.drop_column("service_point_id")
    op.drop_index("ix_service_points_customer_id", table_name="service_points")
    op.drop_table("service_points")
    _check_foreign_keys(bind)
