"""Index ``last_at_ms`` of the login throttles: the cleanup that runs every minute
(``throttle._cleanup``) deletes the rows quiet for ``login_reset_after_s``; without an index that
DELETE scans the whole table, which a password spray over many customer numbers makes large (one
row per number tried: up to 100,000), while holding SQLite's write lock.
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_index("ix_login_throttle_last_at_ms", "login_throttle", ["last_at_ms"])
    op.create_index("ix_staff_login_throttle_last_at_ms", "staff_login_throttle", ["last_at_ms"])


def downgrade() -> None:
    op.drop_index("ix_staff_login_throttle_last_at_ms", table_name="staff_login_throttle")
    op.drop_index("ix_login_throttle_last_at_ms", table_name="login_throttle")
