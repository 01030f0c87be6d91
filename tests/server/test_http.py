"""Transport-level behaviour: error shape, 413/415/400, OpenAPI (shared server; nothing may change)."""

from __future__ import annotations

import json

import httpx
import pytest

from .helpers import assert_error, bearer, login

THREAD = {"kind": "other", "subject": "Duże", "body": "x"}


@pytest.fixture(scope="module")
def token(server_url):
    with httpx.Client(base_url=server_url + "/api/v1", timeout=15) as c:
        return login(c, "10002")


def _count_threads(api, token):
    return api.get("/correspondence", headers=bearer(token)).json()["total"]


def test_10mb_body_is_413_and_nothing_created(api, token):
    before = _count_threads(api, token)
    big = json.dumps(THREAD | {"body": "x" * (10 * 1024 * 1024)})
    r = api.post("/correspondence", content=big, headers=bearer(token) | {
        "Idempotency-Key": "big-1", "Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large")
    assert _count_threads(api, token) == before


def test_streamed_body_over_limit_is_413(api, token):
    def chunks():
        yield b'{"kind": "other", "subject": "x", "body": "'
        for _ in range(20):
            yield b"y" * 65536
        yield b'"}'

    before = _count_threads(api, token)
    r = api.post("/correspondence", content=chunks(), headers=bearer(token) | {
        "Idempotency-Key": "big-2", "Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "payload_too_large")
    assert _count_threads(api, token) == before


def test_body_just_under_limit_reaches_validation(api, token):
    body = json.dumps({"customer_number": "10002", "password": "p" * (1024 * 1024 - 60)})
    assert len(body) < 1024 * 1024
    assert_error(api.post("/auth/login", content=body, headers={"Content-Type": "application/json"}), 422,
                 "validation_error")


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
def test_non_json_is_415(api, token, ctype):
    before = _count_threads(api, token)
    headers = bearer(token) | {"Idempotency-Key": "ct-" + str(ctype)}
    if ctype:
        headers["Content-Type"] = ctype
    r = api.post("/correspondence", content=json.dumps(THREAD).encode(), headers=headers)
    assert_error(r, 415, "unsupported_media_type")
    assert_error(api.put("/efaktura", content=b'{"email": "a@b.pl"}', headers=bearer(token) | (
        {"Content-Type": ctype} if ctype else {})), 415, "unsupported_media_type")
    assert _count_threads(api, token) == before


def test_json_with_charset_is_fine(api):
    r = api.post("/auth/login", content=b'{"customer_number": "10002", "password": "woda-10002"}',
                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200


@pytest.mark.parametrize("raw", [b"{", b'{"customer_number": }', b"\xff\xfe"])
def test_malformed_json_is_400(api, raw):
    assert_error(api.post("/auth/login", content=raw, headers={"Content-Type": "application/json"}), 400,
                 "bad_request")


def test_missing_body_and_wrong_types_are_422(api):
    assert_error(api.post("/auth/login"), 422, "validation_error")
    err = assert_error(api.post("/auth/login", json={"customer_number": 10001, "password": None}), 422,
                       "validation_error")
    assert {"customer_number", "password"} <= set(err["fields"])


def test_unknown_route_and_method_use_error_shape(api, token):
    assert_error(api.get("/nope", headers=bearer(token)), 404, "not_found")
    assert_error(api.delete("/balance", headers=bearer(token)), 405, "method_not_allowed")
    assert_error(api.get("/invoices/abc", headers=bearer(token)), 422, "validation_error")


def test_openapi(server_url):
    doc = httpx.get(server_url + "/openapi.json").json()
    assert doc["info"]["title"] == "eBOK API" and doc["info"]["version"] == "0.1.0"
    for path in ("/api/v1/auth/login", "/api/v1/balance", "/api/v1/invoices/{invoice_id}/pdf",
                 "/api/v1/correspondence/{thread_id}/messages", "/api/v1/readings", "/api/v1/efaktura"):
        assert path in doc["paths"], path


def test_demo_info_absent_without_seed_demo(tmp_path, fresh_db_url):
    from tests.server_proc import running_server

    with running_server(tmp_path, seed_demo=False, db_url=fresh_db_url) as srv:
        assert_error(httpx.get(srv.api + "/demo-info"), 404, "not_found")
        assert httpx.get(srv.api + "/health").json()["today"] == "2026-11-15"
        assert_error(httpx.post(srv.api + "/auth/login", json={"customer_number": "10001",
                                                                "password": "woda-10001"}), 401,
                     "invalid_credentials")
    assert srv.proc.returncode == 0  # clean shutdown on SIGTERM


UNSTORABLE = ["a\x00b", "\ud800", "x\udfffy"]  # NUL (PostgreSQL cannot store it), unpaired surrogates


def _raw_json(payload: dict) -> bytes:
    return json.dumps(payload).encode()  # ensure_ascii: surrogates travel as \\udXXX escapes, as a client may send


TEXT_INPUTS = [  # (method, path, valid body, text fields, authenticated)
    ("POST", "/auth/login", {"customer_number": "10002", "password": "woda-10002"}, ["customer_number", "password"],
     False),
    ("POST", "/auth/register", {"full_name": "Jan", "email": "jan@example.com", "contract_number": "UM/2015/00123",
                                "meter_number": "WM-1234567"}, ["full_name", "email", "contract_number",
                                                                 "meter_number"], False),
    ("POST", "/auth/password-reset", {"customer_number": "10002", "email": "anna.nowak@example.com"},
     ["customer_number", "email"], False),
    ("POST", "/auth/password", {"current_password": "woda-10002", "new_password": "inne-haslo-123"},
     ["current_password", "new_password"], True),
    ("PUT", "/efaktura", {"email": "anna.nowak@example.com"}, ["email"], True),
    ("POST", "/readings", {"meter_number": "WM-2345678", "value": "1.000"}, ["meter_number", "value"], True),
    ("POST", "/correspondence", THREAD | {"contact_phone": "600", "location": "ul. Leśna"},
     ["kind", "subject", "body", "contact_phone", "location"], True),
]


@pytest.mark.parametrize("method,path,body,fields,authed", TEXT_INPUTS, ids=[t[1] for t in TEXT_INPUTS])
def test_unstorable_text_is_422_on_every_text_input(api, token, method, path, body, fields, authed):
    """NUL gave a 500 on PostgreSQL (SQLite stored it); a lone surrogate failed on both. Now every
    text field of every body answers 422 naming the field, and nothing is stored."""
    before = api.get("/correspondence", headers=bearer(token)).json()
    efaktura = api.get("/efaktura", headers=bearer(token)).json()
    thread_id = before["items"][0]["id"]
    cases = [(method, path, body, fields), ("POST", f"/correspondence/{thread_id}/messages", {"body": "x"}, ["body"])]
    for m, p, b, fs in cases:
        for field in fs:
            for bad in UNSTORABLE:
                headers = {"Content-Type": "application/json", "Idempotency-Key": f"nul-{p}-{field}-{bad!r}"}
                if authed or "messages" in p:
                    headers |= bearer(token)
                r = api.request(m, p, content=_raw_json(b | {field: bad}), headers=headers)
                err = assert_error(r, 422, "validation_error")
                assert field in err["fields"], (p, field, err)
    assert api.get("/correspondence", headers=bearer(token)).json() == before
    assert api.get("/efaktura", headers=bearer(token)).json() == efaktura
    assert api.get("/me", headers=bearer(token)).status_code == 200  # the password did not change
