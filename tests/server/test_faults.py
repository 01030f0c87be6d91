"""Faults under load (docs/deploy.md): a server worker killed with SIGKILL, PostgreSQL restarted.

On a private PostgreSQL instance (tests/pg_private.py: restarting the shared cluster would break
every other run on the machine) with ``ebok-server --workers 2``, clients keep reading and writing
(correspondence with an ``Idempotency-Key``, retried with the same key until it is confirmed, as
the terminal client does) while one worker is killed and then the database restarts. Every answer
is a success or a clean ``503`` with ``Retry-After`` — never a 500 —, a broken connection only
where the killed worker held it; the server recovers by itself, and the consistency check
(ebok_server/consistency.py) finds nothing lost or doubled: each key made exactly one thread.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from ebok_server.consistency import check
from ebok_server.db import make_engine, make_sessionmaker
from tests.pg_private import available, private_postgres
from tests.server.test_processes import _wait_for, _workers
from tests.server_proc import child_pids, start_server_info, stop_server

pytestmark = pytest.mark.skipif(available() is not None, reason=available() or "")

CLIENTS = 3
MAX_REQUESTS = 400  # per client: the load stops by itself even if the test does not stop it


class Load:
    """Client threads: GET /balance, then a new thread (POST /correspondence) under a key of its
    own, retried with that key until 201."""

    def __init__(self, api: str, token: str) -> None:
        self.api = api
        self.headers = {"Authorization": f"Bearer {token}"}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes: list[tuple[float, str]] = []  # (time, "200"/"503"/"transport"...)
        self.bad: list[str] = []  # answers that are neither success nor a clean 503
        self.confirmed: dict[str, int] = {}  # idempotency key -> thread id
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(CLIENTS)]

    def _record(self, outcome: str, r: httpx.Response | None = None) -> None:
        with self.lock:
            self.outcomes.append((time.monotonic(), outcome))
            if r is not None and r.status_code >= 500 and not (r.status_code == 503 and r.headers.get("Retry-After")):
                self.bad.append(f"{r.status_code} {r.text[:200]}")
            if r is not None and r.status_code not in (200, 201, 503):
                self.bad.append(f"{r.status_code} {r.text[:200]}")

    def _send(self, c: httpx.Client, method: str, path: str, **kw) -> httpx.Response | None:
        try:
            r = c.request(method, path, headers={**self.headers, **kw.pop("headers", {})}, **kw)
        except httpx.TransportError:
            self._record("transport")
            return None
        self._record(str(r.status_code), r)
        return r

    def _client(self, n: int) -> None:
        sent = 0
        with httpx.Client(base_url=self.api, timeout=30) as c:
            while not self.stop.is_set() and sent < MAX_REQUESTS:
                self._send(c, "GET", "/balance")
                key = f"fault-{n}-{sent}"
                body = {"kind": "other", "subject": key, "body": "Zgłoszenie w czasie awarii."}
                while not self.stop.is_set() and sent < MAX_REQUESTS:
                    sent += 1
                    r = self._send(c, "POST", "/correspondence", json=body, headers={"Idempotency-Key": key})
                    if r is not None and r.status_code == 201:
                        with self.lock:
                            self.confirmed[key] = r.json()["id"]
                        break
                    self.stop.wait(0.05)  # a retry, as a client would (Retry-After is longer)
                sent += 1

    def successes_after(self, t: float) -> int:
        with self.lock:
            return sum(1 for at, o in self.outcomes if at > t and o in ("200", "201"))

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


async def _db_state(url: str) -> tuple[dict[str, int], dict[str, int]]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        found = await check(session)
        rows = await session.execute(
            text("SELECT subject, COUNT(*) FROM threads WHERE subject LIKE 'fault-%' GROUP BY subject")
        )
        per_key = {subject: n for subject, n in rows}
    await engine.dispose()
    return found, per_key


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the worker processes")
def test_worker_kill_and_database_restart_under_load(tmp_path):
    with private_postgres({"fsync": "off"}) as pg:
        srv = start_server_info(tmp_path, "--workers", "2", db_url=pg.url)
        try:
            workers = _wait_for(lambda: _workers(srv.proc.pid))
            r = httpx.post(
                srv.api + "/auth/login", json={"customer_number": "10001", "password": "woda-10001"}, timeout=30
            )
            assert r.status_code == 200, r.text
            with Load(srv.api, r.json()["token"]) as load:
                _wait_for(lambda: load.successes_after(0) >= 10, timeout=60)

                victim = sorted(workers)[0]
                killed_at = time.monotonic()
                os.kill(victim, signal.SIGKILL)
                _wait_for(lambda: _workers(srv.proc.pid, without=victim), timeout=60)
                _wait_for(lambda: load.successes_after(killed_at) >= 10, timeout=60)

                restarted_at = time.monotonic()
                pg.restart()  # every connection of both workers is cut
                _wait_for(lambda: load.successes_after(restarted_at) >= 10, timeout=60)
            outcomes = Counter(o for _, o in load.outcomes)
            assert load.bad == [], load.bad
            assert set(outcomes) <= {"200", "201", "503", "transport"}, outcomes
            assert outcomes["200"] + outcomes["201"] >= 30, outcomes
            assert load.confirmed, outcomes

            # the server recovered by itself: a fresh request succeeds on either worker
            assert httpx.get(srv.api + "/health", timeout=30).status_code == 200
        finally:
            assert stop_server(srv.proc) == 0
        assert child_pids(srv.proc.pid) == set()

        found, per_key = asyncio.run(_db_state(pg.url))
        assert found == dict.fromkeys(found, 0), found
        assert all(n == 1 for n in per_key.values()), {k: n for k, n in per_key.items() if n != 1}
        assert set(load.confirmed) <= set(per_key)  # every confirmed key has its one thread


# ---- SQLite: the disk fills up ----------------------------------------------------------------------
def test_sqlite_disk_full_fails_cleanly_and_recovers(tmp_path):
    """A database that cannot grow (``PRAGMA max_page_count`` at its size: SQLite's own "database or
    disk is full") answers writes with 503 + Retry-After, keeps nothing of them, and takes the same
    request (same Idempotency-Key) once space is back."""
    from sqlalchemy import event

    from ebok_server.config import Settings
    from tests.asgi_server import DEMO_TODAY, LifespanASGITransport, seed_template

    db = seed_template(tmp_path / "template")
    url = f"sqlite+aiosqlite:///{db}"

    def full(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA page_count")
        pages = cur.fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages}")
        cur.close()

    async def scenario() -> None:
        transport = LifespanASGITransport(Settings(db_url=url, today=DEMO_TODAY, demo=True))
        engine = transport.app.state.engine
        async with httpx.AsyncClient(transport=transport, base_url="http://ebok.test/api/v1") as c:
            r = await c.post("/auth/login", json={"customer_number": "10002", "password": "woda-10002"})
            assert r.status_code == 200, r.text
            auth = {"Authorization": f"Bearer {r.json()['token']}"}
            threads_before = (await c.get("/correspondence", headers=auth)).json()["total"]

            event.listen(engine.sync_engine, "connect", full)
            await engine.dispose()  # new connections: no room to grow
            body = {"kind": "other", "subject": "Pełny dysk", "body": "x" * 10000}
            key = {"Idempotency-Key": "disk-full-1", **auth}
            statuses = []
            for _ in range(5):  # each message needs new pages: the first already cannot get them
                r = await c.post("/correspondence", json=body, headers=key)
                statuses.append(r.status_code)
                if r.status_code == 503:
                    assert r.headers["Retry-After"] == "2"
                    assert r.json()["error"]["code"] == "database_unavailable"
            assert 503 in statuses and 500 not in statuses, statuses
            # nothing half-written: the thread list is as before
            event.remove(engine.sync_engine, "connect", full)
            await engine.dispose()  # space is back
            assert (await c.get("/correspondence", headers=auth)).json()["total"] == threads_before + statuses.count(
                201
            )
            r = await c.post("/correspondence", json=body, headers=key)
            assert r.status_code == 201 if 201 not in statuses else r.headers.get("Idempotent-Replayed") == "true"
            assert (await c.get("/correspondence", headers=auth)).json()["total"] == threads_before + 1
        engine2 = make_engine(url)
        async with make_sessionmaker(engine2)() as session:
            found = await check(session)
        await engine2.dispose()
        assert found == dict.fromkeys(found, 0), found

    asyncio.run(scenario())
