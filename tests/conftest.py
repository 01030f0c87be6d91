"""Shared fixtures. Keep this small and additive: several areas (client, server) use it."""

from __future__ import annotations

import os
import time

import pytest

# Times on screen are local times: pin the zone so snapshots read the same on every machine.
os.environ["TZ"] = "Europe/Warsaw"
time.tzset()

from tests.server_proc import ServerInfo, running_server


@pytest.fixture(scope="session")
def ebok_server(tmp_path_factory) -> ServerInfo:
    """One real demo server (``--seed-demo --today 2026-11-15``) for the whole session.

    Shared: tests that mutate state must use their own customer or start their own server.
    """
    with running_server(tmp_path_factory.mktemp("ebok_server")) as info:
        yield info


@pytest.fixture(scope="session")
def server_url(ebok_server: ServerInfo) -> str:
    """Base URL of the shared demo server, e.g. ``http://127.0.0.1:43210`` (API under ``/api/v1``)."""
    return ebok_server.url
