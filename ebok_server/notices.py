"""Notices of failures and planned interruptions of supply, and which customers they concern.

A notice names a city and, optionally, streets in it. It concerns a customer when one of the
customer's supply addresses (:func:`customer_supply_addresses`, the ONE place that knows where a
customer is supplied) is in that city and, if streets are named, on one of them. Addresses are
compared by street name only: "ul. Grunwaldzka 12/4, 43-600 Jaworzno" is street "grunwaldzka" in
city "jaworzno" (case, the "ul."/"al."/"pl."/"os." prefix, the house number and the postal code do
not count).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select
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


def concerns(notice: Notice, place: Place) -> bool:
    if _norm(notice.city) != place.city:
        return False
    streets = normalise_streets(notice.streets)
    return not streets or place.street in streets


# built once (they run on every balance): building a statement costs about as much CPU as running it
_SUPPLY_ADDRESSES = (
    select(ServicePoint.address).where(ServicePoint.customer_id == bindparam("customer_id")).order_by(ServicePoint.code)
)

_NOTICES_NOT_ENDED = select(Notice).where(Notice.ends_at > bindparam("now")).order_by(Notice.starts_at, Notice.id)
_NOTICES_IN_FORCE = (
    select(Notice)
    .where(Notice.ends_at > bindparam("now"), Notice.starts_at <= bindparam("now"))
    .order_by(Notice.starts_at, Notice.id)
)


async def customer_supply_addresses(db: AsyncSession, customer_id: int) -> list[str]:
    """Every address where the customer is supplied: each service point's (code order)."""
    return [a for a in await db.scalars(_SUPPLY_ADDRESSES, {"customer_id": customer_id}) if a]


async def notices_for_customer(
    db: AsyncSession, customer_id: int, now: dt.datetime, *, include_planned: bool = True
) -> list[Notice]:
    """The notices not yet ended at ``now`` that concern one of the customer's supply addresses,
    current ones first, then by start. ``include_planned=False``: only those in force at ``now``."""
    places = [place_of(a) for a in await customer_supply_addresses(db, customer_id)]
    if not places:
        return []
    cities = {p.city for p in places}
    query = _NOTICES_NOT_ENDED if include_planned else _NOTICES_IN_FORCE
    found = [
        n
        for n in (await db.scalars(query, {"now": now})).all()
        if _norm(n.city) in cities and any(concerns(n, p) for p in places)
    ]
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
