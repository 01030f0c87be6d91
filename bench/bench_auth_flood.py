"""Benchmark: a logged-in resident's latency while unauthenticated callers flood /auth/*.

    python bench/bench_auth_flood.py [--callers 40] [--seconds 20]

Starts a private demo server on 127.0.0.1 (loopback only), logs in as 10001 and measures
GET /balance p50/p95 for SECONDS with nobody else on the server (the baseline), then again while CALLERS
concurrent callers (a separate process, raw keep-alive HTTP/1.1) send login, registration, reset
and code-confirmation requests for SECONDS. Prints the server's RSS (sampled, and the kernel's
peak VmHWM), the answers the flood got, and the loaded/unloaded p95 ratio. Targets (issue 6):
RSS < 200 MiB, ratio < 5. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.server_proc import running_server  # noqa: E402


def _status(pid: int, field: str) -> int:
    """``VmRSS`` / ``VmHWM`` of a process in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _bodies() -> list[tuple[str, bytes]]:
    out = []
    for i in range(400):
        number = f"{20000 + i:05d}"
        out.append(("/api/v1/auth/login", json.dumps({"customer_number": number, "password": f"zgaduj-{i}"}).encode()))
        out.append(
            (
                "/api/v1/auth/register",
                json.dumps(
                    {"contract_number": "UM/2015/00123", "meter_number": "WM-1234567", "invoice_gross": i + 1}
                ).encode(),
            )
        )
        out.append(
            ("/api/v1/auth/password-reset", json.dumps({"customer_number": number, "email": "x@example.com"}).encode())
        )
        out.append(
            (
                "/api/v1/auth/password-reset/confirm",
                json.dumps(
                    {"customer_number": number, "code": "AAAA-BBBB", "new_password": f"dlugie haslo {i}"}
                ).encode(),
            )
        )
    return out


async def _caller(host: str, port: int, deadline: float, bodies, offset: int, counts: Counter) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = offset
    try:
        while time.monotonic() < deadline:
            path, body = bodies[i % len(bodies)]
            i += 7
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            counts[status] += 1
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


def _flood(url: str, callers: int, seconds: float, started, result) -> None:
    parts = urlsplit(url)
    assert parts.hostname in ("127.0.0.1", "::1", "localhost"), "loopback only"
    counts: Counter = Counter()
    bodies = _bodies()

    async def main() -> None:
        deadline = time.monotonic() + seconds
        started.set()
        await asyncio.gather(
            *[_caller(parts.hostname, parts.port, deadline, bodies, k, counts) for k in range(callers)],
            return_exceptions=True,
        )

    asyncio.run(main())
    result.put(dict(counts))


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _balance_latencies(client: httpx.Client, token: str, stop) -> list[float]:
    out = []
    while not stop():
        t = time.perf_counter()
        r = client.get("/balance", headers={"Authorization": f"Bearer {token}"})
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--callers", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp)) as srv:
        assert urlsplit(srv.url).hostname == "127.0.0.1"
        pid = srv.proc.pid
        with httpx.Client(base_url=srv.api, timeout=60) as client:
            token = client.post("/auth/login", json={"customer_number": "10001", "password": "woda-10001"}).json()[
                "token"
            ]
            for _ in range(20):  # warm up
                client.get("/balance", headers={"Authorization": f"Bearer {token}"})
            rss_start = _status(pid, "VmRSS")
            until = time.monotonic() + args.seconds  # the baseline: as long as the flood, alone
            base = _balance_latencies(client, token, lambda: time.monotonic() >= until)

            ctx = mp.get_context("spawn")
            started, result = ctx.Event(), ctx.Queue()
            flood = ctx.Process(target=_flood, args=(srv.url, args.callers, args.seconds, started, result))
            flood.start()
            started.wait()
            rss_samples: list[int] = []
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.1):
                    rss_samples.append(_status(pid, "VmRSS"))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            end = time.monotonic() + args.seconds
            loaded = _balance_latencies(client, token, lambda: time.monotonic() >= end)
            counts = result.get(timeout=args.seconds + 120)
            flood.join()
            done.set()
            sampler.join()
            peak = _status(pid, "VmHWM")

    p95_base, p95_loaded = _p(base, 95), _p(loaded, 95)
    print(
        f"flood: {args.callers} callers x {args.seconds:.0f} s on /auth/* -> "
        f"{sum(counts.values())} answers {dict(sorted(counts.items()))}"
    )
    print(f"GET /balance unloaded: n={len(base)} p50={_p(base, 50):.1f} ms p95={p95_base:.1f} ms")
    print(f"GET /balance flooded:  n={len(loaded)} p50={_p(loaded, 50):.1f} ms p95={p95_loaded:.1f} ms")
    print(
        f"server RSS: {rss_start / 1024:.0f} MiB before the flood, max sampled "
        f"{max(rss_samples or [rss_start]) / 1024:.0f} MiB, peak (VmHWM) {peak / 1024:.0f} MiB (target < 200)"
    )
    print(f"p95 ratio flooded/unloaded: {p95_loaded / p95_base:.2f}x (target < 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
