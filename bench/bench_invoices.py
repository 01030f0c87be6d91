"""Benchmark: the paged invoice list against a customer with 10 000 invoices.

    python bench/bench_invoices.py [--pages 10] [--invoices 10000]

Starts a private server (``--seed-large N``), drives the real app with Pilot and prints:
  * time until the first page is shown in the invoices screen,
  * time to scroll (End key) through PAGES further pages, fetched on demand,
and, as a baseline in the same run, the naive approach: fetch every invoice via sequential API
pages of 200 and fill a DataTable at once. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.app import App  # noqa: E402
from textual.widgets import DataTable  # noqa: E402
from textual.worker import WorkerCancelled  # noqa: E402

from ebok_tui.core.api import EbokClient  # noqa: E402
from ebok_tui.ui.app import EbokApp  # noqa: E402
from ebok_tui.ui.screens.billing.invoices import InvoicesScreen  # noqa: E402
from ebok_tui.ui.widgets.paged_table import PagedTable  # noqa: E402
from tests.server_proc import running_server  # noqa: E402
from tests.tui_support import login_as  # noqa: E402


async def settle(pilot) -> None:
    for _ in range(2):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


async def paged(url: str, pages: int) -> tuple[float, float, int]:
    app = EbokApp(EbokClient(url), lang="pl", credentials=None, drafts=None, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await login_as(app, "19999")
        await settle(pilot)
        start = time.perf_counter()
        await app.action_open_section("invoices")
        await settle(pilot)
        first = time.perf_counter() - start
        assert isinstance(app.screen, InvoicesScreen)
        table = app.screen.query_one("#invoices", PagedTable)
        start = time.perf_counter()
        for _ in range(pages):
            await pilot.press("end")
            await settle(pilot)
        scroll = time.perf_counter() - start
        return first, scroll, table.row_count


class Baseline(App[None]):
    def compose(self):
        yield DataTable(cursor_type="row", zebra_stripes=True)


async def everything_at_once(url: str) -> tuple[float, int]:
    api = EbokClient(url)
    await api.login("19999", "woda-19999")
    app = Baseline()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("Numer", "Wystawiona", "Termin", "Brutto", "Status")
        start = time.perf_counter()
        items = []
        offset = 0
        while True:
            page = await api.invoices(offset=offset, limit=200)
            items += page.items
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
        table.add_rows(
            (i.number, i.issue_date.isoformat(), i.due_date.isoformat(), f"{i.gross / 100:.2f}", i.status)
            for i in items
        )
        await pilot.pause()
        elapsed = time.perf_counter() - start
    await api.aclose()
    return elapsed, len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10, help="pages to scroll through (default 10)")
    parser.add_argument("--invoices", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"starting a server with {args.invoices} invoices for customer 19999…", flush=True)
        with running_server(
            Path(tmp), "--seed-demo", "--today", "2026-11-15", "--seed-large", str(args.invoices), timeout=300
        ) as server:
            first, scroll, rows = asyncio.run(paged(server.url, args.pages))
            base, total = asyncio.run(everything_at_once(server.url))
    print(f"paged:    first page shown in {first * 1000:8.1f} ms")
    print(
        f"paged:    {args.pages} more pages (End) in {scroll * 1000:8.1f} ms "
        f"({scroll / max(args.pages, 1) * 1000:.1f} ms/page), {rows} rows loaded"
    )
    print(f"baseline: all {total} invoices fetched (200 a page) and shown in {base * 1000:8.1f} ms")
    print(f"ratio:    baseline / first page = {base / first:.1f}×")


if __name__ == "__main__":
    main()
