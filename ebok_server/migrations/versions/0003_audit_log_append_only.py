"""``audit_log`` append-only in the database: triggers refuse every UPDATE and DELETE of an entry
(and TRUNCATE on PostgreSQL), whoever sends them. Only someone who may drop these triggers (the
schema owner) can change an entry, and ``ebok-server audit verify`` then finds the broken chain.

The statements are this revision's own (a released revision never changes); the tests use
:data:`APPEND_ONLY_DROP` and :data:`APPEND_ONLY_DDL` to play the schema owner.
"""

from alembic import op

revision = "0003"
down_revision = "0002"

MESSAGE = "audit_log is append-only"

APPEND_ONLY_DDL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION USING MESSAGE = '{MESSAGE} (' || TG_OP || ' refused)', "
        "ERRCODE = 'insufficient_privilege'; END $$",
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
    ],
}
APPEND_ONLY_DROP: dict[str, list[str]] = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "DROP FUNCTION IF EXISTS audit_log_refuse_change()",
    ],
}


def upgrade() -> None:
    for statement in APPEND_ONLY_DDL[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in APPEND_ONLY_DROP[op.get_bind().dialect.name]:
        op.execute(statement)
