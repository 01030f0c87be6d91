"""Demo mailbox (GET /demo/mail) and /demo-info passwords that stay true (demo servers only)."""

from __future__ import annotations

import httpx

from ebok_server.mailer import FileMailer
from tests.server_proc import running_server

from .helpers import assert_error, bearer, login


def test_demo_mailbox_lists_what_the_server_sent_and_demo_info_drops_changed_passwords(tmp_path):
    with running_server(tmp_path) as srv, httpx.Client(base_url=srv.api, timeout=15) as api:
        assert api.get("/demo/mail").json() == {"items": []}
        # mail written by the server's own mailer into its mail folder, whatever it says
        mailer = FileMailer(srv.mail_dir)
        mailer.send("jan.kowalski@example.com", "eBOK – kod / code", "Kod: 123456\nCode: 123456\n")
        mailer.send("anna@example.com", "Zażółć gęślą jaźń", "Treść ąę\n")
        items = api.get("/demo/mail").json()["items"]
        assert [m["subject"] for m in items] == ["Zażółć gęślą jaźń", "eBOK – kod / code"]  # newest first
        first = items[1]
        assert first["to"] == "jan.kowalski@example.com" and "ebok@mpwik.example" in first["from"]
        assert first["body"] == "Kod: 123456\nCode: 123456\n"
        assert first["date"].endswith("Z") and first["id"]

        # a changed demo password is not shown any more; the others still are
        assert {c["customer_number"]: c["password"] for c in api.get("/demo-info").json()["customers"]}[
            "10002"
        ] == "woda-10002"
        token = login(api, "10002")
        r = api.post(
            "/auth/password",
            json={"current_password": "woda-10002", "new_password": "nowe-haslo-1"},
            headers=bearer(token),
        )
        assert r.status_code == 204, r.text
        shown = {c["customer_number"]: c["password"] for c in api.get("/demo-info").json()["customers"]}
        assert shown["10002"] is None and shown["10001"] == "woda-10001"


def test_no_demo_mailbox_without_seed_demo(tmp_path):
    with running_server(tmp_path, seed_demo=False) as srv:
        FileMailer(srv.mail_dir).send("someone@example.com", "secret", "Hasło: x\n")
        assert_error(httpx.get(srv.api + "/demo/mail"), 404, "not_found")
        assert "/api/v1/demo/mail" in httpx.get(srv.url + "/openapi.json").json()["paths"]
