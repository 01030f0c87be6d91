"""Notification mails of the scheduled job (issue 12 feature 6): ``mail_outbox.event_id`` becomes a
text key, because a reading window (meter and billing period) or a meter's legalisation (meter and
date) is no single row id. The unique rule (one mail per customer, kind and event) is unchanged.

Data: every existing row keeps its event, the id written as text ("123"). On SQLite the table is
rebuilt (batch mode), on PostgreSQL the column is converted in place. Downgrade: the rows of the new
kinds (notice, reading_window, legalisation) cannot be expressed as an integer and are deleted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    with op.batch_alter_table("mail_outbox") as batch:
        batch.alter_column(
            "event_id",
            existing_type=sa.Integer(),
            type_=sa.String(40),
            existing_nullable=False,
            postgresql_using="event_id::text",
        )


def downgrade() -> None:
    op.execute("DELETE FROM mail_outbox WHERE kind NOT IN ('reply', 'invoice')")
    with op.batch_alter_table("mail_outbox") as batch:
        batch.alter_column(
            "event_id",
            existing_type=sa.String(40),
            type_=sa.Integer(),
            existing_nullable=False,
            postgresql_using="event_id::integer",
        )
