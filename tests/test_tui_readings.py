"""Readings table, consumption chart and the self-reading form against the real server."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from textual.widgets import DataTable, Input, Select, Static

from ebok_tui.core.api import Reading
from ebok_tui.ui.screens.readings.readings import ReadingsScreen
from ebok_tui.ui.widgets.chart import ConsumptionChart, monthly_consumption, nice_unit
from ebok_tui.ui.screens.readings.submit_reading import SubmitReadingModal
from tests.tui_support import SIZE, login_as, make_app, press_settled, settle
from tests.server_proc import running_server


async def open_readings(pilot, customer: str) -> ReadingsScreen:
    await login_as(pilot.app, customer, "readings")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReadingsScreen)
    return screen


def column(table: DataTable, key: str) -> list[str]:
    return [str(table.get_cell(row, key)).strip() for row in table.rows]


async def open_form(pilot) -> SubmitReadingModal:
    await pilot.press("n")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, SubmitReadingModal)
    return modal


async def submit(pilot, modal: SubmitReadingModal, typed: str) -> str:
    field = modal.query_one("#value", Input)
    field.value = ""
    await pilot.press(*typed)  # really typed, key by key
    await press_settled(pilot, "enter")
    if not modal.is_attached:  # accepted: the form closed
        return ""
    return str(modal.query_one("#value-error", Static).content)


# --- table and chart ----------------------------------------------------------------------------


async def test_table_shows_two_years_with_translated_types(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_readings(pilot, "10004")
        table = screen.query_one("#readings", DataTable)
        assert table.row_count >= 40  # two meters, monthly, two years
        types = set(column(table, "type"))
        assert "inkasent" in types and types <= {"inkasent", "samoodczyt", "szacunkowy"}
        assert {"WM-4567890", "WM-4567891"} <= set(column(table, "meter"))
        assert column(table, "value")[0].endswith("m³")
        assert "01.11.2026–30.11.2026" in str(screen.query_one("#period", Static).content)
        assert table.has_focus


async def test_chart_toggles_and_summarises_monthly_use(server):
    app = make_app(server, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_readings(pilot, "10004")
        chart = screen.query_one("#chart", ConsumptionChart)
        assert not chart.display
        await pilot.press("g")
        await pilot.pause()
        assert chart.display and not screen.query_one("#readings").display
        assert len(chart.data) == 24
        rendered = chart.render().plain
        assert "Monthly water use" in rendered and "█" in rendered
        assert all(len(line) <= chart.size.width for line in rendered.splitlines())
        assert "average" in str(screen.query_one("#summary", Static).content)
        await pilot.press("g")
        assert screen.query_one("#readings").display


def test_monthly_consumption_sums_meters_per_month():
    items = [
        Reading(id=1, date=date(2026, 10, 28), meter_number="A", value="10", type="self", consumption="2.5"),
        Reading(id=2, date=date(2026, 10, 28), meter_number="B", value="5", type="collector", consumption="1"),
        Reading(id=3, date=date(2026, 8, 28), meter_number="A", value="7.5", type="collector", consumption=None),
    ]
    data = monthly_consumption(items, months=3)
    assert data == [(date(2026, 8, 1), Decimal(0)), (date(2026, 9, 1), Decimal(0)), (date(2026, 10, 1), Decimal("3.5"))]
    assert nice_unit(Decimal("4.9")) == 5 and nice_unit(Decimal("0.3")) == Decimal("0.5")


# --- the form: checks here ------------------------------------------------------------------------


async def test_form_checks_before_sending_and_keeps_what_was_typed(server):
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_readings(pilot, "10004")
        modal = await open_form(pilot)
        assert "Ostatni odczyt" in str(modal.query_one("#last", Static).content)
        meter = modal.query_one("#meter", Select)  # two meters: a choice
        assert meter.value == "WM-4567890"
        for typed, expected in [
            ("abc", "To nie jest liczba"),
            ("-5", "nie może być ujemny"),
            ("1801,3581", "3 cyfry po przecinku"),
            ("12,5", "niższy od ostatniego odczytu (1 801,358 m³ z dnia 28.10.2026)"),
        ]:
            message = await submit(pilot, modal, typed)
            assert expected in message, (typed, message)
            assert modal.query_one("#value", Input).value == typed
            assert app.screen is modal
        # switching meters shows that meter's last reading; the typed value comes back
        meter.value = "WM-4567891"
        await pilot.pause()
        assert "308,045" in str(modal.query_one("#last", Static).content)
        meter.value = "WM-4567890"
        await pilot.pause()
        assert modal.query_one("#value", Input).value == "12,5"
        await pilot.press("escape")
        assert app.screen is screen


# --- the form: rejections from the server, and success (private server: these change data) --------


async def test_server_rejections_are_explained_next_to_the_value(fresh_server):
    app = make_app(fresh_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_readings(pilot, "10001")
        info = screen.info
        last = info.meters[0].last_value  # 28.10.2026, 18 days before "today"
        modal = await open_form(pilot)

        message = await submit(pilot, modal, str(last + 1000).replace(".", ","))
        assert "nietypowo duże zużycie" in message
        highest = app.i18n.volume(last + Decimal("1.5") * 18)
        assert highest in message  # the plausible maximum the server gave
        assert modal.query_one("#value", Input).value == str(last + 1000).replace(".", ",")

        # the screen's data may be stale (someone else submitted meanwhile): the server still says no
        stale = info.model_copy(update={"meters": [info.meters[0].model_copy(update={"last_value": None})]})
        await pilot.press("escape")
        app.push_screen(SubmitReadingModal(stale))
        await pilot.pause()
        modal = app.screen
        message = await submit(pilot, modal, "1")
        assert "niższy od ostatniego odczytu" in message
        await pilot.press("escape")

        unknown = info.model_copy(update={"meters": [info.meters[0].model_copy(update={"number": "WM-0000000"})]})
        app.push_screen(SubmitReadingModal(unknown))
        await pilot.pause()
        modal = app.screen
        message = await submit(pilot, modal, "999999")
        assert "WM-0000000 nie jest przypisany do Twojej umowy" in message
        assert modal.query_one("#value", Input).value == "999999"


async def test_success_refreshes_the_list_and_a_second_one_corrects_the_first(tmp_path):
    with running_server(tmp_path) as srv:
        app = make_app(srv.url, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_readings(pilot, "10001")
            assert "press n" in str(screen.query_one("#period", Static).content)
            last = screen.info.meters[0].last_value
            typed = f"{last + Decimal('5.5'):f}"
            modal = await open_form(pilot)
            assert not modal.has_class("-correction") and not modal.query_one("#already").display
            message = await submit(pilot, modal, typed)
            assert message == ""
            assert app.screen is screen  # back to the list
            notice = str(screen.query_one("#notice", Static).content)
            assert "accepted" in notice and app.i18n.volume(Decimal(typed)) in notice
            table = screen.query_one("#readings", DataTable)
            assert column(table, "type")[0] == "self-reading"
            assert column(table, "date")[0] == "15 Nov 2026"
            assert column(table, "consumption")[0] == "5.500 m³"
            assert "submitted (n to correct)" in str(screen.query_one("#period", Static).content)
            rows_before = len(table.rows)

            # a second time: the form corrects the reading submitted, showing the old and new value
            modal = await open_form(pilot)
            assert modal.has_class("-correction")
            intro = str(modal.query_one("#already", Static).content)
            assert app.i18n.volume(Decimal(typed)) in intro and "until the invoice" in intro
            assert app.i18n.volume(last) in str(modal.query_one("#last", Static).content)  # checked against
            assert str(modal.query_one("#send").label) == "Correct"
            message = await submit(pilot, modal, f"{last - 1:f}")  # below the reading before it: refused here
            assert "lower than the last one" in message and "28 Oct 2026" in message
            corrected = f"{last + Decimal('4.25'):f}"
            field = modal.query_one("#value", Input)
            field.value = ""
            await pilot.press(*corrected)
            change = str(modal.query_one("#change", Static).content)
            assert f"Was: {app.i18n.volume(Decimal(typed))}" in change
            assert f"will be: {app.i18n.volume(Decimal(corrected))}" in change
            await press_settled(pilot, "enter")
            assert app.screen is screen
            notice = str(screen.query_one("#notice", Static).content)
            assert "corrected" in notice and app.i18n.volume(Decimal(typed)) in notice
            assert app.i18n.volume(Decimal(corrected)) in notice
            table = screen.query_one("#readings", DataTable)
            assert len(table.rows) == rows_before  # still one self-reading this period
            assert app.i18n.volume(Decimal(corrected)).replace(" m³", "") in column(table, "value")[0]
            assert column(table, "consumption")[0] == "4.250 m³"
            info = await app.api.readings()
            assert [r.type for r in info.items if r.date == date(2026, 11, 15)] == ["self"]

            # after the billing run for the period the correction is refused, with the reason
            srv.cli("issue-invoices", "--today", "2026-11-15", "--period", "2026-11")
            modal = await open_form(pilot)
            message = await submit(pilot, modal, f"{last + 4:f}")
            assert "can no longer be corrected" in message and "invoice" in message
            assert app.screen is modal
