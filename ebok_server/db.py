"""Engine / session factory; portable between SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import uuid

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from .models import Base, Meta

SERVER_ID_KEY = "server_id"
DEMO_SERVER_ID = "demo"  # every --seed-demo database is the same deterministic data set


def make_engine(url: str) -> AsyncEngine:
    # Statement errors must not log their parameters: they can hold token and password hashes,
    # e-mail addresses and message bodies.
    kwargs: dict = {"hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_async_engine(url, **kwargs)
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
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


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
