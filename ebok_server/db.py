"""Engine / session factory; portable between SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import Select, event, exc, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from . import search, staff_models  # noqa: F401 - staff tables on Base; search index kept up on flush
from .models import Meta
from .schema import ensure_schema

SERVER_ID_KEY = "server_id"
DEMO_SERVER_ID = "demo"  # every --seed-demo database is the same deterministic data set


def private_sqlite_file(url: str) -> None:
    """Make a SQLite database file readable by this user only (0600), creating it empty if absent.

    SQLite gives the ``-wal``, ``-shm`` and ``-journal`` files it creates the mode of the database
    file, so they are 0600 too (ones left over from an earlier run are tightened here as well)."""
    u = make_url(url)
    path = u.database
    if u.get_backend_name() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.exists(name):
            os.chmod(name, 0o600)


def make_engine(url: str) -> AsyncEngine:
    # Statement errors must not log their parameters: they can hold token and password hashes,
    # e-mail addresses and message bodies.
    kwargs: dict = {"hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
        private_sqlite_file(url)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "postgresql":
        # A connection from the pool is checked before use, so after a database restart the next
        # request reconnects instead of failing on a dead connection. The check is local: a restart
        # or shutdown closes the server's end of every connection, and asyncpg, reading its idle
        # sockets on the event loop, marks them closed. (SQLAlchemy's pool_pre_ping would cost three
        # round trips on every checkout: BEGIN, an empty statement, ROLLBACK.) A connection that
        # dies unnoticed fails its statement, which answers 503 and invalidates the pool.
        @event.listens_for(engine.sync_engine, "checkout")
        def _closed_connection_is_gone(dbapi_conn, _record, _proxy):
            if dbapi_conn.driver_connection.is_closed():
                raise exc.DisconnectionError("the database closed this connection")

    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_tables(engine: AsyncEngine) -> None:
    """An empty database gets the newest schema (the migrations, ``schema.ensure_schema``); one at an
    older revision raises :class:`~ebok_server.schema.SchemaOutOfDate` (``ebok-server migrate``)."""
    await ensure_schema(engine, upgrade=False)


def insert_ignoring_conflict(session: AsyncSession, model):
    """``INSERT ... ON CONFLICT DO NOTHING`` for the session's dialect (an atomic "create if absent")."""
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model).on_conflict_do_nothing()


async def ensure_server_id(engine: AsyncEngine, default: str | None = None) -> str:
    """This database's identity (``/health`` ``server_id``), created once and then kept.

    Clients key what they store locally (unsent drafts) by it, so it must not change when the
    server restarts or moves to another address. Created by an atomic insert: concurrent starts on
    one database agree on a single id (the loser's insert fails on the primary key and it reads
    the winner's)."""
    async with make_sessionmaker(engine)() as session:
        existing = await session.scalar(select(Meta.value).where(Meta.key == SERVER_ID_KEY))
        if existing:
            return existing
        session.add(Meta(key=SERVER_ID_KEY, value=default or uuid.uuid4().hex))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
        return await session.scalar(select(Meta.value).where(Meta.key == SERVER_ID_KEY))


async def counted_page(db: AsyncSession, table, conds: list, stmt: Select, offset: int, limit: int) -> tuple[int, list]:
    """A listing's page: how many rows of ``table`` match ``conds`` (one count on that table alone),
    and the rows ``offset``..``offset + limit`` of ``stmt`` (the listing's select with its joins and
    order) restricted to ``conds``."""
    total = await db.scalar(select(func.count()).select_from(table).where(*conds))
    rows = (await db.execute(stmt.where(*conds).offset(offset).limit(limit))).all()
    return total, list(rows)
