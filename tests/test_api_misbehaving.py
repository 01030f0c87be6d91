"""EbokClient against real misbehaving HTTP peers on loopback (asyncio servers, no mocks of httpx).

* a server that drips its reply one byte at a time (httpx's read timeout restarts with every
  chunk, so only the client's overall deadline ends the call);
* servers that send a huge reply (announced by Content-Length, or chunked without a length, or
  compressed although the client asked for identity): the client stops at its cap, and its memory
  stays far below the body's size;
* servers that drop the connection after reading the request (closed, reset, or cut in the middle
  of the body): GETs are retried once, keyed POSTs once with the same key, other writes never,
  and "connection lost" is reported apart from "could not connect".
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import struct
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from ebok_tui.core.api import (
    REPLY_MAX_BYTES,
    Balance,
    ConnectionFailed,
    ConnectionLost,
    EbokClient,
    ProtocolError,
    RequestTimeout,
    ServerError,
)
from ebok_tui.core.i18n import I18n
from ebok_tui.ui.wording import error_message
from tests.fixtures_client import THREAD_REPLY, assert_reads, closed_port_url  # noqa: F401

PL, EN = I18n("pl"), I18n("en")

MiB = 1024 * 1024
HUGE = 64 * MiB  # the size of the reply in the finding 9
# per-phase timeouts far longer than the drip interval: only the overall deadline can end a drip
PATIENT = httpx.Timeout(30, connect=5)

BALANCE = {
    "balance": -100,
    "to_pay": 100,
    "overdue": 0,
    "overpayment": 0,
    "next_due_date": None,
    "next_due_amount": None,
    "bank_account": "PL61109010140000071219812874",
    "recipient_name": "W",
    "recipient_address": "A",
    "recipient_nip": "1",
    "transfer_title": "T",
    "as_of": "2026-11-15",
}


class Request:
    def __init__(self, head: bytes, body: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        self.method, self.target, _ = lines[0].split(" ", 2)
        self.headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ln)}
        self.body = body


Handler = Callable[["Peer", int, Request, asyncio.StreamWriter], Awaitable[None]]


class Peer:
    """An HTTP/1.1 peer on 127.0.0.1 whose behaviour is scripted per connection:
    ``handler(peer, n, request, writer)``: the peer itself (its ``write`` counts), ``n`` = 1 for the
    first connection, 2 for the second...
    ``bytes_sent`` counts what the handler managed to write; ``client_gone`` is set when a write
    failed because the client had closed the connection."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.bytes_sent = 0
        self.client_gone = asyncio.Event()
        self.url = ""
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> Peer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:  # a handler still dripping or sending
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(Request(head, b"").headers.get("content-length", "0"))
            request = Request(head, await reader.readexactly(length))
            self.requests.append(request)
            await self.handler(self, len(self.requests), request, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.client_gone.set()
        except asyncio.CancelledError:  # stopped by __aexit__: end quietly
            pass
        finally:
            writer.close()

    def client(self, **kwargs: Any) -> EbokClient:
        """A client of this peer with a session token, retrying at once (``kwargs``: its other options)."""
        kwargs.setdefault("retry_delay", 0)
        api = EbokClient(self.url, **kwargs)
        api._token = "t"
        return api

    async def write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await writer.drain()
        self.bytes_sent += len(data)


def head(status: int = 200, content_type: str = "application/json", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(body: dict, status: int = 200) -> bytes:
    data = json.dumps(body).encode()
    return head(status, Content_Length=str(len(data))) + data


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# --- overall deadline (finding 9: a drip-feeding server) ---------------------------------------


def dripper(what: str, content_type: str = "application/json") -> Handler:
    """Sends the reply one byte every 0.25 s: the whole reply (status line and headers included)
    or, after normal headers, a body announced as 100 000 bytes. Either would take hours."""

    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        if what == "headers":
            data = head(200, content_type, Content_Length="100000")
        else:
            await peer.write(writer, head(200, content_type, Content_Length="100000"))
            data = b" " * 100_000
        for i in range(len(data)):
            await peer.write(writer, data[i : i + 1])
            await asyncio.sleep(0.25)

    return handler


@pytest.mark.parametrize("what", ["headers", "body"])
async def test_drip_fed_get_ends_at_the_overall_deadline(what):
    async with Peer(dripper(what)) as peer:
        async with peer.client(timeout=PATIENT, deadline=1.5) as api:
            with pytest.raises(RequestTimeout) as err:
                await api.balance()
        # the client gave up and closed the connection long before the reply could be complete
        await asyncio.wait_for(peer.client_gone.wait(), 30)
        assert 0 < peer.bytes_sent < 1000
        assert len(peer.requests) == 1  # the deadline covers the whole call: no retry after it
    exc = err.value
    assert exc.code == "timeout" and "1.5 s deadline" in (exc.detail or "")
    assert isinstance(exc.__cause__, TimeoutError)
    assert_reads(
        exc,
        f"Serwer eBOK ({peer.url}) nie odpowiedział na czas. Spróbuj ponownie za chwilę.",
        f"The eBOK server ({peer.url}) did not answer in time. Try again in a moment.",
    )


async def test_deadline_bounds_a_keyed_post_including_its_retry():
    """A keyed POST is retried after a lost connection, but both attempts share one deadline: the
    first connection is dropped, the second one drips, and the call still ends at the deadline."""
    drip = dripper("body")

    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        if n == 1:
            return  # read the request, close without a reply
        await drip(peer, n, request, writer)

    async with Peer(handler) as peer:
        async with peer.client(timeout=PATIENT, deadline=1.5) as api:
            with pytest.raises(RequestTimeout):
                await api.create_thread("other", "Temat", "Treść", idempotency_key="key-d1")
        await asyncio.wait_for(peer.client_gone.wait(), 30)
    assert [r.headers["idempotency-key"] for r in peer.requests] == ["key-d1", "key-d1"]


async def test_pdf_has_its_own_deadline():
    async with Peer(dripper("body", "application/pdf")) as peer:
        # a long JSON deadline does not let a PDF drip on: the PDF's own deadline ends it
        async with peer.client(timeout=PATIENT, deadline=300, pdf_deadline=1.0) as api:
            with pytest.raises(RequestTimeout) as err:
                await api.invoice_pdf(1)
        await asyncio.wait_for(peer.client_gone.wait(), 30)
    assert "1 s deadline" in (err.value.detail or "")


def test_deadline_and_cap_must_be_positive():
    for kw in ({"deadline": 0}, {"pdf_deadline": -1}, {"max_reply_bytes": 0}):
        with pytest.raises(ValueError):
            EbokClient("http://127.0.0.1:1", **kw)


# --- size caps (finding 9: a 64 MiB JSON reply) -------------------------------------------------


def huge_sender(
    *,
    status: int = 200,
    announce: bool,
    content_type: str = "application/json",
    prefix: bytes = b'{"items": ["',
) -> Handler:
    """Sends a 64 MiB body in 64 KiB pieces, with Content-Length or chunked, until the client hangs up."""

    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        piece = b"x" * 65536
        if announce:
            await peer.write(writer, head(status, content_type, Content_Length=str(HUGE)))
            await peer.write(writer, prefix + piece[len(prefix) :])
            for _ in range(HUGE // len(piece) - 1):
                await peer.write(writer, piece)
        else:
            await peer.write(writer, head(status, content_type, Transfer_Encoding="chunked"))
            first = prefix + piece[len(prefix) :]
            await peer.write(writer, b"%x\r\n%s\r\n" % (len(first), first))
            framed = b"%x\r\n%s\r\n" % (len(piece), piece)
            for _ in range(HUGE // len(piece) - 1):
                await peer.write(writer, framed)
            await peer.write(writer, b"0\r\n\r\n")

    return handler


async def traced_peak(call: Callable[[], Awaitable[object]]) -> tuple[BaseException | None, int]:
    """Run ``call`` under tracemalloc; return what it raised (or None) and the peak of traced memory
    during the call (client and the in-process peer together)."""
    tracemalloc.start()
    try:
        raised: BaseException | None = None
        try:
            await call()
        except Exception as exc:  # noqa: BLE001 - returned to the test, which checks it
            raised = exc
        peak = tracemalloc.get_traced_memory()[1]
        print(f"traced peak {peak / MiB:.2f} MiB")  # shown with -s (or on failure)
        return raised, peak
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
async def test_huge_json_reply_is_refused_at_the_cap_with_bounded_memory(announce):
    async with Peer(huge_sender(announce=announce)) as peer:
        async with peer.client() as api:
            exc, peak = await traced_peak(api.balance)
        await asyncio.wait_for(peer.client_gone.wait(), 30)
    assert isinstance(exc, ProtocolError) and exc.code == "reply_too_large", exc
    assert len(peer.requests) == 1  # a bad reply is not retried
    # the client stopped reading: the peer could not send (nearly) all of it
    assert peer.bytes_sent < HUGE // 2
    if announce:  # refused on the header, before reading the body
        assert "Content-Length" in (exc.detail or "")
        assert peak < 2 * MiB, peak
    else:  # read up to the cap (4 MiB), then refused: memory is a small multiple of the cap
        assert f"more than {REPLY_MAX_BYTES} bytes" in (exc.detail or "")
        assert peak < 3 * REPLY_MAX_BYTES < HUGE // 4, peak
    assert error_message(PL, exc).startswith(f"Serwer eBOK ({peer.url}) przesłał zbyt dużą odpowiedź")
    assert error_message(EN, exc).startswith(f"The eBOK server ({peer.url}) sent a reply that is too large")


async def test_cap_is_configurable_and_exact():
    body = json.dumps(BALANCE).encode()

    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(Transfer_Encoding="chunked") + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        await writer.drain()

    async with Peer(handler) as peer:
        async with EbokClient(peer.url, max_reply_bytes=len(body)) as api:  # exactly fits
            api._token = "t"
            assert isinstance(await api.balance(), Balance)
        async with EbokClient(peer.url, max_reply_bytes=len(body) - 1) as api:  # one byte short
            api._token = "t"
            with pytest.raises(ProtocolError) as err:
                await api.balance()
    assert err.value.code == "reply_too_large"


async def test_huge_error_reply_is_cut_not_buffered():
    """A 500 with a 64 MiB body: the client reads 64 KiB of it for the error code and hangs up."""
    async with Peer(huge_sender(status=500, announce=False, content_type="text/html")) as peer:
        async with peer.client() as api:
            exc, peak = await traced_peak(api.balance)
        await asyncio.wait_for(peer.client_gone.wait(), 30)
    assert isinstance(exc, ServerError) and exc.status == 500, exc
    assert peak < 2 * MiB, peak
    assert peer.bytes_sent < HUGE // 2


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
async def test_huge_pdf_is_refused_at_its_cap(announce):
    async with Peer(huge_sender(announce=announce, content_type="application/pdf", prefix=b"%PDF-1.4\n")) as peer:
        async with peer.client() as api:
            exc, peak = await traced_peak(lambda: api.invoice_pdf(1, max_bytes=MiB))
        await asyncio.wait_for(peer.client_gone.wait(), 30)
    assert isinstance(exc, ProtocolError) and exc.code == "response_too_large", exc
    assert peak < 4 * MiB, peak
    assert "zbyt duży" in error_message(PL, exc)


async def test_unrequested_compression_is_refused_before_it_expands():
    """A gzip bomb: 64 MiB of zeros in ~64 KiB on the wire. The client asks for identity and
    refuses a compressed reply instead of inflating it."""
    bomb = gzip.compress(b"\0" * HUGE, compresslevel=9)
    assert len(bomb) < MiB

    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(Content_Encoding="gzip", Content_Length=str(len(bomb))) + bomb)
        await writer.drain()

    async with Peer(handler) as peer, EbokClient(peer.url, retry_delay=0) as api:
        api._token = "t"
        exc, peak = await traced_peak(api.balance)
    assert peer.requests[0].headers["accept-encoding"] == "identity"
    assert isinstance(exc, ProtocolError) and exc.code == "protocol_error", exc
    assert "Content-Encoding" in (exc.detail or "")
    assert peak < 4 * MiB, peak


# --- dropped connections (finding 10, client side) ----------------------------------------------


async def drop(how: str, peer: Peer, writer: asyncio.StreamWriter) -> None:
    """End the exchange without a complete reply, after the request was read (and processed)."""
    if how == "close":
        return  # the Peer closes the connection
    if how == "reset":
        reset(writer)
    elif how == "mid-body":  # headers and part of the body, then close
        await peer.write(writer, head(Content_Length="500") + b'{"balance": ')
    elif how == "mid-chunked":
        await peer.write(writer, head(Transfer_Encoding="chunked") + b'c\r\n{"balance": ')


DROPS = ["close", "reset", "mid-body", "mid-chunked"]


def drops_every(how: str) -> Handler:
    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        await drop(how, peer, writer)

    return handler


def drops_first(how: str, second: bytes) -> Handler:
    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        if n == 1:
            await drop(how, peer, writer)
        else:
            await peer.write(writer, second)

    return handler


@pytest.mark.parametrize("how", DROPS)
async def test_get_retried_once_after_connection_lost(how):
    async with Peer(drops_first(how, answer(BALANCE))) as peer:
        async with peer.client() as api:
            balance = await api.balance()
    assert isinstance(balance, Balance) and balance.to_pay == 100
    assert [r.target for r in peer.requests] == ["/api/v1/balance"] * 2


@pytest.mark.parametrize("how", DROPS)
async def test_get_lost_twice_is_connection_lost_not_could_not_connect(how):
    async with Peer(drops_every(how)) as peer:
        async with peer.client() as api:
            with pytest.raises(ConnectionLost) as err:
                await api.balance()
    assert len(peer.requests) == 2
    exc = err.value
    assert isinstance(exc, ConnectionFailed)  # callers catching ConnectionFailed still catch it
    assert exc.code == "connection_lost" and exc.status is None
    assert_reads(
        exc,
        f"Połączenie z serwerem eBOK ({peer.url}) zostało przerwane, zanim nadeszła cała odpowiedź. "
        "Spróbuj ponownie za chwilę.",
        f"The connection to the eBOK server ({peer.url}) was lost before the whole reply arrived. "
        "Try again in a moment.",
    )
    assert isinstance(exc.__cause__, httpx.TransportError)


async def test_could_not_connect_and_connection_lost_read_differently(closed_port_url):
    async def handler(peer: Peer, n: int, request: Request, writer: asyncio.StreamWriter) -> None:
        return

    async with EbokClient(closed_port_url, retry_delay=0) as api:
        with pytest.raises(ConnectionFailed) as refused:
            await api.health()
    async with Peer(handler) as peer, EbokClient(peer.url, retry_delay=0) as api:
        with pytest.raises(ConnectionLost) as lost:
            await api.health()
    assert type(refused.value) is ConnectionFailed and refused.value.code == "connection_failed"
    for lang in ("pl", "en"):
        assert error_message(I18n(lang), refused.value) != error_message(I18n(lang), lost.value)
        assert closed_port_url in error_message(I18n(lang), refused.value) and peer.url in error_message(
            I18n(lang), lost.value
        )
        assert "internet" not in error_message(I18n(lang), refused.value) + error_message(I18n(lang), lost.value)


@pytest.mark.parametrize("how", DROPS)
async def test_keyed_post_retried_once_with_the_same_key_after_connection_lost(how):
    thread = json.dumps(THREAD_REPLY).encode()
    second = head(201, Content_Length=str(len(thread))) + thread
    async with Peer(drops_first(how, second)) as peer:
        async with peer.client() as api:
            result = await api.create_thread("other", "Temat", "Treść", idempotency_key="key-42")
    assert result.id == 7
    first, again = peer.requests
    assert first.headers["idempotency-key"] == again.headers["idempotency-key"] == "key-42"
    assert first.body == again.body


@pytest.mark.parametrize("how", DROPS)
async def test_other_writes_never_resent_and_say_the_outcome_is_unknown(how):
    async with Peer(drops_every(how)) as peer:
        async with peer.client() as api:
            for call in (
                lambda: api.submit_reading("WM-1", 130),
                lambda: api.efaktura_request("a@b.pl", "2026-11"),
                lambda: api.efaktura_confirm("123456"),
                api.efaktura_withdraw,
            ):
                before = len(peer.requests)
                with pytest.raises(ConnectionLost) as err:
                    await call()
                assert len(peer.requests) == before + 1  # sent once, never again
                assert err.value.code == "connection_lost_unconfirmed"
            # a login changes nothing the resident must check: not resent either, but plainly "lost"
            with pytest.raises(ConnectionLost) as login_err:
                await api.login("10001", "x")
    assert [r.method for r in peer.requests] == ["POST", "POST", "POST", "POST", "POST"]
    assert "nie wiadomo, czy zmiana została zapisana" in error_message(PL, err.value)
    assert "not known whether your change was saved" in error_message(EN, err.value)
    assert peer.url in error_message(PL, err.value)
    assert login_err.value.code == "connection_lost"


async def test_message_names_the_server_but_never_its_password(closed_port_url):
    port = closed_port_url.rsplit(":", 1)[1]
    async with EbokClient(f"http://staff:s3cret@127.0.0.1:{port}/api/v1/", retry_delay=0) as api:
        with pytest.raises(ConnectionFailed) as err:
            await api.health()
    for lang in ("pl", "en"):
        assert f"(http://127.0.0.1:{port})" in error_message(I18n(lang), err.value)
        assert "s3cret" not in error_message(I18n(lang), err.value) and "staff" not in error_message(
            I18n(lang), err.value
        )
    assert "s3cret" not in str(err.value)
