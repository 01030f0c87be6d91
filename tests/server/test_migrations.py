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
import importlib

import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from ebok_server.__main__ import main as cli_main
from ebok_server.app import create_app
from ebok_server.config import Settings
from ebok_server.db import make_engine, make_sessionmaker
from ebok_server.models import EfakturaConsent
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


async def _at_revision(url: str, revision: str, *, down: bool = False) -> None:
    engine = make_engine(url)
    step = command.downgrade if down else command.upgrade
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # before the transaction: 0004 rebuilds tables (ensure_schema does the same)
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await conn.run_sync(lambda c: step(alembic_config(c), revision))
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


async def _seeded_at(url: str, revision: str, *, one_point_each: bool = False) -> None:
    """A database at ``revision`` full of demo data: seeded by today's code at head, then taken
    down to ``revision`` (the seed writes today's models, which an older schema lacks columns of).
    ``one_point_each``: without the customer with several service points, for a revision before
    0004 (one contract per customer), whose downgrade refuses to lose them."""
    await _at_revision(url, "head")
    await _seed(url)
    engine = make_engine(url)
    if one_point_each:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM customers WHERE customer_number = :n"), {"n": SEVERAL_POINTS})
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # before the transaction: 0004's downgrade rebuilds tables
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), revision))
        await conn.commit()
    await engine.dispose()


async def _snapshot(url: str) -> tuple[str | None, dict[str, int], dict[str, list]]:
    """Revision, row count of every table the database has, and the full contents of the money and
    message tables (as column -> value, the database's own columns)."""
    engine = make_engine(url)
    async with engine.connect() as conn:
        revision = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        meta = MetaData()
        await conn.run_sync(lambda c: meta.reflect(c, only=lambda name, _: name in target_metadata().tables))
        counts = {}
        for table in meta.sorted_tables:
            counts[table.name] = await conn.scalar(select(func.count()).select_from(table))
        rows = {}
        for name in ("invoices", "payments", "readings", "messages", "customers", "audit_log"):
            table = meta.tables[name]
            result = await conn.execute(select(table).order_by(*table.primary_key))
            rows[name] = [dict(r._mapping) for r in result]
    await engine.dispose()
    return revision, counts, rows


def _kept(before: dict[str, list], after: dict[str, list]) -> dict[str, list]:
    """``after`` restricted to the columns ``before`` had (a revision may add columns)."""
    return {
        name: [{k: row[k] for k in before[name][0]} if before[name] else row for row in after[name]] for name in before
    }


def _counts_kept(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """``after``'s counts of the tables ``before`` had (a revision may add tables: they start empty,
    but for 0004's service points: one per contract, 0009's tariffs: four per tariff group, 0010's read
    marks: one per thread, and 0011's consent history: one row per customer with e-FAKTURA on,
    checked by the revision's own test)."""
    added = after.keys() - before.keys()
    assert all(after[name] == 0 for name in added - {"service_points", "tariffs", "thread_reads", "efaktura_consents"})
    if "service_points" in added:
        assert after["service_points"] == before["contracts"]
    if "tariffs" in added:
        assert after["tariffs"] == 4 * 3  # G1-G3 (the demo's contracts have no other group)
    if "thread_reads" in added:
        assert after["thread_reads"] == before["threads"]
    return {name: after[name] for name in before}


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
    await _seeded_at(fresh_db_url, previous)
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
    assert _counts_kept(before_counts, after_counts) == before_counts
    assert _kept(before_rows, after_rows) == before_rows
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_schema_diff) == []
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


async def test_revision_0004_makes_each_contract_a_service_point(backend, fresh_db_url):
    await _seeded_at(fresh_db_url, "0003", one_point_each=True)
    _, before_counts, before_rows = await _snapshot(fresh_db_url)
    assert before_counts["contracts"] > 0 and "service_points" not in before_counts
    await _at_revision(fresh_db_url, "head")
    _, after_counts, after_rows = await _snapshot(fresh_db_url)
    assert {name: after_counts[name] for name in before_counts} == before_counts
    assert _kept(before_rows, after_rows) == before_rows
    assert after_counts["service_points"] == before_counts["contracts"]
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        await _check_one_point_per_contract(conn)
        assert await conn.run_sync(_schema_diff) == []
    await engine.dispose()


async def test_revision_0009_makes_the_charged_rates_the_first_tariffs_and_links_the_lines(backend, fresh_db_url):
    await _seeded_at(fresh_db_url, "0007")
    engine = make_engine(fresh_db_url)
    async with engine.begin() as conn:  # a group only a contract has gets the rates too
        await conn.execute(text("UPDATE contracts SET tariff_group = 'X7' WHERE number = 'UM/2015/00123'"))
        await conn.execute(text("UPDATE invoice_lines SET unit_price_net = 600 WHERE id = 1"))  # not the old price
    await engine.dispose()
    _, before_counts, before_rows = await _snapshot(fresh_db_url)
    await _at_revision(fresh_db_url, "head")
    _, after_counts, after_rows = await _snapshot(fresh_db_url)
    assert {name: after_counts[name] for name in before_counts} == before_counts
    assert _kept(before_rows, after_rows) == before_rows
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT tariff_group, component, unit, price_net, vat_rate, valid_from, valid_to FROM tariffs")
            )
        ).all()
        expected = {("water", "m3", "5.87"), ("sewage", "m3", "8.24"), ("fee_efaktura", "szt", "0.93")}
        expected.add(("fee_paper", "szt", "2.16"))
        for group in ("G1", "G2", "G3", "X7"):
            mine = [r for r in rows if r[0] == group]
            assert {(c, u, f"{float(p):.2f}") for _, c, u, p, *_ in mine} == expected
            assert {(v, str(f), t) for *_, v, f, t in mine} == {(8, "2015-01-01", None)}
        assert len(rows) == 16
        unlinked = (
            await conn.execute(text("SELECT id, unit_price_net FROM invoice_lines WHERE tariff_id IS NULL"))
        ).all()
        assert unlinked == [(1, 600)]
        mismatched = await conn.scalar(
            text(
                "SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
                "JOIN contracts c ON c.service_point_id = i.service_point_id JOIN tariffs t ON t.id = l.tariff_id "
                "WHERE t.tariff_group <> c.tariff_group OR CAST(ROUND(t.price_net * 100) AS INTEGER) <> l.unit_price_net "
                "OR (l.kind = 'fee') <> (t.component LIKE 'fee%') OR (l.kind = 'fee' AND i.efaktura <> "
                "(t.component = 'fee_efaktura'))"
            )
        )
        assert mismatched == 0
        efaktura_fees = await conn.scalar(
            text(
                "SELECT count(*) FROM invoice_lines l JOIN tariffs t ON t.id = l.tariff_id WHERE t.component = 'fee_efaktura'"
            )
        )
        assert efaktura_fees > 0


async def test_revision_0010_marks_every_existing_thread_read(backend, fresh_db_url):
    """Residents upgraded to 0010 find no old reply marked unread: each thread is read up to its
    newest message; the other new tables start empty."""
    await _seeded_at(fresh_db_url, "0007")
    await _at_revision(fresh_db_url, "head")
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        marks = (await conn.execute(text("SELECT thread_id, read_message_id FROM thread_reads"))).all()
        newest = (await conn.execute(text("SELECT thread_id, max(id) FROM messages GROUP BY thread_id"))).all()
        assert sorted(marks) == sorted(newest) and len(marks) == await conn.scalar(text("SELECT count(*) FROM threads"))
        for table in ("customer_visits", "notification_preferences", "mail_outbox"):
            assert await conn.scalar(text(f"SELECT count(*) FROM {table}")) == 0
        assert await conn.run_sync(_schema_diff) == []
    await engine.dispose()


async def test_revision_0011_records_the_consent_of_e_faktura_on_before_history(backend, fresh_db_url):
    revision = importlib.import_module("ebok_server.migrations.versions.0011_efaktura_consent")
    await _seeded_at(fresh_db_url, revision.down_revision)
    _, before_counts, before_rows = await _snapshot(fresh_db_url)
    active = [c for c in before_rows["customers"] if c["efaktura_active"]]
    assert active and "efaktura_consents" not in before_counts
    await _at_revision(fresh_db_url, revision.revision)
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        h = EfakturaConsent
        rows = (
            await conn.execute(
                select(h.customer_id, h.event, h.email, h.terms_version, h.channel, h.staff_id, h.at).order_by(h.id)
            )
        ).all()
        assert await conn.scalar(text("SELECT count(*) FROM efaktura_pending")) == 0
    await engine.dispose()
    assert [tuple(r) for r in rows] == [
        (c["id"], "given", c["efaktura_email"], None, "before_history", None, c["efaktura_activated_at"])
        for c in active
    ]
    _, after_counts, after_rows = await _snapshot(fresh_db_url)
    assert _kept(before_rows, after_rows) == before_rows


async def test_revision_0012_keeps_the_owed_mails_with_their_event_as_text(backend, fresh_db_url):
    """0012 makes ``mail_outbox.event_id`` text: the rows owed before keep their event ("123") and
    their sent state, the unique rule still holds; a downgrade drops only the new kinds' rows."""
    revision = importlib.import_module("ebok_server.migrations.versions.0012_notification_kinds")
    await _seeded_at(fresh_db_url, revision.down_revision)
    insert = (
        "INSERT INTO mail_outbox (customer_id, kind, event_id, created_at, sent_at) VALUES "
        "(1, 'reply', 7, '2026-11-15 10:00:00', NULL), (1, 'invoice', 123, '2026-11-15 10:00:00', '2026-11-15 10:01:00')"
    )
    engine = make_engine(fresh_db_url)
    async with engine.begin() as conn:
        await conn.execute(text(insert))
    await engine.dispose()
    await _at_revision(fresh_db_url, revision.revision)
    engine = make_engine(fresh_db_url)
    async with engine.begin() as conn:
        rows = (await conn.execute(text("SELECT kind, event_id, sent_at IS NULL FROM mail_outbox ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [("reply", "7", True), ("invoice", "123", False)]
        await conn.execute(
            text(
                "INSERT INTO mail_outbox (customer_id, kind, event_id, created_at) "
                "VALUES (1, 'legalisation', '1/2029-05-10', '2026-11-15 10:00:00')"
            )
        )
        assert await conn.run_sync(_schema_diff) == []
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO mail_outbox (customer_id, kind, event_id, created_at) "
                    "VALUES (1, 'reply', '7', '2026-11-15 11:00:00')"
                )
            )
    await engine.dispose()
    await _at_revision(fresh_db_url, revision.down_revision, down=True)
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT kind, event_id FROM mail_outbox ORDER BY id"))).all()
    await engine.dispose()
    assert [tuple(r) for r in rows] == [("reply", 7), ("invoice", 123)]


async def test_the_sqlite_demo_upgrades_itself_and_a_database_without_version_is_the_baseline(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await _seeded_at(url, BASELINE, one_point_each=True)
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
        assert _counts_kept(counts, after_counts) == counts and _kept(rows, after_rows) == rows
        r = await c.post("/auth/login", json={"customer_number": "10002", "password": "woda-10002"})
        assert r.status_code == 200, r.text


async def test_revision_0008_makes_every_customer_a_person_outside_ksef(backend, fresh_db_url):
    """The demo seeded at head, taken down to 0007 and up again: every customer comes back a person
    without a NIP, every invoice ``none``; the rules hold on the upgraded database."""
    await _seeded_at(fresh_db_url, "0007")
    await _at_revision(fresh_db_url, "head")
    engine = make_engine(fresh_db_url)
    async with engine.connect() as conn:
        types = (await conn.execute(text("SELECT DISTINCT customer_type, nip FROM customers"))).all()
        assert types == [("person", None)]
        statuses = (
            await conn.execute(text("SELECT DISTINCT ksef_status, ksef_number, ksef_file, ksef_sha256 FROM invoices"))
        ).all()
        assert statuses == [("none", None, None, None)]
        assert await conn.run_sync(_schema_diff) == []
    for bad in (
        "UPDATE customers SET customer_type = 'company'",  # not a type
        "UPDATE customers SET customer_type = 'business'",  # a business without a NIP
        "UPDATE customers SET nip = '6320001234'",  # a person with a NIP
        "UPDATE invoices SET ksef_status = 'accepted'",  # accepted without a number and a file
        "UPDATE invoices SET ksef_number = '6320001234-20261115-0000000000AA-00'",  # a number, not accepted
    ):
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(text(bad + " WHERE id = (SELECT min(id) FROM " + bad.split()[1] + ")"))
    await engine.dispose()
