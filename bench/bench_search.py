"""Benchmark: staff customer search at 100,000 customers, next to a plain ``LIKE '%…%'`` scan.

    python bench/bench_search.py [--customers 100000] [--rounds 20] [--pg postgresql+asyncpg://…]

Builds a fresh SQLite database in a temporary directory (demo data + bulk customers, the same
code as ``ebok-server --seed-demo --seed-customers N``) and, with ``--pg`` or EBOK_TEST_PG_URL,
the same on PostgreSQL (that database is WIPED). Then, for a mix of queries (numbers, names with
and without diacritics, streets, e-mail and phone fragments), times ``search.search_customers``
(the indexed search behind ``GET /staff/customers``) and, as the baseline in the same run, a
``lower(column) LIKE '%q%'`` over the customer columns. Prints p50/p95 and the ratio; timings are
printed, never asserted. Only loopback databases are used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ebok_server.__main__ import prepare_database  # noqa: E402
from ebok_server.config import Settings  # noqa: E402
from ebok_server.db import make_engine, make_sessionmaker  # noqa: E402
from ebok_server.schema import drop_all  # noqa: E402
from ebok_server.search import like_scan, search_customers  # noqa: E402

QUERIES = [
    "10001",
    "54321",
    "FV/2026/10/000001",
    "WM-1234567",
    "WB-54321",
    "wisniewski",
    "Wiśniewska",
    "lodz",
    "Łódź",
    "kowalczyk",
    "grunwaldzka",
    "zwyciestwa 20",
    "k54321@example",
    "601 234",
    "nowak jaworzno",
    "dabrowsk",
    "sosnowiec",
    "malgorzata zajac",
    "zrodlana 7",
    "jan kowalski",
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


async def run(db_url: str, customers: int, rounds: int, baseline_rounds: int) -> None:
    engine = make_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(drop_all)
    await engine.dispose()
    settings = Settings(db_url=db_url)
    from datetime import date

    settings.today = date(2026, 11, 15)
    start = time.perf_counter()
    await prepare_database(settings, seed_demo=True, seed_large=None, seed_customers=customers)
    seeded = time.perf_counter() - start
    engine = make_engine(db_url)
    sm = make_sessionmaker(engine)
    searched: list[float] = []
    scanned: list[float] = []
    hits: dict[str, int] = {}
    async with sm() as db:
        for q in QUERIES:  # warm up caches once
            hits[q] = len((await search_customers(db, q))[0])
        for _ in range(rounds):
            for q in QUERIES:
                t = time.perf_counter()
                await search_customers(db, q)
                searched.append((time.perf_counter() - t) * 1000)
        for _ in range(baseline_rounds):
            for q in QUERIES:
                t = time.perf_counter()
                await like_scan(db, q)
                scanned.append((time.perf_counter() - t) * 1000)
    await engine.dispose()
    name = db_url.split(":", 1)[0]
    print(f"\n{name}: {customers} customers seeded in {seeded:.1f} s")
    print("  hits per query: " + ", ".join(f"{q!r}={n}" for q, n in hits.items()))
    s50, s95 = statistics.median(searched), pct(searched, 95)
    b50, b95 = statistics.median(scanned), pct(scanned, 95)
    print(f"  indexed search   p50 {s50:7.2f} ms   p95 {s95:7.2f} ms   ({len(searched)} queries)")
    print(f"  LIKE '%…%' scan  p50 {b50:7.2f} ms   p95 {b95:7.2f} ms   ({len(scanned)} queries)")
    print(f"  scan / search    p50 x{b50 / s50:.1f}   p95 x{b95 / s95:.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--baseline-rounds", type=int, default=3)
    p.add_argument(
        "--pg",
        default=os.environ.get("EBOK_TEST_PG_URL"),
        help="PostgreSQL URL (postgresql+asyncpg://…@127.0.0.1/…); the database is wiped",
    )
    p.add_argument("--no-sqlite", action="store_true")
    args = p.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="ebok-bench-search-") as tmp:
            asyncio.run(run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.customers, args.rounds, args.baseline_rounds))
    if args.pg:
        host = args.pg.split("@", 1)[-1].split("/", 1)[0].split(":")[0]
        if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
            raise SystemExit(f"refusing a non-loopback database host: {host}")
        asyncio.run(run(args.pg, args.customers, args.rounds, args.baseline_rounds))


if __name__ == "__main__":
    main()
