"""Several service points (issue 12, feature 1) in the client against the real demo server
(business date 2026-11-15): the housing community 10005 has three points (buildings A and B, the
garden); 10001 has one and sees no trace of points."""

from __future__ import annotations

import json
import stat

import pytest

from textual.widgets import DataTable, OptionList, Static

from ebok_tui.ui.screens.billing.balance import BalanceScreen
from ebok_tui.ui.screens.billing.invoices import InvoicesScreen
from ebok_tui.ui.screens.readings.readings import ReadingsScreen
from ebok_tui.ui.screens.readings.submit_reading import SubmitReadingModal
from ebok_tui.ui.widgets.chrome import TopBar
from ebok_tui.ui.widgets.points import PointPickerModal
from tests.tui_support import SIZE, login_as, make_app, settle, text_of, wait_until


async def opened(pilot, customer: str, section: str = "balance"):
    """Log in as ``customer``, open ``section`` and let it load; its screen."""
    await login_as(pilot.app, customer, section)
    await settle(pilot)
    return pilot.app.screen


@pytest.mark.parametrize("customer", ["10005", "10001"])
async def test_balance_total_and_each_point(server, tmp_path, customer):
    """10005: the totals and each point's part; 10001 (one point): the totals alone."""
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, customer)
        assert isinstance(screen, BalanceScreen) and screen.balance is not None
        points = screen.balance.points
        assert sum(p.to_pay for p in points) == screen.balance.to_pay
        assert sum(p.overdue for p in points) == screen.balance.overdue
        summary = text_of(screen.query_one("#balance-summary", Static))
        if customer == "10001":
            assert len(points) == 1 and "Punkt (zł)" not in summary
            return
        assert [p.label for p in points] == ["Budynek A", "Budynek B", "Ogród"]
        assert "Punkt (zł)" in summary and "Zaległe" in summary
        for p in points:
            line = next(line for line in summary.splitlines() if line.startswith(p.label))
            assert app.i18n.decimal(p.to_pay / 100, places=2) in line
            assert app.i18n.decimal(p.overdue / 100, places=2) in line


def top(screen) -> str:
    """The section title the top bar shows."""
    return screen.query_one(TopBar).section_title


def footer_keys(app) -> set[str]:
    """The keys the footer offers on the current screen."""
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show and active.enabled}


async def pick(pilot, label: str, key: str | None = None) -> None:
    """Open the point dialog with ``key`` (None: it is open), move to ``label``'s option and
    choose it."""
    if key is not None:
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PointPickerModal))
    options = pilot.app.screen.query_one(OptionList)
    index = next(i for i in range(options.option_count) if str(options.get_option_at_index(i).prompt).startswith(label))
    options.highlighted = index
    await pilot.press("enter")
    await settle(pilot)


async def test_pick_a_point_on_invoices_and_it_is_remembered(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "10005", "invoices")
        assert isinstance(screen, InvoicesScreen) and screen.point is None  # never chose: every point
        every = screen.feeds["invoices"].total
        assert "k" in footer_keys(app)
        assert "Faktury · wszystkie punkty" in top(screen)
        await pick(pilot, "Budynek B", "k")
        assert app.screen is screen and screen.point is not None and screen.point.code == "PP-10005-02"
        assert screen.feeds["invoices"].total * 3 == every
        assert "Faktury · Budynek B" in top(screen)
        await wait_until(pilot, lambda: (tmp_path / "service-points.json").exists())
        saved = tmp_path / "service-points.json"
        assert json.loads(saved.read_text())["choices"] == {"10005": "PP-10005-02"}
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        # the payments are the customer's, not a point's: no picker there
        await pilot.press("p")
        await settle(pilot)
        assert "k" not in footer_keys(app) and "Budynek" not in top(screen)

    # the next run: the choice holds, on every screen with points
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "10005", "readings")
        assert isinstance(screen, ReadingsScreen) and screen.info is not None
        assert [m.number for m in screen.info.meters] == ["WM-5010002"]
        assert "Odczyty · Budynek B" in top(screen)
        await app.action_open_section("contract")
        await settle(pilot)
        assert "UM/2016/00502" in text_of(app.screen.query_one("#contract-info", Static))


async def test_self_reading_with_every_point_asks_which_point(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "10005", "readings")
        assert isinstance(screen, ReadingsScreen) and screen.info is not None
        assert len(screen.info.meters) == 3  # every point's meter
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PointPickerModal))
        assert "Wszystkie" not in text_of(app.screen.query_one("#point-options"))  # one point only
        await pick(pilot, "Ogród")
        await wait_until(pilot, lambda: isinstance(app.screen, SubmitReadingModal))
        form = app.screen
        assert list(form.meters) == ["WM-5010003"]
        assert "Samoodczyt dla punktu: Ogród" in text_of(form.query_one("#point", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.point is None  # the screen's choice is unchanged


async def test_contract_of_each_point(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, "10005", "contract")
        info = app.screen.query_one("#contract-info", Static)
        assert "UM/2016/00501" in text_of(info) and "Budynek A (PP-10005-01)" in text_of(info)
        assert "Umowa · Budynek A" in top(app.screen)
        await pick(pilot, "Ogród", "k")
        assert "UM/2019/00503" in text_of(info)
        assert [key.value for key in app.screen.query_one("#meters", DataTable).rows] == ["WM-5010003"]


async def test_one_point_customer_sees_no_picker(server, tmp_path):
    app = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, "10001", "invoices")
        for section, title in (("invoices", "Faktury"), ("readings", "Odczyty"), ("contract", "Umowa")):
            await app.action_open_section(section)
            await settle(pilot)
            assert "k" not in footer_keys(app)
            assert top(app.screen) == title
            await pilot.press("k")  # nothing happens
            await settle(pilot)
            assert not isinstance(app.screen, PointPickerModal)
        await app.action_open_section("readings")
        await settle(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, SubmitReadingModal))
        assert not app.screen.query("#point")
    assert not (tmp_path / "service-points.json").exists()
