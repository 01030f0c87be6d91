"""Schema migrations (ebok_server/schema.py, ebok_server/migrations): on SQLite and PostgreSQL.

* The revisions build exactly the models' schema (Alembic compares the two), plus the raw-DDL
  search objects.
* A database at the previous revision, full of demo data, is refused by a real server, upgraded by
  ``ebok-server migrate`` without losing a row, and then served.
* A database from before migrations (no ``alembic_version``) is taken to be the first revision.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, func, inspect, select, text

from ebok_server.__main__ import main as cli_main
from ebok_server.app import create_app
from ebok_server.config import Settings
from ebok_server.db import make_engine, make_sessionmaker
from ebok_server.schema import (
    BASELINE,
    SchemaOutOfDate,
    alembic_config,
    ensure_schema,
    head_revision,
    include_object,
    target_metadata,
)
from ebok_server.seed import seed_demo
from ebok_server.staff_seed import seed_demo_staff
from tests.asgi_server import LifespanASGITransport

TODAY = dt.date(2026, 11, 15)


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(head_revision()).down_revision
    assert isinstance(previous, str), "the test needs a single previous revision"
    return previous


async def _at_revision(url: str, revision: str) -> None:
    engine = make_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), revision))
        await conn.commit()
    await engine.dispose()


async def _seed(url: str) -> None:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        await seed_demo(session, TODAY)
        await seed_demo_staff(session)
        await session.commit()
    await engine.dispose()


#: The demo customer with several service points: a revision before 0004 has no room for it.
SEVERAL_POINTS = "10005"


async def _seed_at(url: str, revision: str) -> None:
    """The demo data (the current seed, at head) taken down to ``revision`` by the revisions'
    downgrades, without the customer with several service points (before 0004 a customer has one
    contract). The seed is written for the current models, so it cannot run at an old revision."""
    await _at_revision(url, "head")
    await _seed(url)
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM customers WHERE customer_number = :n"), {"n": SEVERAL_POINTS})
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # before the transaction: the downgrade rebuilds tables
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), revision))
        await conn.commit()
    await engine.dispose()


async def _snapshot(url: str) -> tuple[str | None, dict[str, int], dict[str, list]]:
    """Revision, row count of every table, and the full contents of the money and message tables
    (the tables and columns the database has: an older revision has fewer)."""
    engine = make_engine(url)
    async with engine.connect() as conn:
        revision = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        reflected = MetaData()
        await conn.run_sync(lambda c: reflected.reflect(c))
        counts = {}
        for table in target_metadata().sorted_tables:
            if table.name in reflected.tables:
                counts[table.name] = await conn.scalar(select(func.count()).select_from(table))
        rows = {}
        for name in ("invoices", "payments", "readings", "messages", "customers", "audit_log", "contracts"):
            table = target_metadata().tables[name]
            columns = [c for c in table.columns if c.name in reflected.tables[name].columns]
            rows[name] = [tuple(r) for r in await conn.execute(select(*columns).order_by(*table.primary_key))]
    await engine.dispose()
    return revision, counts, rows


def _same_rows_in_old_columns(before: dict[str, list], after: dict[str, list]) -> None:
    """``after`` (at head) has every row of ``before`` (older), column for column; new columns are
    checked by the revision's own test."""
    for name, rows in before.items():
        width = len(rows[0]) if rows else 0
        columns = [c.name for c in target_metadata().tables[name].columns]
        assert len(after[name]) == len(rows), name
        if rows and len(after[name][0]) != width:  # columns added since: compare the old ones
            kept = [i for i, c in enumerate(columns) if c != "service_point_id"]
            assert [tuple(r[i] for i in kept) for r in after[name]] == rows, name
        else:
            assert after[name] == rows, name


async def _check_one_point_per_contract(conn) -> None:
    points = (
        await conn.execute(
            text(
                "SELECT cu.customer_number, sp.code, sp.address, c.connection_address, sp.customer_id, "
                "c.customer_id FROM contracts c JOIN service_points sp ON sp.id = c.service_point_id "
                "JOIN customers cu ON cu.id = sp.customer_id"
            )
        )
    ).all()
    assert len(points) == await conn.scalar(text("SELECT count(*) FROM contracts")) > 0
    assert await conn.scalar(text("SELECT count(*) FROM service_points")) == len(points)
    for number, code, address, connection_address, point_customer, contract_customer in points:
        assert code == f"PP-{number}-01" and address == connection_address
        assert point_customer == contract_customer
    # every invoice has its customer's point; the meters (and their readings) follow the contract
    assert (
        await conn.scalar(
            text(
                "SELECT count(*) FROM invoices i LEFT JOIN service_points sp ON sp.id = i.service_point_id "
                "WHERE sp.customer_id IS NULL OR sp.customer_id <> i.customer_id"
            )
        )
        == 0
    )
    assert await conn.scalar(text("SELECT count(*) FROM meters m JOIN contracts c ON c.id = m.contract_id")) == (
        await conn.scalar(text("SELECT count(*) FROM meters"))
    )


def _schema_diff(conn) -> list:
    ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
    return compare_metadata(ctx, target_metadata())


async def test_the_revisions_build_the_models_schema(backend, fresh_db_url):
    engine = make_engine(fresh_db_url)
    state = await ensure_schema(engine, upgrade=False)  # an empty database is created at head
    assert (state.before, state.after) == (None, head_revision())
    async with engine.connect() as conn:
        assert await conn.run_sync(_schema_diff) == []
        if backend == "sqlite":
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
            assert "customer_search_fts" in names
            triggers = await conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            assert {"customer_search_ai", "customer_search_ad", "customer_search_au"} <= set(triggers)
        else:
            assert await conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")) == 1
            indexes = await conn.run_sync(lambda c: [i["name"] for i in inspect(c).get_indexes("customer_search")])
            assert "ix_customer_search_doc_trgm" in indexes
    await engine.dispose()


async def test_a_database_at_the_previous_revision_is_upgraded_without_loss(backend, fresh_db_url, capsys):
    previous = _previous_revision()
    await _seed_at(fresh_db_url, previous)
    before_rev, before_counts, before_rows = await _snapshot(fresh_db_url)
    assert before_rev == previous and before_counts["invoices"] > 0 and before_counts["messages"] > 0

    # A real (non-demo) server refuses an old schema, saying what to run; nothing is changed.
    app = create_app(Settings(db_url=fresh_db_url, today=TODAY))
    with pytest.raises(SchemaOutOfDate, match=f"at schema revision {previous}.*ebok-server migrate"):
        async with app.router.lifespan_context(app):
            pass
    assert (await _snapshot(fresh_db_url))[0] == previous

    assert await asyncio.to_thread(cli_main, ["migrate", "--db", fresh_db_url]) == 0
    assert f"upgraded from {previous} to revision {head_revision()}" in capsys.readouterr().out
    after_rev, after_counts, after_rows = await _snapshot(fresh_db_url)
    assert after_rev == head_revision()
    new_tables = set(after_counts) - set(before_counts)
    assert {name: after_counts[name] for name in before_counts} == before_counts
    assert all(after_counts[name] == before_counts["contracts"] for name in new_tables & {"service_points"})
    _same_rows_in_old_columns(before_rows, after_rows)
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_schema_diff) == []
        if previous == "0003":  # revision 0004: each contract became its customer's one service point
            await _check_one_point_per_contract(conn)
    await engine.dispose()

    # ... and the upgraded database serves: a demo resident logs in and sees the same invoices.
    transport = LifespanASGITransport(Settings(db_url=fresh_db_url, today=TODAY))
    async with httpx.AsyncClient(transport=transport, base_url="http://ebok.test/api/v1") as c:
        r = await c.post("/auth/login", json={"customer_number": "10001", "password": "woda-10001"})
        assert r.status_code == 200, r.text
        r = await c.get("/invoices", headers={"Authorization": f"Bearer {r.json()['token']}"})
        assert r.status_code == 200 and r.json()["total"] > 0
    assert await asyncio.to_thread(cli_main, ["migrate", "--db", fresh_db_url]) == 0
    assert "already at revision" in capsys.readouterr().out


async def test_the_sqlite_demo_upgrades_itself_and_a_database_without_version_is_the_baseline(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await _seed_at(url, BASELINE)
    engine = make_engine(url)
    async with engine.begin() as conn:  # what create_all made before migrations existed
        await conn.execute(text("DROP TABLE alembic_version"))
    await engine.dispose()
    _, counts, rows = await _snapshot(url)

    transport = LifespanASGITransport(Settings(db_url=url, today=TODAY, demo=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://ebok.test/api/v1") as c:
        assert (await c.get("/health")).status_code == 200  # the lifespan has run: upgraded at start
        revision, after_counts, after_rows = await _snapshot(url)
        assert revision == head_revision()
        assert {name: after_counts[name] for name in counts} == counts
        _same_rows_in_old_columns(rows, after_rows)
        r = await c.post("/auth/login", json={"customer_number": "10002", "password": "woda-10002"})
        assert r.status_code == 200, r.text
