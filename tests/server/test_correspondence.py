"""Correspondence threads, idempotency and staff replies (private server)."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest

from .helpers import assert_error, bearer, login


@pytest.fixture(scope="module")
def tok(own_server):
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        return {n: login(c, n) for n in ("10001", "10002", "10003", "10004")}


def _threads(api, token):
    r = api.get("/correspondence", params={"limit": 200}, headers=bearer(token))
    assert r.status_code == 200
    return r.json()


NEW = {
    "kind": "failure_report",
    "subject": "Wyciek na ulicy",
    "body": "Woda wypływa ze studzienki.",
    "contact_phone": "+48 600 000 000",
    "location": "ul. Leśna 3",
}


def test_seeded_threads(own_api, tok):
    page = _threads(own_api, tok["10001"])
    assert {t["status"] for t in page["items"]} == {"sent", "in_progress", "answered", "closed"}
    updated = [t["updated_at"] for t in page["items"]]
    assert updated == sorted(updated, reverse=True)
    answered = next(t for t in page["items"] if t["status"] == "answered")
    d = own_api.get(f"/correspondence/{answered['id']}", headers=bearer(tok["10001"])).json()
    assert [m["author"] for m in d["messages"]] == ["customer", "utility"]
    assert d["message_count"] == 2 and d["messages"][0]["created_at"] < d["messages"][1]["created_at"]
    assert _threads(own_api, tok["10003"])["total"] == 0


def test_create_and_idempotent_retry(own_api, tok):
    t = tok["10003"]
    key = str(uuid.uuid4())
    h = bearer(t) | {"Idempotency-Key": key}
    first = own_api.post("/correspondence", json=NEW, headers=h)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "sent" and body["kind"] == "failure_report" and body["message_count"] == 1
    assert body["messages"][0]["author"] == "customer" and body["messages"][0]["body"] == NEW["body"]
    assert body["location"] == NEW["location"] and body["contact_phone"] == NEW["contact_phone"]
    again = own_api.post("/correspondence", json=NEW, headers=h)
    assert again.status_code == 201 and again.json() == body
    page = _threads(own_api, t)
    assert page["total"] == 1 and page["items"][0]["id"] == body["id"]

    conflict = own_api.post("/correspondence", json=NEW | {"body": "Inna treść."}, headers=h)
    assert_error(conflict, 409, "idempotency_conflict")
    assert _threads(own_api, t)["total"] == 1
    # the same key from another customer is an independent key
    other = own_api.post("/correspondence", json=NEW, headers=bearer(tok["10002"]) | {"Idempotency-Key": key})
    assert other.status_code == 201 and other.json()["id"] != body["id"]


def test_concurrent_retries_create_one_thread(own_server, tok):
    t = tok["10004"]
    before = None
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        before = _threads(c, t)["total"]
    key = str(uuid.uuid4())
    results: list[httpx.Response] = []
    payload = NEW | {"subject": "Równoległe zgłoszenie"}

    def fire():
        with httpx.Client(base_url=own_server.api, timeout=30) as c:
            results.append(c.post("/correspondence", json=payload, headers=bearer(t) | {"Idempotency-Key": key}))

    threads = [threading.Thread(target=fire) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [r.status_code for r in results] == [201] * 6, [r.text for r in results]
    assert len({r.json()["id"] for r in results}) == 1
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        assert _threads(c, t)["total"] == before + 1


@pytest.mark.parametrize(
    "patch,field",
    [
        ({"body": ""}, "body"),
        ({"body": "   \n\t "}, "body"),
        ({"subject": ""}, "subject"),
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"body": "x" * 10001}, "body"),
        ({"kind": "complaint"}, "kind"),
    ],
)
def test_invalid_thread_is_rejected_and_nothing_created(own_api, tok, patch, field):
    t = tok["10002"]
    before = _threads(own_api, t)
    r = own_api.post("/correspondence", json=NEW | patch, headers=bearer(t) | {"Idempotency-Key": str(uuid.uuid4())})
    err = assert_error(r, 422, "validation_error")
    assert field in err["fields"]
    assert _threads(own_api, t) == before


def test_missing_idempotency_key(own_api, tok):
    t = tok["10002"]
    before = _threads(own_api, t)
    assert_error(own_api.post("/correspondence", json=NEW, headers=bearer(t)), 422, "idempotency_key_required")
    assert_error(
        own_api.post("/correspondence", json=NEW, headers=bearer(t) | {"Idempotency-Key": ""}),
        422,
        "idempotency_key_required",
    )
    tid = before["items"][0]["id"]
    assert_error(
        own_api.post(f"/correspondence/{tid}/messages", json={"body": "x"}, headers=bearer(t)),
        422,
        "idempotency_key_required",
    )
    assert _threads(own_api, t) == before


def test_follow_up_message_and_staff_reply(own_server, own_api, tok):
    t = tok["10001"]
    h = bearer(t)
    answered = next(x for x in _threads(own_api, t)["items"] if x["status"] == "answered")
    key = str(uuid.uuid4())
    r = own_api.post(
        f"/correspondence/{answered['id']}/messages",
        json={"body": "Dziękuję, a kiedy?"},
        headers=h | {"Idempotency-Key": key},
    )
    assert r.status_code == 201, r.text
    msg = r.json()
    assert msg["author"] == "customer" and msg["body"] == "Dziękuję, a kiedy?"
    again = own_api.post(
        f"/correspondence/{answered['id']}/messages",
        json={"body": "Dziękuję, a kiedy?"},
        headers=h | {"Idempotency-Key": key},
    )
    assert again.status_code == 201 and again.json() == msg
    assert_error(
        own_api.post(
            f"/correspondence/{answered['id']}/messages", json={"body": "inna"}, headers=h | {"Idempotency-Key": key}
        ),
        409,
        "idempotency_conflict",
    )
    d = own_api.get(f"/correspondence/{answered['id']}", headers=h).json()
    assert d["status"] == "sent" and d["message_count"] == 3 and d["messages"][-1] == msg
    assert _threads(own_api, t)["items"][0]["id"] == answered["id"]  # most recently updated first

    out = own_server.cli("reply", str(answered["id"]), "Ekipa będzie jutro.", "--today", "2026-11-15")
    assert "answered" in out.stdout
    d = own_api.get(f"/correspondence/{answered['id']}", headers=h).json()
    assert d["status"] == "answered" and d["messages"][-1]["author"] == "utility"

    own_server.cli("reply", str(answered["id"]), "Zamykamy.", "--close")
    assert own_api.get(f"/correspondence/{answered['id']}", headers=h).json()["status"] == "closed"
    before = own_api.get(f"/correspondence/{answered['id']}", headers=h).json()
    assert_error(
        own_api.post(
            f"/correspondence/{answered['id']}/messages",
            json={"body": "Jeszcze jedno"},
            headers=h | {"Idempotency-Key": str(uuid.uuid4())},
        ),
        422,
        "thread_closed",
    )
    assert own_api.get(f"/correspondence/{answered['id']}", headers=h).json() == before
    bad = own_server.cli("reply", "999999", "x", check=False)
    assert bad.returncode != 0


def test_contact_phone_must_be_polish_and_is_stored_normalised(own_api, tok):
    t = tok["10003"]
    for bad in (
        "abc",
        "12345",
        "+48 600 000 00",
        "+49 600 000 000",
        "600 000 0000",
        "+48600000000x",
        "0048 600 000 000",
        "600.000.000",
        "+48 +48 600000000",
    ):
        h = bearer(t) | {"Idempotency-Key": str(uuid.uuid4())}
        err = assert_error(
            own_api.post("/correspondence", json=NEW | {"contact_phone": bad}, headers=h), 422, "validation_error"
        )
        assert "Polish phone number" in err["fields"]["contact_phone"], (bad, err)
    before = _threads(own_api, t)["total"]
    for given, stored in (
        ("600-000-001", "+48 600 000 001"),
        ("+48600000002", "+48 600 000 002"),
        (" 600 000 003 ", "+48 600 000 003"),
        ("", None),
        ("   ", None),
        (None, None),
    ):
        h = bearer(t) | {"Idempotency-Key": str(uuid.uuid4())}
        r = own_api.post("/correspondence", json=NEW | {"contact_phone": given}, headers=h)
        assert r.status_code == 201, r.text
        assert r.json()["contact_phone"] == stored
    assert _threads(own_api, t)["total"] == before + 6
