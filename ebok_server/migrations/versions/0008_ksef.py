"""KSeF (issue 12 feature 5): a customer is a person, a business or a housing community
(``customers.customer_type``, default ``person``) and a non-person has a NIP (``customers.nip``,
required for them, NULL for persons); invoices carry their KSeF state (``ksef_status``: none |
pending | offline | accepted), the number KSeF gave (unique, 35 characters, present exactly when
accepted), the invoice file itself (stored as made, so that its hash stays reproducible), its
SHA-256 (base64url) and when it was sent.

Existing customers become persons (the column default) and existing invoices ``none``: no row
changes meaning. The new columns are added in place (``ALTER TABLE ... ADD COLUMN`` with their
CHECK on SQLite, which cannot add a constraint to an existing table): ``customers`` is not rebuilt,
so its search triggers stay as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"

# The revision's own copy of the rules (models.py states the same).
_TYPE = "customer_type IN ('person', 'business', 'community')"
_NIP = (
    "(customer_type = 'person' AND nip IS NULL) OR (customer_type <> 'person' AND nip IS NOT NULL AND length(nip) = 10)"
)
_STATUS = "ksef_status IN ('none', 'pending', 'offline', 'accepted')"
_FILE = "(ksef_status = 'none') = (ksef_file IS NULL) AND (ksef_file IS NULL) = (ksef_sha256 IS NULL)"
_NUMBER = "(ksef_status = 'accepted') = (ksef_number IS NOT NULL)"

# table, column, type, NOT NULL default, CHECK name and rule
_COLUMNS = [
    ("customers", "customer_type", sa.String(10), "person", "ck_customers_customer_type", _TYPE),
    ("customers", "nip", sa.String(10), None, "ck_customers_nip", _NIP),
    ("invoices", "ksef_status", sa.String(10), "none", "ck_invoices_ksef_status", _STATUS),
    ("invoices", "ksef_file", sa.Text(), None, None, None),
    ("invoices", "ksef_sha256", sa.String(43), None, "ck_invoices_ksef_file", _FILE),
    ("invoices", "ksef_number", sa.String(35), None, "ck_invoices_ksef_number", _NUMBER),
    ("invoices", "ksef_sent_at", sa.DateTime(), None, None, None),
]


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table, column, type_, default, check, rule in _COLUMNS:
        ddl = type_.compile(dialect=bind.dialect)
        if default is not None:
            ddl += f" NOT NULL DEFAULT '{default}'"
        if sqlite and check:
            ddl += f" CONSTRAINT {check} CHECK ({rule})"
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
        if check and not sqlite:
            op.create_check_constraint(check, table, rule)
    op.create_index("uq_invoices_ksef_number", "invoices", ["ksef_number"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_invoices_ksef_number", table_name="invoices")
    # reversed: a column's CHECK may name a column added before it (SQLite drops a column only
    # when no other column's constraint refers to it)
    for table, column, *_ in reversed(_COLUMNS):
        op.drop_column(table, column)
