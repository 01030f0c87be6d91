"""80x24 snapshots of the contract, e-FAKTURA and correspondence screens, in Polish and English.

Deterministic: the shared demo server runs with ``--today 2026-11-15`` and the seeded timestamps
are fixed; times are shown in the local zone, pinned here to Europe/Warsaw.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.contract_mail_support import settle
from tests.tui_support import SIZE, login_as, make_app


@pytest.fixture(autouse=True)
def warsaw_time():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Warsaw"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def open_section(customer: str, section: str, *keys: str):
    async def run_before(pilot) -> None:
        await login_as(pilot.app, customer, section)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def snap(snap_compare, server_url, tmp_path, lang, customer, section, *keys):
    app = make_app(server_url, tmp_path, lang=lang)
    return snap_compare(app, terminal_size=SIZE, run_before=open_section(customer, section, *keys))


# contract: two meters, the garden one's legalisation expires within 6 months
def test_contract_pl(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "pl", "10004", "contract")


def test_contract_en(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "en", "10004", "contract")


def test_efaktura_inactive_pl(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "pl", "10001", "efaktura")


def test_efaktura_inactive_en(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "en", "10001", "efaktura")


def test_efaktura_active_pl(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "pl", "10002", "efaktura")


def test_efaktura_active_en(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "en", "10002", "efaktura")


def test_correspondence_pl(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "pl", "10001", "correspondence")


def test_correspondence_en(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "en", "10001", "correspondence")


# the third thread of 10001 has a reply from the utility
def test_thread_pl(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "pl", "10001", "correspondence", "down", "down", "enter")


def test_thread_en(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "en", "10001", "correspondence", "down", "down", "enter")


def test_compose_pl(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "pl", "10003", "correspondence", "n")


def test_compose_en(snap_compare, server_url, tmp_path):
    assert snap(snap_compare, server_url, tmp_path, "en", "10003", "correspondence", "n")
