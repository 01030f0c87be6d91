"""e-FAKTURA confirmed by a code and its consent recorded (issue 12 feature 7, art. 106n VAT act):
``efaktura_pending`` holds a resident's unconfirmed request (address, salted hash of the 6-digit
code, expiry, attempts; the primary key is the customer, so at most one per customer and a new
request replaces the old one in one upsert), and ``efaktura_consents`` the history of consent given,
withdrawn and address changes (terms version, channel, the staff member for the counter). The
history is append-only in the database like ``audit_log`` (revision 0003): triggers refuse every
UPDATE and DELETE of a row (and TRUNCATE on PostgreSQL). Data: each customer with e-FAKTURA on
today gets a row ``given`` with channel ``before_history`` at its activation time (no terms
version: nobody knows what was accepted then).

The trigger statements are this revision's own (tests use :data:`APPEND_ONLY_DDL` and
:data:`APPEND_ONLY_DROP` to play the schema owner). The triggers are per row, so deleting a customer
without history (or a cascade that touches no row) is not refused; a customer with history cannot
be deleted (the foreign key restricts): the record of consent outlives the wish to tidy up.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"

TABLE = "efaktura_consents"
MESSAGE = f"{TABLE} is append-only"
_REFUSE = f"{TABLE}_refuse_change"
_SQLITE_TRIGGERS = {f"{TABLE}_no_update": "UPDATE", f"{TABLE}_no_delete": "DELETE"}
#: PostgreSQL: per row for UPDATE and DELETE (a cascade that touches no row is not refused), per
#: statement for TRUNCATE (which has no rows).
_PG_TRIGGERS = {f"{TABLE}_append_only": ("UPDATE OR DELETE", "ROW"), f"{TABLE}_no_truncate": ("TRUNCATE", "STATEMENT")}

APPEND_ONLY_DDL: dict[str, list[str]] = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op_} ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for name, op_ in _SQLITE_TRIGGERS.items()
    ],
    "postgresql": [
        f"CREATE OR REPLACE FUNCTION {_REFUSE}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION USING MESSAGE = '{MESSAGE} (' || TG_OP || ' refused)', "
        "ERRCODE = 'insufficient_privilege'; END $$",
        *(
            statement
            for name, (events, level) in _PG_TRIGGERS.items()
            for statement in (
                f"DROP TRIGGER IF EXISTS {name} ON {TABLE}",
                f"CREATE TRIGGER {name} BEFORE {events} ON {TABLE} FOR EACH {level} EXECUTE FUNCTION {_REFUSE}()",
            )
        ),
    ],
}
APPEND_ONLY_DROP: dict[str, list[str]] = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS],
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in _PG_TRIGGERS),
        f"DROP FUNCTION IF EXISTS {_REFUSE}()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "efaktura_pending",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("terms_version", sa.String(20), nullable=False),
        sa.Column("code_salt", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.CheckConstraint("attempts >= 0", name="ck_efaktura_pending_attempts"),
    )
    consents = op.create_table(
        "efaktura_consents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("terms_version", sa.String(20), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.Integer, nullable=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.CheckConstraint("event IN ('given', 'withdrawn', 'address_changed')", name="ck_efaktura_consents_event"),
        sa.CheckConstraint("channel IN ('app', 'staff', 'before_history')", name="ck_efaktura_consents_channel"),
        sa.CheckConstraint("(channel = 'staff') = (staff_id IS NOT NULL)", name="ck_efaktura_consents_staff"),
        sa.CheckConstraint(
            "channel = 'before_history' OR terms_version IS NOT NULL OR event = 'withdrawn'",
            name="ck_efaktura_consents_terms",
        ),
    )
    op.create_index("ix_efaktura_consents_customer_at", "efaktura_consents", ["customer_id", "at"])
    customers = sa.table(
        "customers",
        sa.column("id", sa.Integer),
        sa.column("efaktura_active", sa.Boolean),
        sa.column("efaktura_email", sa.String),
        sa.column("efaktura_activated_at", sa.DateTime),
    )
    op.execute(
        consents.insert().from_select(
            ["customer_id", "event", "email", "channel", "at"],
            sa.select(
                customers.c.id,
                sa.literal("given"),
                customers.c.efaktura_email,
                sa.literal("before_history"),
                customers.c.efaktura_activated_at,
            )
            .where(customers.c.efaktura_active.is_(True))
            .order_by(customers.c.id),
        )
    )
    for statement in APPEND_ONLY_DDL[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in APPEND_ONLY_DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("ix_efaktura_consents_customer_at", table_name="efaktura_consents")
    op.drop_table("efaktura_consents")
    op.drop_table("efaktura_pending")
