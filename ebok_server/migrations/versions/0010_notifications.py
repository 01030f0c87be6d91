"""Notifications and unread markers (issue 12 feature 6): how far the resident has read each thread
(``thread_reads``), the resident's last two logins (``customer_visits``), e-mail preferences per
kind (``notification_preferences``) and the outbox of notification mails (``mail_outbox``, one per
customer, kind and event).

Data: every existing thread counts as read up to its newest message (residents upgraded to this
revision do not find every old reply marked unread); the other tables start empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_table(
        "thread_reads",
        sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("read_message_id", sa.Integer, nullable=False),
        sa.Column("read_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "customer_visits",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("last_login_at", sa.DateTime, nullable=False),
        sa.Column("previous_login_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("customer_id", "kind", "event_id", name="uq_mail_outbox_event"),
    )
    op.create_index("ix_mail_outbox_unsent", "mail_outbox", ["sent_at"])
    op.execute(
        "INSERT INTO thread_reads (thread_id, read_message_id, read_at) "
        "SELECT thread_id, max(id), max(created_at) FROM messages GROUP BY thread_id"
    )


def downgrade() -> None:
    op.drop_index("ix_mail_outbox_unsent", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("notification_preferences")
    op.drop_table("customer_visits")
    op.drop_table("thread_reads")
