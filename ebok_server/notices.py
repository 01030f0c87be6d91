"""Notices of failures and planned interruptions of supply, and which customers they concern.

A notice names a city and, optionally, streets in it. It concerns a customer when one of the
customer's supply addresses (:func:`_supply_addresses`, the ONE place that knows where a customer is
supplied; for one customer :func:`notices_for_customer`, for many at once :func:`notices_by_customer`)
is in that city and, if streets are named, on one of them. Addresses are compared by street name only: "ul. Grunwaldzka 12/4, 43-600 Jaworzno" is street "grunwaldzka" in
city "jaworzno" (case, the "ul."/"al."/"pl."/"os." prefix, the house number and the postal code do
not count).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Notice, ServicePoint

NOTICE_KINDS = ("failure", "planned")
_PREFIX = re.compile(r"^(ul|al|pl|os|aleja|ulica|plac|osiedle)\.?\s+", re.IGNORECASE)
_HOUSE = re.compile(r"\s+\d+[a-z]?(\s*/\s*\w+)?$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\d{2}-\d{3}\s+")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def street_name(street: str) -> str:
    """ "ul. Grunwaldzka 12/4" -> "grunwaldzka"; "Aleja Piłsudskiego 3" -> "piłsudskiego"."""
    return _norm(_HOUSE.sub("", _PREFIX.sub("", street.strip())))


def normalise_streets(streets: list[str] | str) -> list[str]:
    """Street names as a notice stores them (one per line, without prefix or house number)."""
    items = streets.splitlines() if isinstance(streets, str) else streets
    out: list[str] = []
    for item in items:
        name = street_name(item)
        if name and name not in out:
            out.append(name)
    return out


@dataclass(frozen=True)
class Place:
    street: str  # normalised street name
    city: str  # normalised city name


def place_of(address: str) -> Place:
    """Street and city of an address "street number[, [postcode] city]"."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    street = street_name(parts[0]) if parts else ""
    city = _norm(_POSTCODE.sub("", parts[-1])) if len(parts) > 1 else ""
    return Place(street, city)


def _matcher(notices: list[Notice]) -> Callable[[Place], list[Notice]]:
    """The notices (of ``notices``, in their order) that concern a place: in its city and, if the
    notice names streets, on one of them. Each notice's city and streets are normalised once."""
    by_city: dict[str, list[tuple[Notice, frozenset[str]]]] = {}
    for n in notices:
        by_city.setdefault(_norm(n.city), []).append((n, frozenset(normalise_streets(n.streets))))

    def matching(place: Place) -> list[Notice]:
        return [n for n, streets in by_city.get(place.city, ()) if not streets or place.street in streets]

    return matching


def concerns(notice: Notice, place: Place) -> bool:
    return bool(_matcher([notice])(place))


def _supply_addresses() -> Select:
    """``(customer_id, address)`` of every service point (code order)."""
    return select(ServicePoint.customer_id, ServicePoint.address).order_by(ServicePoint.code)


async def customer_supply_addresses(db: AsyncSession, customer_id: int) -> list[str]:
    """Every address where the customer is supplied: each service point's (code order)."""
    rows = await db.execute(_supply_addresses().where(ServicePoint.customer_id == customer_id))
    return [a for _, a in rows if a]


async def notices_by_customer(db: AsyncSession, customers: Select, now: dt.datetime) -> list[tuple[int, Notice]]:
    """``(customer id, notice)`` for every notice not yet ended at ``now`` (in force or planned) that
    concerns one of the supply addresses of a customer whose id ``customers`` selects. For all the
    utility's customers at once (the notification job): it lets the event loop serve other requests
    every few thousand addresses."""
    notices = (await db.scalars(select(Notice).where(Notice.ends_at > now).order_by(Notice.id))).all()
    if not notices:
        return []
    matching = _matcher(notices)
    found: dict[tuple[int, int], Notice] = {}
    rows = await db.execute(_supply_addresses().where(ServicePoint.customer_id.in_(customers)))
    for k, (customer_id, address) in enumerate(rows, 1):
        if address:
            for n in matching(place_of(address)):
                found.setdefault((customer_id, n.id), n)
        if k % 2000 == 0:
            await asyncio.sleep(0)
    return [(customer_id, n) for (customer_id, _), n in found.items()]


async def notices_for_customer(
    db: AsyncSession, customer_id: int, now: dt.datetime, *, include_planned: bool = True
) -> list[Notice]:
    """The notices not yet ended at ``now`` that concern one of the customer's supply addresses,
    current ones first, then by start. ``include_planned=False``: only those in force at ``now``."""
    places = [place_of(a) for a in await customer_supply_addresses(db, customer_id)]
    if not places:
        return []
    query = select(Notice).where(Notice.ends_at > now)
    if not include_planned:
        query = query.where(Notice.starts_at <= now)
    matching = _matcher((await db.scalars(query.order_by(Notice.starts_at, Notice.id))).all())
    found = list({n.id: n for p in places for n in matching(p)}.values())
    return sorted(found, key=lambda n: (n.starts_at > now, n.starts_at, n.id))


def check_notice(
    kind: str, city: str, starts_at: dt.datetime, ends_at: dt.datetime, text_pl: str, text_en: str
) -> dict:
    """Field problems of a new notice (empty: fine); the one rule for the API and the CLI."""
    problems: dict[str, str] = {}
    if kind not in NOTICE_KINDS:
        problems["kind"] = "failure or planned"
    if not _norm(city):
        problems["city"] = "required"
    if ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    if not text_pl.strip():
        problems["text_pl"] = "required"
    if not text_en.strip():
        problems["text_en"] = "required"
    return problems


def new_notice(
    *,
    kind: str,
    city: str,
    streets: list[str] | str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    text_pl: str,
    text_en: str,
    created_at: dt.datetime,
    created_by: str,
) -> Notice:
    return Notice(
        kind=kind,
        city=" ".join(city.split()),
        streets="\n".join(normalise_streets(streets)),
        starts_at=starts_at,
        ends_at=ends_at,
        text_pl=text_pl.strip(),
        text_en=text_en.strip(),
        created_at=created_at,
        created_by=created_by,
    )
