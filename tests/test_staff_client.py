"""The staff client and session (UI-free) against the real server in-process: TOTP login, search,
acting for a customer through the resident client's calls, closing the access."""

from __future__ import annotations

import pyotp
import pytest

from ebok_tui.core.api import Forbidden, InvalidCredentials, NotFound, Unauthorized
from ebok_tui.core.api.staff import ActingClient, Consent, StaffClient, Verification
from ebok_tui.core.staff_session import StaffSession

DEMO_STAFF = {
    "pomoc": ("pomoc-demo-2026", None),
    "urzednik": ("urzednik-demo-2026", "EBOKDEMOURZEDNIKTOTPSEKRETBBBBBB"),
    "kierownik": ("kierownik-demo-2026", "EBOKDEMOKIEROWNIKTOTPSEKRETAAAAA"),
}


def code(login: str) -> str | None:
    secret = DEMO_STAFF[login][1]
    return pyotp.TOTP(secret).now() if secret else None


async def test_totp_login_and_refusals(fresh_server):
    async with fresh_server.client() as api:
        staff = StaffSession(StaffClient.sharing(api))
        with pytest.raises(InvalidCredentials) as e:
            await staff.login("urzednik", "urzednik-demo-2026")
        assert e.value.code == "totp_required"
        wrong = f"{(int(code('urzednik')) + 1) % 1_000_000:06d}"
        with pytest.raises(InvalidCredentials) as e:
            await staff.login("urzednik", "urzednik-demo-2026", wrong)
        assert e.value.code == "invalid_totp"
        with pytest.raises(InvalidCredentials) as e:
            await staff.login("urzednik", "wrong-password-here", code("urzednik"))
        assert e.value.code == "invalid_credentials"
        assert not staff.active and staff.api.token is None

        me = await staff.login("urzednik", "urzednik-demo-2026", code("urzednik"))
        assert me.role == "clerk" and staff.can("reading") and not staff.can("audit")
        assert (await staff.api.me()).login == "urzednik"
        await staff.logout()
        assert staff.api.token is None
        with pytest.raises(Unauthorized):
            await staff.api.me()
    assert api.is_closed  # the shared connections belong to the resident client


async def test_search_and_act_for(server):
    async with server.client() as api:
        staff = StaffSession(StaffClient.sharing(api))
        await staff.login("pomoc", "pomoc-demo-2026")
        page = await staff.api.search("wisniewski")
        assert [h.customer_number for h in page.items] == ["10003"]
        assert page.items[0].full_name == "Piotr Wiśniewski" and not page.truncated

        with pytest.raises(Forbidden) as e:
            await staff.open_customer(
                "10001", "phone_call", verification=Verification(customer_number=True, address=False)
            )
        assert e.value.code == "verification_failed" and staff.access is None

        acting = await staff.open_customer(
            "10001", "phone_call", verification=Verification(customer_number=True, address=True)
        )
        assert isinstance(acting.api, ActingClient)
        assert acting.me is not None and acting.me.full_name == "Jan Kowalski"
        assert staff.access is not None and not staff.access.can("reading")  # helpdesk
        balance = await acting.api.balance()
        assert balance.overdue > 0
        assert (await acting.api.invoices()).total > 0
        assert (await acting.api.health()).status == "ok"  # public calls are not rebased
        with pytest.raises(Forbidden):  # helpdesk may not register a reading
            await acting.api.submit_reading("X", 1)  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            await acting.api.efaktura_record("jan@example.com", "2026-11", consent=Consent(form="phone"))

        access_id = staff.access.access_id
        await staff.close_customer()
        assert staff.access is None
        with pytest.raises(NotFound) as e:
            await acting.api.balance()
        assert e.value.code == "access_not_live"
        with pytest.raises(NotFound) as e:
            await staff.api.close_access(access_id)
        assert e.value.code == "access_not_live"
        await staff.logout()


async def test_queue_audit_accounts_and_billing(fresh_server):
    """The supervisor's calls: queue (filter, take, reply, status), audit (filter, CSV export),
    accounts (add with the TOTP secret once, disable), billing run; a helpdesk operator is refused."""
    import csv
    import io

    from ebok_tui.core.api import Conflict

    async with fresh_server.client() as api:
        boss = StaffClient.sharing(api)
        await boss.login("kierownik", "kierownik-demo-2026", code("kierownik"))
        page = await boss.queue(limit=200)
        assert page.items and page.total == len(page.items)
        open_ = await boss.queue(status="sent")
        assert {i.status for i in open_.items} == {"sent"}
        thread = open_.items[0]
        taken = await boss.take(thread.id)
        assert taken.assignee == "kierownik" and taken.messages
        assert [i.id for i in (await boss.queue(assignee="me")).items] == [thread.id]
        reply = await boss.queue_reply(thread.id, "Dzień dobry, sprawdzimy to.", "in_progress")
        assert reply.author == "utility"
        closed = await boss.set_status(thread.id, "closed")
        assert closed.status == "closed"
        assigned = await boss.assign(thread.id, "pomoc")
        assert assigned.assignee == "pomoc"

        audit = await boss.audit(customer_number=thread.customer_number)
        assert audit.items[0].resource == f"thread:{thread.id}" and audit.items[0].staff_login == "kierownik"
        rows = list(csv.DictReader(io.StringIO((await boss.audit_export(staff_login="kierownik")).decode())))
        assert rows[-1]["resource"] == "audit_export"
        assert [r["resource"] for r in rows[:-1]] == [i.resource for i in reversed(audit.items)]

        created = await boss.add_account("anna.nowa", "Anna Nowa", "clerk", "bardzo-dlugie-haslo-2026")
        assert created.totp_secret and created.totp_uri and created.totp_uri.startswith("otpauth://totp/")
        with pytest.raises(Conflict):
            await boss.add_account("anna.nowa", "Anna Nowa", "clerk", "bardzo-dlugie-haslo-2026")
        listed = {a.login: a for a in await boss.accounts()}
        assert not listed["anna.nowa"].disabled and not hasattr(listed["anna.nowa"], "totp_secret")
        assert (await boss.disable_account("anna.nowa")).disabled

        run = await boss.billing_run("2019-02")
        assert run.issued == 8 and run.gross_total > 0  # one invoice per service point: 10005 has three
        assert (await boss.billing_run("2019-02")).issued == 0

        helpdesk = StaffClient.sharing(api)
        await helpdesk.login("pomoc", "pomoc-demo-2026")
        for call in (helpdesk.audit(), helpdesk.accounts(), helpdesk.billing_run("2019-03")):
            with pytest.raises(Forbidden):
                await call
