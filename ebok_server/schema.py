"""The database schema's version: Alembic revisions in ``ebok_server/migrations`` (docs/migrations.md).

* An empty database is created at the newest revision (``head``) by whoever opens it first: the
  server, ``ebok-server migrate`` or another subcommand.
* A database at an older revision is upgraded only by ``ebok-server migrate`` — or, for the SQLite
  demo (``--seed-demo`` on a SQLite file), by the server at start. A real server on an old schema
  refuses to start (:class:`SchemaOutOfDate` names the command), so that an upgrade is a deliberate
  step (backup first) and N server processes never race to migrate one database.
* A database made before migrations existed (tables, no ``alembic_version``) is taken to be at the
  first revision, which is exactly the schema those versions created.

On PostgreSQL every check and upgrade runs in one transaction holding an advisory lock, so servers
started together on one database agree: one creates or upgrades, the others then find ``head``.
DDL is transactional there: a failed upgrade leaves the database at the revision it had.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from . import search, staff_models  # noqa: F401 - every table on Base
from .models import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The first revision: the schema of the versions that created tables with ``create_all``.
BASELINE = "0001"
#: pg_advisory_xact_lock key held while the schema is checked or changed ("ebok" in ASCII).
_PG_LOCK = 0x65626F6B
#: Objects the revisions create with raw DDL (not in the ORM metadata): SQLite's FTS5 table and its
#: shadow tables, PostgreSQL's pg_trgm index. Autogenerate and the schema test must not drop them.
RAW_DDL_PREFIXES = ("customer_search_fts", "ix_customer_search_doc_trgm")


def target_metadata():
    return Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave alone what the revisions create by raw DDL."""
    return not (reflected and compare_to is None and name and name.startswith(RAW_DDL_PREFIXES))


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration, without an ``alembic.ini`` (works from a wheel or editable install)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _script() -> ScriptDirectory:
    """The revisions, read once per process (reading them again for every database costs more than
    creating a small database)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _script().get_current_head()


def configure(context: EnvironmentContext, connection: Connection) -> None:
    """The migration context's options (``env.py`` for the alembic command line, :func:`_upgrade`)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER on SQLite: copy-and-move
        compare_type=True,
    )


def _upgrade(conn: Connection, destination: str = "head") -> None:
    """``alembic upgrade`` on ``conn`` with the cached revisions (what ``command.upgrade`` does,
    without reading the files again)."""
    script = _script()
    with EnvironmentContext(
        alembic_config(conn),
        script,
        fn=lambda rev, _ctx: script._upgrade_revs(destination, rev),
        destination_rev=destination,
    ) as context:
        configure(context, conn)
        with context.begin_transaction():
            context.run_migrations()


class SchemaOutOfDate(RuntimeError):
    """The database is at another revision than this server's code (older, or unknown: newer)."""


@dataclass
class SchemaState:
    before: str | None  # revision found (None: empty database)
    after: str  # revision now


def _current(conn: Connection) -> str | None:
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None and inspect(conn).has_table("customers"):
        return BASELINE  # made by create_all before migrations existed
    return current


def _ensure(conn: Connection, upgrade: bool, db_label: str) -> SchemaState:
    if conn.dialect.name == "sqlite":
        # Before any statement opens the transaction (the PRAGMA is a no-op inside one): a
        # revision that rebuilds a table (copy and move) must not cascade its DROP TABLE to the
        # rows that reference it. ensure_schema turns foreign keys back on after the commit.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    head = head_revision()
    current = _current(conn)
    if current == head:
        return SchemaState(current, head)
    if current is not None:
        try:
            known = _script().get_revision(current) is not None
        except Exception:  # alembic raises for an unknown id
            known = False
        if not known:
            raise SchemaOutOfDate(
                f"the database {db_label} is at schema revision {current}, which this version of "
                f"ebok-server does not know (it knows up to {head}): is it newer than this program?"
            )
        if not upgrade:
            raise SchemaOutOfDate(
                f"the database {db_label} is at schema revision {current}, this server needs {head}. "
                f"Back it up, then run: ebok-server migrate --db {db_label}"
            )
        if MigrationContext.configure(conn).get_current_revision() is None:
            command.stamp(alembic_config(conn), BASELINE)
    _upgrade(conn)
    return SchemaState(current, head)


async def ensure_schema(engine: AsyncEngine, *, upgrade: bool) -> SchemaState:
    """Create an empty database at ``head``; upgrade an old one if ``upgrade``, else raise
    :class:`SchemaOutOfDate`. One transaction (and, on PostgreSQL, one advisory lock)."""
    label = engine.url.render_as_string(hide_password=True)
    async with engine.connect() as conn:
        state = await conn.run_sync(_ensure, upgrade, label)
        await conn.commit()
        if engine.dialect.name == "sqlite":
            await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    return state


def drop_all(conn: Connection) -> None:
    """Drop every table, the raw-DDL objects and the version table (tests and benchmarks that reuse
    one database); the next :func:`ensure_schema` creates it anew at ``head``."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TABLE IF EXISTS customer_search_fts")
    target_metadata().drop_all(conn)
    conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
