"""Shared fixtures. Keep this small and additive: several areas (client, server) use it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Times on screen are local times: pin the zone so snapshots read the same on every machine.
os.environ["TZ"] = "Europe/Warsaw"
time.tzset()

from tests.argon2_cost import use_test_hasher
from tests.asgi_server import InProcessServer, seed_template, server_from_template
from tests.server_proc import ServerInfo, running_server

# Cheaper argon2 parameters in the tests' own process (in-process servers, demo templates); the
# servers they start as processes use them too (tests/argon2_cost.py says why and how it is safe).
use_test_hasher()


# --- the server in-process (client and TUI tests) ------------------------------------------------
@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A demo-seeded SQLite file (``--seed-demo --today 2026-11-15``), made once per test process
    (each xdist worker has its own ``tmp_path_factory`` folder); servers start from copies of it."""
    return seed_template(tmp_path_factory.mktemp("demo_template"))


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory) -> InProcessServer:
    """The real server app in-process on a demo database of this test module's own: no other
    module sees what this one changes, so results do not depend on the order modules run in.
    Tests in one module share it: a test that must not see (or leave) changes uses
    ``fresh_server``."""
    return server_from_template(demo_template, tmp_path_factory.mktemp("server"))


@pytest.fixture
def fresh_server(demo_template, tmp_path) -> InProcessServer:
    """The real server app in-process on a demo database of this test's own."""
    return server_from_template(demo_template, tmp_path / "server")


# --- the server as a process (end-to-end tests, the server's own HTTP tests) ---------------------
@pytest.fixture(scope="session")
def ebok_server(tmp_path_factory) -> Iterator[ServerInfo]:
    """One real demo server process (``--seed-demo --today 2026-11-15``, ``--port 0``) per test
    process (each xdist worker starts its own; the server picks its port, no port is guessed).

    Shared: tests that mutate state must use their own customer or start their own server.
    """
    with running_server(tmp_path_factory.mktemp("ebok_server")) as info:
        yield info


@pytest.fixture(scope="session")
def server_url(ebok_server: ServerInfo) -> str:
    """Base URL of the shared demo server process, e.g. ``http://127.0.0.1:43210`` (API under ``/api/v1``)."""
    return ebok_server.url
