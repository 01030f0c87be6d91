"""Contract screen (Umowa) against the real demo server."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable

from ebok_tui.ui.screens.contract.contract import ContractScreen, add_months, legalisation_state
from tests.contract_mail_support import table_rows, text_of
from tests.server_proc import running_server
from tests.tui_support import logged_in, make_app, press_settled


def test_legalisation_state_relative_to_business_date():
    today = dt.date(2026, 11, 15)
    assert legalisation_state(dt.date(2026, 11, 14), today) == "expired"
    assert legalisation_state(today, today) == "expiring"
    assert legalisation_state(dt.date(2027, 5, 15), today) == "expiring"  # exactly 6 months ahead
    assert legalisation_state(dt.date(2027, 5, 16), today) == "ok"
    assert legalisation_state(None, today) == "unknown"
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)


async def test_contract_details_and_expiring_meter_highlighted(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10004", "contract"):
        assert isinstance(app.screen, ContractScreen)
        info = text_of(app.screen.query_one("#contract-info"))
        assert "UM/2010/01011" in info
        assert "20.04.2010" in info
        assert "dostawa wody, odprowadzanie ścieków" in info
        assert "G" in info and "ul. Zwycięstwa 20" in info
        rows = table_rows(app.screen.query_one("#meters", DataTable))
        assert [r[0] for r in rows] == ["WM-4567890", "WM-4567891"]
        garden = rows[1]
        assert garden[1] == "Ogród (podlewanie)"
        assert "15.01.2027" in garden[3] and "wkrótce" in garden[3]  # business date 2026-11-15 + 2 months
        assert "wkrótce" not in rows[0][3]
        note = text_of(app.screen.query_one("#meters-note"))
        assert "WM-4567891" in note and "wygasa 15.01.2027" in note
        assert "WM-4567890" not in note


async def test_contract_in_english_water_only(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with logged_in(app, "10003", "contract"):
        info = text_of(app.screen.query_one("#contract-info"))
        assert "water supply" in info and "sewage" not in info
        assert "11 Jun 2018" in info
        assert text_of(app.screen.query_one("#meters-note")).strip() == ""


async def test_server_down_shows_banner_not_crash(tmp_path):
    with running_server(tmp_path / "srv") as srv:
        app = make_app(srv.url, tmp_path)
        async with logged_in(app, "10001", "contract") as pilot:
            srv.proc.terminate()
            srv.proc.wait(timeout=10)
            await press_settled(pilot, "r")
            assert isinstance(app.screen, ContractScreen)
            banner = text_of(app.screen.query_one("ErrorBanner"))
            assert "Nie udało się połączyć z serwerem" in banner
            # what was loaded before is still there
            assert "UM/2015/00123" in text_of(app.screen.query_one("#contract-info"))
