"""Throwaway databases for the server tests: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL is used when ``EBOK_TEST_PG_URL`` names a database on a server where that user may
create databases (``.ci/run`` sets it: user postgres). Each call of :func:`create_database` makes
a new database ``ebok_t_<random>`` beside the one named in the URL, so every server and every
in-process test starts from an empty database of its own; :func:`drop_database` removes it (and
ends the connections a stopped or crashed server left behind).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.engine import make_url

PG_URL = os.environ.get("EBOK_TEST_PG_URL")
PG_SKIP_REASON = (
    "PostgreSQL not configured: set EBOK_TEST_PG_URL=postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB "
    "(a user that may create databases) to run the server tests against PostgreSQL too"
)
BACKENDS = ("sqlite", "postgresql")


def run_async(coro_fn, *args):
    """Run an async function to completion in a thread of its own (callable from inside a running loop)."""
    with ThreadPoolExecutor(max_workers=1) as ex:
        return ex.submit(asyncio.run, coro_fn(*args)).result()


def _dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


async def _admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn(PG_URL))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_database(backend: str, tmp_path: Path) -> str:
    """An empty database for ``backend``; returns its SQLAlchemy async URL."""
    if backend == "sqlite":
        tmp_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{tmp_path / f'ebok-{secrets.token_hex(4)}.db'}"
    assert backend == "postgresql" and PG_URL, PG_SKIP_REASON
    name = f"ebok_t_{secrets.token_hex(6)}"
    run_async(_admin, f'CREATE DATABASE "{name}"')
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def clone_database(url: str, tmp_path: Path) -> str:
    """A copy of the database at ``url`` (not in use: its engine disposed), e.g. of one seeded once:
    ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file copy on SQLite."""
    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        name = f"ebok_t_{secrets.token_hex(6)}"
        run_async(_admin, f'CREATE DATABASE "{name}" TEMPLATE "{u.database}"')
        return u.set(database=name).render_as_string(hide_password=False)
    target = tmp_path / f"ebok-{secrets.token_hex(4)}.db"
    shutil.copyfile(u.database, target)
    return f"sqlite+aiosqlite:///{target}"


def drop_database(url: str) -> None:
    """Remove a database made by :func:`create_database` (SQLite files go with their tmp dir)."""
    u = make_url(url)
    if u.get_backend_name() != "postgresql":
        return
    assert u.database and u.database.startswith("ebok_t_"), url
    run_async(_admin, f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
