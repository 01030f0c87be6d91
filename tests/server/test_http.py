"""Transport-level behaviour: error shape, 413/415/400, OpenAPI (shared server; nothing may change)."""

from __future__ import annotations

import json
import socket

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
    r = api.post(
        "/correspondence",
        content=big,
        headers=bearer(token) | {"Idempotency-Key": "big-1", "Content-Type": "application/json"},
    )
    assert_error(r, 413, "payload_too_large")
    assert _count_threads(api, token) == before


def test_streamed_body_over_limit_is_413(api, token):
    def chunks():
        yield b'{"kind": "other", "subject": "x", "body": "'
        for _ in range(20):
            yield b"y" * 65536
        yield b'"}'

    before = _count_threads(api, token)
    r = api.post(
        "/correspondence",
        content=chunks(),
        headers=bearer(token) | {"Idempotency-Key": "big-2", "Content-Type": "application/json"},
    )
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "payload_too_large")
    assert _count_threads(api, token) == before


def test_body_just_under_limit_reaches_validation(api, token):
    body = json.dumps({"customer_number": "10002", "password": "p" * (1024 * 1024 - 60)})
    assert len(body) < 1024 * 1024
    assert_error(
        api.post("/auth/login", content=body, headers={"Content-Type": "application/json"}), 422, "validation_error"
    )


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
def test_non_json_is_415(api, token, ctype):
    before = _count_threads(api, token)
    headers = bearer(token) | {"Idempotency-Key": "ct-" + str(ctype)}
    if ctype:
        headers["Content-Type"] = ctype
    r = api.post("/correspondence", content=json.dumps(THREAD).encode(), headers=headers)
    assert_error(r, 415, "unsupported_media_type")
    assert_error(
        api.post(
            "/efaktura/request",
            content=b'{"email": "a@b.pl", "terms_version": "2026-11"}',
            headers=bearer(token) | ({"Content-Type": ctype} if ctype else {}),
        ),
        415,
        "unsupported_media_type",
    )
    assert _count_threads(api, token) == before


def test_json_with_charset_is_fine(api):
    r = api.post(
        "/auth/login",
        content=b'{"customer_number": "10002", "password": "woda-10002"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200


@pytest.mark.parametrize(
    "raw", [b"{", b'{"customer_number": }', b"\xff\xfe", b"[]", b"null", b'"x"', b"1", b'{"a": 1}{']
)
def test_malformed_body_is_400_with_one_message(api, raw):
    """Not JSON, or JSON that is not an object: the same 400 and the same message every time."""
    err = assert_error(
        api.post("/auth/login", content=raw, headers={"Content-Type": "application/json"}), 400, "bad_request"
    )
    assert err == {"code": "bad_request", "message": "Malformed request body: expected a JSON object."}


def test_missing_body_and_wrong_types_are_422(api):
    assert_error(api.post("/auth/login"), 422, "validation_error")
    err = assert_error(
        api.post("/auth/login", json={"customer_number": 10001, "password": None}), 422, "validation_error"
    )
    assert {"customer_number", "password"} <= set(err["fields"])


def test_unknown_route_and_method_use_error_shape(api, token):
    assert_error(api.get("/nope", headers=bearer(token)), 404, "not_found")
    r = api.delete("/balance", headers=bearer(token))
    assert_error(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET"


@pytest.mark.parametrize(
    "path,allow",
    [
        ("/efaktura", "GET"),
        ("/efaktura/confirm", "POST"),
        ("/readings", "GET, POST"),
        ("/invoices/1", "GET"),
        ("/correspondence/7/messages", "POST"),
        ("/auth/login", "POST"),
    ],
)
def test_options_and_other_methods_are_405_with_the_full_allow(api, token, path, allow):
    """No CORS here: OPTIONS (like any method a path does not serve) is a 405 in our shape whose
    Allow names every method of the path (the framework's own named only the first route's)."""
    for method in ("OPTIONS", "PATCH"):
        r = api.request(method, path, headers=bearer(token))
        assert_error(r, 405, "method_not_allowed")
        assert r.headers["allow"] == allow


@pytest.mark.parametrize("odd", ["1.0", "+1", "01", "1_0", "%201", "1%20", "0x1", "1e0", "abc", "0", "-1", "１"])
def test_path_ids_are_canonical_decimals_only(api, token, odd):
    """Only canonical decimals name a row: "1.0", "+1", "01", "1_0" are not invoice 1 but the same
    404 as a missing id (for every path id: invoices, PDFs, threads, messages)."""
    h = bearer(token)
    inv = api.get("/invoices", params={"limit": 1}, headers=h).json()["items"][0]["id"]
    thread = api.get("/correspondence", params={"limit": 1}, headers=h).json()["items"][0]["id"]
    missing = api.get("/invoices/999999999", headers=h)
    assert api.get(f"/invoices/{inv}", headers=h).status_code == 200
    for real in (inv, thread):
        bad = odd.replace("1", str(real)) if "1" in odd else odd
        for method, path in (
            ("GET", f"/invoices/{bad}"),
            ("GET", f"/invoices/{bad}/pdf"),
            ("GET", f"/correspondence/{bad}"),
            ("POST", f"/correspondence/{bad}/messages"),
        ):
            r = api.request(method, path, headers=h | {"Idempotency-Key": f"odd-{ascii(odd)}"}, json={"body": "x"})
            assert r.status_code == 404 and r.content == missing.content, (path, r.text)


def test_api_responses_are_not_stored_by_caches(api, token):
    login = api.post("/auth/login", json={"customer_number": "10002", "password": "woda-10002"})
    assert login.status_code == 200 and login.headers["cache-control"] == "no-store"
    api.post("/auth/logout", headers=bearer(login.json()["token"]))
    for r in (
        api.get("/me", headers=bearer(token)),
        api.get("/balance", headers=bearer(token)),
        api.get("/me"),
        api.get("/nope"),
        api.post("/auth/login", content=b"{"),
        api.post("/auth/login", content=b"{}", headers={"Content-Type": "text/plain"}),
    ):
        assert r.headers["cache-control"] == "no-store", (r.request.url, r.headers)


def _raw_exchange(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
        b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n",
    ],
)
def test_unparseable_http_request_gets_the_json_error_shape(server_url, request_bytes):
    """uvicorn answers what h11 cannot parse itself (the app never sees it): also in our shape."""
    reply = _raw_exchange(server_url, request_bytes)
    head, _, body = reply.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    assert status_line.startswith("HTTP/1.1 400"), reply
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"error": {"code": "bad_request", "message": "Malformed HTTP request."}}


def test_interactive_docs_are_off_by_default(server_url):
    assert httpx.get(server_url + "/openapi.json").status_code == 200
    for path in ("/docs", "/redoc"):
        assert_error(httpx.get(server_url + path), 404, "not_found")


def test_openapi(server_url):
    doc = httpx.get(server_url + "/openapi.json").json()
    assert doc["info"]["title"] == "eBOK API" and doc["info"]["version"] == "0.1.0"
    for path in (
        "/api/v1/auth/login",
        "/api/v1/balance",
        "/api/v1/invoices/{invoice_id}/pdf",
        "/api/v1/correspondence/{thread_id}/messages",
        "/api/v1/readings",
        "/api/v1/efaktura",
        "/api/v1/efaktura/request",
    ):
        assert path in doc["paths"], path


PUBLIC = {
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/register/confirm"),
    ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/confirm"),
    ("get", "/api/v1/health"),
    ("get", "/api/v1/demo-info"),
    ("get", "/api/v1/demo/mail"),
    ("get", "/api/v1/efaktura/terms"),
    ("post", "/api/v1/staff/auth/login"),
}


def test_openapi_tells_the_truth(server_url):
    """What schemathesis and generated clients rely on (test_contract.py checks the replies)."""
    doc = httpx.get(server_url + "/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["ErrorOut"]["properties"]) == {"error"}
    bearer = doc["components"]["securitySchemes"]["bearer"]
    assert bearer["type"] == "http" and bearer["scheme"] == "bearer"
    ops = {(m, p): op for p, item in doc["paths"].items() for m, op in item.items()}
    for (method, path), op in ops.items():
        errors = {s for s in op["responses"] if s >= "400"}
        for status in errors:
            assert op["responses"][status]["content"] == {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
            }, (path, status)
        if (method, path) in PUBLIC:
            assert "security" not in op, path
        else:
            assert op["security"] == [{"bearer": []}] and "401" in errors, path
        if "requestBody" in op:
            assert {"400", "413", "415", "422"} <= errors, path
        if "{" in path:
            assert "404" in errors, path
        if path.startswith("/api/v1/auth/"):
            assert {"429", "503"} <= errors, path
    for path in ("/api/v1/correspondence", "/api/v1/correspondence/{thread_id}/messages"):
        (key,) = [p for p in ops[("post", path)]["parameters"] if p["name"] == "Idempotency-Key"]
        assert key["in"] == "header" and key["required"] is True


def test_demo_info_absent_without_seed_demo(tmp_path, fresh_db_url):
    from tests.server_proc import running_server

    with running_server(tmp_path, seed_demo=False, db_url=fresh_db_url) as srv:
        assert_error(httpx.get(srv.api + "/demo-info"), 404, "not_found")
        assert httpx.get(srv.api + "/health").json()["today"] == "2026-11-15"
        assert_error(
            httpx.post(srv.api + "/auth/login", json={"customer_number": "10001", "password": "woda-10001"}),
            401,
            "invalid_credentials",
        )
    assert srv.proc.returncode == 0  # clean shutdown on SIGTERM


UNSTORABLE = ["a\x00b", "\ud800", "x\udfffy"]  # NUL (PostgreSQL cannot store it), unpaired surrogates


def _raw_json(payload: dict) -> bytes:
    return json.dumps(payload).encode()  # ensure_ascii: surrogates travel as \\udXXX escapes, as a client may send


NEW_PASSWORD = {"customer_number": "10002", "code": "x", "new_password": "inne-haslo-123"}
LOGIN = {"customer_number": "10002", "password": "woda-10002"}
REGISTER = {"contract_number": "UM/2015/00123", "meter_number": "WM-1234567", "invoice_gross": 100}
RESET = {"customer_number": "10002", "email": "anna.nowak@example.com"}
PASSWORD = {"current_password": "woda-10002", "new_password": "inne-haslo-123"}
READING = {"meter_number": "WM-2345678", "value": "1.000"}
EFAKTURA = {"email": "anna@example.org", "terms_version": "2026-11"}
LETTER = THREAD | {"contact_phone": "600", "location": "ul. Leśna"}
TEXT_INPUTS = [  # (method, path, valid body, text fields, authenticated)
    ("POST", "/auth/login", LOGIN, list(LOGIN), False),
    ("POST", "/auth/register", REGISTER, ["contract_number", "meter_number"], False),
    ("POST", "/auth/register/confirm", NEW_PASSWORD, list(NEW_PASSWORD), False),
    ("POST", "/auth/password-reset", RESET, list(RESET), False),
    ("POST", "/auth/password-reset/confirm", NEW_PASSWORD, list(NEW_PASSWORD), False),
    ("POST", "/auth/password", PASSWORD, list(PASSWORD), True),
    ("POST", "/efaktura/request", EFAKTURA, list(EFAKTURA), True),
    ("POST", "/readings", READING, list(READING), True),
    ("POST", "/correspondence", LETTER, list(LETTER), True),
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


def test_files_holding_secrets_are_private(tmp_path):
    """The mail directory (0700), its .eml files (0600) and the SQLite database with its WAL and SHM
    files (0600): not readable by other local users, whatever the umask (here the usual 022)."""
    import os
    import stat

    from ebok_server.mailer import FileMailer
    from tests.server_proc import running_server

    old = os.umask(0o022)
    try:
        mail_dir = tmp_path / "spool" / "mail"
        FileMailer(mail_dir).send("jan@example.com", "Kod", "Kod dostępu: 123")
        (eml,) = mail_dir.glob("*.eml")
        assert stat.S_IMODE(mail_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE(eml.stat().st_mode) == 0o600

        db = tmp_path / "srv" / "ebok.db"
        db.parent.mkdir()
        with running_server(
            tmp_path / "srv",
            "--docs",
            "--mail-dir",
            str(tmp_path / "srv" / "outbox"),
            db_url=f"sqlite+aiosqlite:///{db}",
        ) as srv:
            token = httpx.post(
                srv.api + "/auth/login", json={"customer_number": "10001", "password": "woda-10001"}
            ).json()["token"]
            assert httpx.get(srv.api + "/me", headers=bearer(token)).status_code == 200
            files = [db, db.with_name("ebok.db-wal"), db.with_name("ebok.db-shm")]
            assert all(f.exists() for f in files), list(db.parent.iterdir())
            assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
            assert stat.S_IMODE((tmp_path / "srv" / "outbox").stat().st_mode) == 0o700
            for path in ("/docs", "/redoc"):  # --docs turns the interactive pages on
                assert httpx.get(srv.url + path).status_code == 200
    finally:
        os.umask(old)
