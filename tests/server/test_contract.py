"""The OpenAPI document tells the truth: schemathesis (4.x, in the ``test`` extra) generates requests
from ``/openapi.json`` against the real server on loopback and checks every reply against the
document (status codes, error schema, content types, Allow, auth, server errors), on each backend.

Two passes, each on a server and database of its own so one cannot spoil the other:
- the main pass: every operation outside /auth/, with one real resident token (``-H``);
- the isolated pass: the /auth/ operations, including the destructive flows (logout, password
  change, registration, reset), with a token fetched again whenever one was revoked
  (``schemathesis_hooks.py``).

Bounded: a fixed seed and a few generated cases per operation (``--max-examples``; the coverage
phase adds its boundary and negative cases per parameter).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.server_proc import REPO_ROOT, running_server

from .helpers import login

HERE = Path(__file__).resolve().parent
SEED = 20261115


def _schemathesis(server_url: str, max_examples: int, *args: str, env: dict[str, str] | None = None) -> None:
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "run",
           server_url + "/openapi.json", "--checks", "all", "--max-examples", str(max_examples), "--seed", str(SEED),
           "--generation-database", "none", "--no-color", "--request-timeout", "30", *args]
    full_env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **(env or {}))
    r = subprocess.run(cmd, cwd=REPO_ROOT, env=full_env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-20000:] + r.stderr[-5000:]
    assert " passed" in r.stdout and "Tested:" in r.stdout, r.stdout[-5000:]


def test_schemathesis_main_pass(tmp_path, fresh_db_url):
    with running_server(tmp_path, db_url=fresh_db_url) as srv:
        with httpx.Client(base_url=srv.api, timeout=30) as api:
            token = login(api, "10001")
        _schemathesis(srv.url, 8, "-H", f"Authorization: Bearer {token}", "--exclude-path-regex", "/auth/")
        with httpx.Client(base_url=srv.api, timeout=30) as api:  # the token survived the whole pass
            assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_schemathesis_isolated_auth_pass(tmp_path, fresh_db_url):
    with running_server(tmp_path, db_url=fresh_db_url) as srv:
        # Fewer cases: every one of them hashes or verifies a password (argon2), by design slow.
        _schemathesis(srv.url, 4, "--include-path-regex", "/auth/", "--phases", "coverage,fuzzing",
                      env={"SCHEMATHESIS_HOOKS": "tests.server.schemathesis_hooks", "EBOK_CONTRACT_API": srv.api})
