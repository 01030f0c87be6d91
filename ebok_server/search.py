"""Customer search for staff (docs/API.md "Staff: customer search").

* Numbers (customer number, invoice number, meter serial number) are looked up on their own
  unique indexes: exact match, then prefix (an index range).
* Everything else (name, address, e-mail, phone, meter numbers) is one normalised document per
  customer (:class:`~ebok_server.staff_models.CustomerSearch`), found by fragment through the
  database's trigram index (SQLite FTS5 trigram, PostgreSQL pg_trgm GIN); a document where every
  query word starts a word ranks as a prefix match, the others as fragment matches.

Nothing scans the customers table. Each tier stops after :data:`TIER_CAP` customers (the answer
then says ``truncated``: the query should be more specific).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, event, select, text, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from .models import Customer, Invoice, Meter, Thread
from .staff_models import CustomerSearch

TIER_CAP = 200
MIN_TOKEN = 3  # trigram indexes need three characters
MAX_QUERY = 100

# Letters NFKD does not decompose into a base letter + combining mark.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)
_NON_WORD = re.compile(r"[\W_]+")


def normalise(value: str | None) -> str:
    """Lower case, without diacritics (ł -> l), punctuation as single spaces: 'Łódź, ul. Wiśniowa'
    -> 'lodz ul wisniowa'."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value.translate(_FOLD))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(_NON_WORD.sub(" ", bare).split())


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def build_doc(
    customer_number: str,
    full_name: str,
    address: str,
    email: str | None,
    phone: str | None,
    meters: Iterable[str] = (),
    phones: Iterable[str | None] = (),
) -> str:
    parts = [customer_number, full_name, address, email or ""]
    for p in (phone, *phones):
        if p:
            parts += [p, _digits(p)]
    parts += list(meters)
    seen: list[str] = []
    for part in (normalise(p) for p in parts):
        if part and part not in seen:
            seen.append(part)
    return "  ".join(seen)


# ---- maintenance on write ------------------------------------------------------------------------
_CUSTOMER_FIELDS = ("customer_number", "full_name", "address", "email", "phone")


def _upsert(conn: Connection, rows: list[dict]) -> None:
    if not rows:
        return
    name = conn.dialect.name
    ins = (postgresql.insert if name == "postgresql" else sqlite.insert)(CustomerSearch)
    stmt = ins.on_conflict_do_update(index_elements=[CustomerSearch.customer_id], set_={"doc": ins.excluded.doc})
    conn.execute(stmt, rows)


def reindex(conn: Connection, customer_ids: Iterable[int]) -> None:
    """Rebuild the search documents of ``customer_ids`` (batches of 5000)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 5000):
        batch = ids[start : start + 5000]
        meters: dict[int, list[str]] = {}
        for cid, number in conn.execute(select(Meter.customer_id, Meter.number).where(Meter.customer_id.in_(batch))):
            meters.setdefault(cid, []).append(number)
        phones: dict[int, set[str]] = {}
        for cid, phone in conn.execute(
            select(Thread.customer_id, Thread.contact_phone).where(
                Thread.customer_id.in_(batch), Thread.contact_phone.is_not(None)
            )
        ):
            phones.setdefault(cid, set()).add(phone)
        rows = [
            {
                "customer_id": c.id,
                "doc": build_doc(
                    c.customer_number,
                    c.full_name,
                    c.address,
                    c.email,
                    c.phone,
                    meters.get(c.id, ()),
                    sorted(phones.get(c.id, ())),
                ),
            }
            for c in conn.execute(
                select(
                    Customer.id,
                    Customer.customer_number,
                    Customer.full_name,
                    Customer.address,
                    Customer.email,
                    Customer.phone,
                ).where(Customer.id.in_(batch))
            )
        ]
        _upsert(conn, rows)


def _changed(obj, names: Iterable[str]) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[n].history.has_changes() for n in names)


def _after_flush(session: Session, _ctx) -> None:
    ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Customer):
            ids.add(obj.id)
        elif isinstance(obj, Meter) or (isinstance(obj, Thread) and obj.contact_phone):
            ids.add(obj.customer_id)
    for obj in session.dirty:
        if isinstance(obj, Customer) and _changed(obj, _CUSTOMER_FIELDS):
            ids.add(obj.id)
        elif isinstance(obj, Meter) and _changed(obj, ("number",)):
            ids.add(obj.customer_id)
        elif isinstance(obj, Thread) and _changed(obj, ("contact_phone",)):
            ids.add(obj.customer_id)
    ids.discard(None)  # type: ignore[arg-type]
    if ids:
        reindex(session.connection(), ids)


def install_index_maintenance() -> None:
    """Keep ``customer_search`` in step with every ORM flush (bulk Core inserts call :func:`reindex`)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


install_index_maintenance()


async def reindex_all(session: AsyncSession) -> None:
    """Rebuild every search document (e.g. for a database created before the index existed)."""
    await session.execute(delete(CustomerSearch))
    ids = (await session.scalars(select(Customer.id))).all()
    await session.run_sync(lambda s: reindex(s.connection(), ids))


# ---- searching -----------------------------------------------------------------------------------
@dataclass
class Hit:
    customer_id: int
    match: str  # exact | prefix | fragment
    rank: int


class QueryTooShort(ValueError):
    pass


def tokens_of(q: str) -> list[str]:
    return [t for t in normalise(q).split() if len(t) >= MIN_TOKEN]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _number_hits(db: AsyncSession, key: str) -> tuple[list[int], list[int], bool]:
    """Customers whose customer / invoice / meter number equals ``key``, then those where it is a
    prefix (index ranges; one statement each)."""
    exact = list(
        (
            await db.scalars(
                union_all(
                    select(Customer.id).where(Customer.customer_number == key),
                    select(Invoice.customer_id).where(Invoice.number == key),
                    select(Meter.customer_id).where(Meter.number == key),
                )
            )
        ).all()
    )
    prefix: list[int] = []
    truncated = False
    if len(key) >= MIN_TOKEN:
        hi = key + "\U0010ffff"
        pattern = _like_escape(key) + "%"
        parts = [
            select(cid)
            .where(col >= key, col < hi, col.like(pattern, escape="\\"))
            .distinct()
            .limit(TIER_CAP)
            .subquery()
            .select()
            for col, cid in (
                (Customer.customer_number, Customer.id),
                (Invoice.number, Invoice.customer_id),
                (Meter.number, Meter.customer_id),
            )
        ]
        prefix = list((await db.scalars(union_all(*parts))).all())
        truncated = len(prefix) >= TIER_CAP
    return exact, prefix, truncated


async def _fragment_docs(db: AsyncSession, tokens: list[str]) -> list[tuple[int, str]]:
    if db.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)  # implicit AND
        rows = await db.execute(
            text(
                "SELECT s.customer_id, s.doc FROM customer_search_fts f JOIN customer_search s "
                "ON s.customer_id = f.rowid WHERE customer_search_fts MATCH :m LIMIT :cap"
            ),
            {"m": match, "cap": TIER_CAP},
        )
    else:
        conds = [CustomerSearch.doc.like("%" + _like_escape(t) + "%", escape="\\") for t in tokens]
        rows = await db.execute(select(CustomerSearch.customer_id, CustomerSearch.doc).where(*conds).limit(TIER_CAP))
    return [(cid, doc) for cid, doc in rows]


async def search_customers(db: AsyncSession, q: str) -> tuple[list[Hit], bool]:
    """Ranked hits (exact number, prefix, fragment; by name within a tier) and whether a tier was cut."""
    q = q.strip()
    key = q.upper()
    tokens = tokens_of(q)
    if not tokens and len(key) < MIN_TOKEN:
        raise QueryTooShort(q)
    exact, prefix_numbers, truncated = await _number_hits(db, key)
    docs = await _fragment_docs(db, tokens) if tokens else []
    truncated |= len(docs) >= TIER_CAP
    best: dict[int, int] = {}

    def offer(cid: int, rank: int) -> None:
        if rank < best.get(cid, 99):
            best[cid] = rank

    for cid in exact:
        offer(cid, 0)
    for cid in prefix_numbers:
        offer(cid, 1)
    for cid, doc in docs:
        padded = " " + doc
        offer(cid, 1 if all(" " + t in padded for t in tokens) else 2)
    # Sort key: the normalised name, the document's second field (customer number first).
    names = {cid: (doc.split("  ")[1] if "  " in doc else doc, doc.split(" ", 1)[0]) for cid, doc in docs}
    missing = [cid for cid in best if cid not in names]
    for start in range(0, len(missing), 1000):
        for cid, name, number in await db.execute(
            select(Customer.id, Customer.full_name, Customer.customer_number).where(
                Customer.id.in_(missing[start : start + 1000])
            )
        ):
            names[cid] = (normalise(name), number)
    order = sorted((cid for cid in best if cid in names), key=lambda c: (best[c], names[c]))
    labels = ("exact", "prefix", "fragment")
    return [Hit(cid, labels[best[cid]], best[cid]) for cid in order], truncated


async def like_scan(db: AsyncSession, q: str, limit: int = 50) -> list[int]:
    """The baseline the benchmark compares against: ``LIKE '%…%'`` over the raw columns (a full scan)."""
    pattern = "%" + _like_escape(q.strip().lower()) + "%"
    cols = [Customer.customer_number, Customer.full_name, Customer.address, Customer.email, Customer.phone]
    from sqlalchemy import func, or_

    return list(
        (
            await db.scalars(
                select(Customer.id)
                .where(or_(*(func.lower(c).like(pattern, escape="\\") for c in cols)))
                .order_by(Customer.full_name)
                .limit(limit)
            )
        ).all()
    )
