"""Text from the server (or typed by the resident) is shown as written, never parsed as markup:
a subject, name or meter number like ``[/x]`` must neither crash a screen nor lose its brackets."""

from __future__ import annotations

from textual.widgets import DataTable, Label, Static

from ebok_tui.ui.screens.billing.pay_dialogs import QrModal
from ebok_tui.ui.screens.readings.submit_reading import SubmitReadingModal
from tests.contract_mail_support import table_rows, text_of
from tests.tui_support import logged_in, make_app, settle

WEIRD = "[/x] [bold]b[/bold] [link=x]"


async def test_server_text_with_brackets_is_shown_literally(server, tmp_path):
    app = make_app(server, tmp_path)
    async with logged_in(app, "10004", "account") as pilot:
        # account: the resident's name and address in a Rich grid
        screen = app.screen
        assert app.me is not None
        screen.show_me(app.me.model_copy(update={"full_name": WEIRD, "address": WEIRD}))
        await settle(pilot)
        assert text_of(screen.query_one("#me")).count(WEIRD) == 2

        # contract: number, tariff group, address and an unknown service in a Rich grid
        await app.action_open_section("contract")
        await settle(pilot)
        screen = app.screen
        contract = await app.api.contract()
        screen.show_contract(
            contract.model_copy(
                update={"number": WEIRD, "tariff_group": WEIRD, "connection_address": WEIRD, "services": [WEIRD]}
            ),
            None,
        )
        await settle(pilot)
        assert text_of(screen.query_one("#contract-info")).count(WEIRD) == 4

        # readings: a meter number in the table, in the form and in the "accepted" notice
        await app.action_open_section("readings")
        await settle(pilot)
        screen = app.screen
        info = screen.info
        assert info is not None and info.items and info.meters
        item = info.items[0].model_copy(update={"meter_number": WEIRD})
        info = info.model_copy(
            update={"items": [item, *info.items[1:]], "meters": [info.meters[0].model_copy(update={"number": WEIRD})]}
        )
        screen.show(info)
        await settle(pilot)
        assert table_rows(screen.query_one("#readings", DataTable))[0][1] == WEIRD
        screen._submitted(item)
        await settle(pilot)
        assert WEIRD in text_of(screen.query_one("#notice", Static))
        await app.push_screen(SubmitReadingModal(info))
        await settle(pilot)
        assert str(app.screen.query_one("#meter-number", Label).content) == WEIRD
        app.screen.on_api_error(type("E", (), {"code": "unknown_meter", "fields": {}})())  # type: ignore[arg-type]
        await settle(pilot)
        assert WEIRD in text_of(app.screen.query_one("#value-error", Static))
        app.screen.dismiss(None)
        await settle(pilot)

        # balance: the recipient's name in the QR dialog's caption
        await app.push_screen(QrModal(["█"], f"{WEIRD} 12,34 zł"))
        await settle(pilot)
        assert WEIRD in text_of(app.screen.query_one("#qr-caption", Static))
