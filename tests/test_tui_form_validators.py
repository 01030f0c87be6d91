"""Field checks are Textual ``Input`` validators (``textual.validation``) with messages from the
catalogues, in Polish and in English: registration, password reset and their code steps. Checked
when the form is sent; every failure is shown under its field, the first failing field gets the
focus, nothing typed is lost and nothing is sent. (Account password change: test_tui_account.py;
self-reading: test_tui_readings.py; login and e-FAKTURA: their own modules.)"""

from __future__ import annotations

import pytest
from textual.validation import Validator
from textual.widgets import Button, Input

from ebok_tui.ui.screens.auth.password_reset import PasswordResetScreen, ResetCodeScreen
from ebok_tui.ui.screens.auth.public_form import PublicForm
from ebok_tui.ui.screens.auth.register import RegisterCodeScreen, RegisterScreen
from tests.tui_support import make_app, settle, started, text_of

# screen, what is typed per field, the catalogue key expected under each field ("" = no message)
CASES = [
    (
        RegisterScreen,
        {"contract_number": "  ", "meter_number": "WM-0000000", "invoice_gross": "12,345"},
        {
            "contract_number": "register.error_contract_number",
            "meter_number": "",
            "invoice_gross": "register.error_invoice_gross",
        },
    ),
    (
        PasswordResetScreen,
        {"customer_number": "1234", "email": "jan@kowalski"},
        {"customer_number": "reset.error_customer_number", "email": "public.error_email"},
    ),
    (
        PasswordResetScreen,
        {"customer_number": "12345", "email": ""},
        {"customer_number": "", "email": "public.error_email_empty"},
    ),
    # a password too short: "they differ" is not said yet
    (
        RegisterCodeScreen,
        {"customer_number": "12345", "code": "", "new_password": "krotkie", "new_password_confirm": "inne"},
        {
            "customer_number": "",
            "code": "code.error_code",
            "new_password": "code.error_password_short",
            "new_password_confirm": "",
        },
    ),
    # long enough but repeated differently
    (
        ResetCodeScreen,
        {
            "customer_number": "12345",
            "code": "ABCD",
            "new_password": "dluga-fraza-1",
            "new_password_confirm": "dluga-fraza-2",
        },
        {"customer_number": "", "code": "", "new_password": "", "new_password_confirm": "code.error_password_mismatch"},
    ),
]


@pytest.mark.parametrize("lang", ["pl", "en"])
async def test_bad_input_is_explained_under_its_field_and_kept(server, lang):
    app = make_app(server, lang=lang)
    async with started(app) as pilot:
        for screen_class, typed, expected in CASES:
            screen: PublicForm = screen_class()
            await app.push_screen(screen)
            await settle(pilot)
            for name, value in typed.items():
                field = screen.query_one(f"#f-{name}", Input)
                assert field.validators and all(isinstance(v, Validator) for v in field.validators), name
                field.value = value
            await settle(pilot)  # the edits' Changed messages handled before the form is sent
            screen.query_one("#submit", Button).press()
            await settle(pilot)
            assert not screen.has_class("-done")  # nothing was sent
            for name, key in expected.items():
                field = screen.query_one(f"#f-{name}", Input)
                assert text_of(screen.query_one(f"#e-{name}")) == (screen.t(key) if key else ""), (screen_class, name)
                assert field.has_class("-invalid") == bool(key), (screen_class, name)
                assert field.value == typed[name]  # nothing typed is lost
            first = next(name for name, key in expected.items() if key)
            assert app.focused is screen.query_one(f"#f-{first}", Input)
            if lang == "pl" and screen_class is PasswordResetScreen and expected["customer_number"]:
                assert text_of(screen.query_one("#e-customer_number")) == "Numer klienta to dokładnie 5 cyfr."
            # editing a field takes its message away
            screen.query_one(f"#f-{first}", Input).insert_text_at_cursor("1")
            await settle(pilot)
            assert text_of(screen.query_one(f"#e-{first}")) == ""
            screen.dismiss(None)
            await settle(pilot)
