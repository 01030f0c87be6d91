"""Several server processes on one PostgreSQL database (docs/deploy.md): all state is in the database.

* Two separate ``ebok-server`` processes (each its own port, so every request goes to the process
  the test names): a session opened on one works on the other, the login delay earned on one holds
  on the other, an ``Idempotency-Key`` used on one is replayed by the other (also when both get it
  at once), and a logout on one ends the session on the other.
* ``ebok-server --workers 2``: one socket, two processes; a worker killed with SIGKILL is replaced
  and the server keeps answering.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.databases import PG_SKIP_REASON, PG_URL, create_database, drop_database
from tests.server_proc import child_pids, start_server_info, stop_server

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)


@pytest.fixture
def pg_db(tmp_path):
    url = create_database("postgresql", tmp_path)
    yield url
    drop_database(url)


def _login(api: str, number: str, password: str) -> httpx.Response:
    return httpx.post(api + "/auth/login", json={"customer_number": number, "password": password}, timeout=30)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_two_processes_share_sessions_throttling_idempotency_and_revocation(pg_db, tmp_path):
    # a one-hour delay after the 5 free attempts: a slow run cannot earn the next attempt in real time
    limits = ("--limit", "login_delay_base_s=3600", "--limit", "login_delay_cap_s=3600")
    a = start_server_info(tmp_path / "a", *limits, db_url=pg_db)
    b = start_server_info(tmp_path / "b", *limits, db_url=pg_db)  # the database is seeded: b adds nothing
    try:
        # a session opened on one process is served by the other
        r = _login(a.api, "10001", "woda-10001")
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        assert httpx.get(b.api + "/balance", headers=_auth(token), timeout=30).status_code == 200

        # login throttling: 5 free wrong attempts spread over both, then the delay holds on either
        codes = [_login((a, b)[i % 2].api, "10003", f"zle-haslo-{i}").status_code for i in range(5)]
        assert codes == [401] * 5
        for srv in (a, b):
            r = _login(srv.api, "10003", "woda-10003")  # even the right password waits its turn
            assert r.status_code == 429 and int(r.headers["Retry-After"]) > 3000, r.text

        # idempotent replay across processes: one thread, the same answer from both
        body = {"kind": "other", "subject": "Dwa procesy", "body": "Czy to dotrze raz?"}
        key = {"Idempotency-Key": "two-processes-1", **_auth(token)}
        first = httpx.post(a.api + "/correspondence", json=body, headers=key, timeout=30)
        again = httpx.post(b.api + "/correspondence", json=body, headers=key, timeout=30)
        assert first.status_code == again.status_code == 201
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == first.json()
        # ... and the same key sent to both at the same moment, several times over
        keyed = [{"Idempotency-Key": f"two-processes-race-{n}", **_auth(token)} for n in range(4)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            raced = list(
                pool.map(
                    lambda job: httpx.post(
                        job[0].api + "/correspondence",
                        json={**body, "subject": f"Wyścig {job[1]}"},
                        headers=keyed[job[1]],
                        timeout=30,
                    ),
                    [(srv, n) for n in range(4) for srv in (a, b)],
                )
            )
        for n in range(4):
            pair = raced[2 * n : 2 * n + 2]
            assert [r.status_code for r in pair] == [201, 201], [r.text for r in pair]
            assert pair[0].json()["id"] == pair[1].json()["id"]
        listed = httpx.get(b.api + "/correspondence", params={"limit": 100}, headers=_auth(token), timeout=30).json()
        subjects = [t["subject"] for t in listed["items"]]
        assert subjects.count("Dwa procesy") == 1
        assert all(subjects.count(f"Wyścig {n}") == 1 for n in range(4))

        # a logout on one process ends the session on the other at once
        assert httpx.post(b.api + "/auth/logout", headers=_auth(token), timeout=30).status_code == 204
        assert httpx.get(a.api + "/balance", headers=_auth(token), timeout=30).status_code == 401
    finally:
        stop_server(a.proc)
        stop_server(b.proc)


def _workers(pid: int, without: int | None = None) -> set[int] | None:
    """The two worker processes of ``pid`` (None while there are not two, or ``without`` is one)."""
    found = child_pids(pid)
    return found if len(found) == 2 and without not in found else None


def _wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the worker processes")
def test_workers_share_one_socket_and_a_killed_worker_is_replaced(pg_db, tmp_path):
    srv = start_server_info(tmp_path, "--workers", "2", db_url=pg_db)
    try:
        workers = _wait_for(lambda: _workers(srv.proc.pid))
        r = _login(srv.api, "10002", "woda-10002")
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        # the other worker answers meanwhile (a request the victim had accepted may fail: retried)
        answered = 0
        for _ in range(20):
            try:
                answered += httpx.get(srv.api + "/balance", headers=_auth(token), timeout=30).status_code == 200
            except httpx.TransportError:
                pass
        assert answered >= 19
        replaced = _wait_for(lambda: _workers(srv.proc.pid, without=victim))
        assert len(replaced - workers) == 1
        assert httpx.get(srv.api + "/balance", headers=_auth(token), timeout=30).status_code == 200
    finally:
        assert stop_server(srv.proc) == 0
    assert child_pids(srv.proc.pid) == set()
