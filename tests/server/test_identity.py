"""/health server_id: the database's identity, stable across restarts (clients key drafts by it)."""

from __future__ import annotations

import httpx

from tests.server_proc import running_server


def _server_id(srv) -> str:
    r = httpx.get(srv.api + "/health")
    assert r.status_code == 200, r.text
    return r.json()["server_id"]


def test_server_id_is_kept_by_the_database_not_the_address(tmp_path):
    db = f"sqlite+aiosqlite:///{tmp_path / 'kept.db'}"
    with running_server(tmp_path / "a", db_url=db, seed_demo=False) as srv:
        first = _server_id(srv)
    assert len(first) == 32 and first != "demo"
    with running_server(tmp_path / "b", db_url=db, seed_demo=False) as srv:  # new port, same database
        assert _server_id(srv) == first
    with running_server(tmp_path / "c", seed_demo=False) as srv:  # another database
        assert _server_id(srv) not in (first, "demo")


def test_every_demo_database_has_the_demo_identity(api, tmp_path):
    assert api.get("/health").json()["server_id"] == "demo"
    with running_server(tmp_path) as srv:  # a fresh demo database on another port
        assert _server_id(srv) == "demo"
