"""The yearly statement and exports in the client (issue 12, feature 8) against the real demo server
(business date 2026-11-15), from the water and year screen (``w`` on the balance): ``s`` saves the
year's statement PDF, ``e`` exports a typed period's invoices, payments or readings as CSV (dates
checked by the inputs' validators), ``h`` sets the household size the comparison uses. Files are
written owner-only through the shared save dialog."""

from __future__ import annotations

import stat

from textual.widgets import Input, Select, Static

from ebok_tui.ui.screens.billing.save_pdf import SavePdfModal
from ebok_tui.ui.screens.water.dialogs import ExportCsvModal, HouseholdModal
from ebok_tui.ui.screens.water.water import WaterYearScreen
from tests.tui_support import SIZE, login_as, make_app, settle, text_of, wait_until


async def open_water(app, pilot, customer: str = "10001") -> WaterYearScreen:
    await login_as(app, customer)
    await settle(pilot)
    await pilot.press("w")
    await wait_until(pilot, lambda: isinstance(app.screen, WaterYearScreen))
    await settle(pilot)
    return app.screen


async def save_to(pilot, path) -> None:
    modal = pilot.app.screen
    assert isinstance(modal, SavePdfModal)
    modal.query_one("#path", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def test_statement_pdf_and_csv_export(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_water(app, pilot)
        assert screen.year == 2025
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, SavePdfModal))
        assert app.screen.query_one("#path", Input).value.endswith("zestawienie-10001-2025.pdf")
        assert "2025" in text_of(app.screen.query_one("#title", Static))
        await save_to(pilot, tmp_path)  # a directory: the file gets its name
        target = tmp_path / "zestawienie-10001-2025.pdf"
        assert app.screen is screen and target.read_bytes().startswith(b"%PDF-")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportCsvModal))
        dialog = app.screen
        start, end = dialog.query_one("#from", Input), dialog.query_one("#to", Input)
        assert (start.value, end.value) == ("01.01.2025", "31.12.2025")  # the year shown
        start.value = "31.02.2025"  # no such day
        await pilot.press("enter")
        await settle(pilot)
        assert "To nie jest poprawna data" in text_of(dialog.query_one("#from-error", Static))
        assert app.screen is dialog
        start.value = "2025-07-01"
        end.value = "30.06.2025"
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(dialog.query_one("#from-error", Static)).strip() == ""
        assert "wcześniejsza niż początkowa" in text_of(dialog.query_one("#to-error", Static))
        end.value = "31.12.2025"
        dialog.query_one("#kind", Select).value = "payments"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SavePdfModal))
        await save_to(pilot, tmp_path)
        target = tmp_path / "payments-10001-20250701-20251231.csv"
        assert app.screen is screen
        data = target.read_bytes()
        assert data.startswith(b"\xef\xbb\xbfdate,amount,method,reference,invoice_number\r\n")
        dates = [line.split(",")[0] for line in data.decode("utf-8-sig").splitlines()[1:]]
        assert dates and all("2025-07-01" <= d <= "2025-12-31" for d in dates)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_household_size(server, tmp_path):
    app = make_app(server, tmp_path, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_water(app, pilot)
        assert screen.yearly.household_size_is_default and screen.yearly.household_size == 2
        before = screen.yearly.average_household_consumption
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HouseholdModal))
        dialog = app.screen
        field = dialog.query_one("#size", Input)
        assert field.value == ""  # the default
        for wrong in ("21", "0", "two"):
            field.value = wrong
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is dialog
            assert "from 1 to 20" in text_of(dialog.query_one("#size-error", Static))
        field.value = "4"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert screen.yearly.household_size == 4 and not screen.yearly.household_size_is_default
        assert screen.yearly.average_household_consumption == before * 2
        # empty: back to the default
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HouseholdModal))
        assert app.screen.query_one("#size", Input).value == "4"
        app.screen.query_one("#size", Input).value = ""
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert screen.yearly.household_size_is_default and screen.yearly.household_size == 2


async def test_the_year_per_point_for_a_housing_community(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_water(app, pilot, "10005")
        y = screen.yearly
        assert [p.label for p in y.points] == ["Budynek A", "Budynek B", "Ogród"]
        body = text_of(screen.query_one("#water-body", Static))
        # its three points are on ul. Słoneczna, in one zone: one block of results for the three
        assert body.count("Strefa Centrum (SUW Byczyna)") == 1 and body.count("Azotany") == 1
        assert all(a in body for a in ("Słoneczna 8A", "Słoneczna 8B", "Słoneczna 8 (ogród)"))
        assert "nie znamy strefy" not in body
        assert "Punkt poboru" in body
        for p in y.points:
            line = next(line for line in body.splitlines() if line.startswith(p.label))
            assert app.i18n.volume(p.consumption) in line and app.i18n.money(p.invoiced) in line
        # one point: no per-point table
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_water(app, pilot, "10001")
        assert "Punkt poboru" not in text_of(screen.query_one("#water-body", Static))
