"""80x24 snapshots of the invoices and readings screens in Polish and English.

A private demo server (``--today 2026-11-15``) so nothing another test changes can leak in."""

from __future__ import annotations

import pytest
from textual.worker import WorkerCancelled

from ebok_tui.api import EbokClient
from ebok_tui.app import EbokApp
from tests.server_proc import running_server
from tests.tui_support import SIZE, login_as


@pytest.fixture(scope="module")
def snap_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("snap")) as info:
        yield info.url


def app_for(url: str, lang: str) -> EbokApp:
    return EbokApp(EbokClient(url, lang=lang), lang=lang, credentials=None, drafts=None, demo=True)


async def settle(pilot) -> None:
    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


def opener(customer: str, section: str, *keys: str):
    async def run_before(pilot) -> None:
        await login_as(pilot.app, customer, section)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_invoice_list_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=opener("10001", "invoices"))


def test_invoice_list_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=opener("10001", "invoices"))


def test_invoice_detail_pl(snap_compare, snap_server):
    assert snap_compare(
        app_for(snap_server, "pl"), terminal_size=SIZE, run_before=opener("10004", "invoices", "enter")
    )


def test_invoice_detail_en(snap_compare, snap_server):
    assert snap_compare(
        app_for(snap_server, "en"), terminal_size=SIZE, run_before=opener("10004", "invoices", "enter")
    )


def test_payments_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=opener("10002", "invoices", "p"))


def test_payments_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=opener("10002", "invoices", "p"))


def test_readings_table_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=opener("10004", "readings"))


def test_readings_table_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=opener("10004", "readings"))


def test_readings_chart_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=opener("10004", "readings", "g"))


def test_readings_chart_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=opener("10004", "readings", "g"))


def test_submit_reading_pl(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "pl"), terminal_size=SIZE, run_before=opener("10004", "readings", "n"))


def test_submit_reading_en(snap_compare, snap_server):
    assert snap_compare(app_for(snap_server, "en"), terminal_size=SIZE, run_before=opener("10004", "readings", "n"))
