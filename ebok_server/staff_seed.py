"""Demo staff accounts (one per role, known passwords, fixed TOTP secrets) and the bulk customers
that grow the database for the search benchmark (``--seed-customers N``)."""

from __future__ import annotations

import datetime as dt
import json
import random
import tomllib
from importlib import resources

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Contract, Customer, Meta, Meter, ServicePoint, point_code
from .search import reindex
from .security import hash_password, new_token
from .staff import create_account, totp_uri
from .staff_models import StaffAccount

#: The demo staff accounts, from ``data/demo-staff.toml`` (demo only: fixed, published passwords and
#: TOTP secrets, so the demo login screen can list them and tests can compute codes).
DEMO_STAFF: list[dict] = tomllib.loads(
    resources.files("ebok_server").joinpath("data/demo-staff.toml").read_text("utf-8")
)["staff"]


async def seed_demo_staff(session: AsyncSession) -> list[dict]:
    """Create the demo staff accounts (if absent) and store their demo-info entries in ``meta``."""
    info = []
    for spec in DEMO_STAFF:
        secret = spec.get("totp_secret")
        account = await session.scalar(select(StaffAccount).where(StaffAccount.login == spec["login"]))
        if account is None:
            account = await create_account(
                session,
                spec["login"],
                spec["full_name"],
                spec["role"],
                hash_password(spec["password"]),
                totp=secret is not None,
            )
            account.totp_secret = secret
        info.append(
            {
                "login": spec["login"],
                "password": spec["password"],
                "role": spec["role"],
                "totp_secret": secret,
                "totp_uri": totp_uri(secret, spec["login"]) if secret else None,
                "description_pl": spec["description_pl"],
                "description_en": spec["description_en"],
            }
        )
    value = json.dumps(info, ensure_ascii=False)
    meta = await session.get(Meta, "demo_staff")
    if meta is None:
        session.add(Meta(key="demo_staff", value=value))
    else:
        meta.value = value
    await session.flush()
    return info


# ---- bulk customers ------------------------------------------------------------------------------
FIRST = [
    "Jan",
    "Anna",
    "Piotr",
    "Katarzyna",
    "Łukasz",
    "Małgorzata",
    "Paweł",
    "Agnieszka",
    "Michał",
    "Żaneta",
    "Krzysztof",
    "Ewa",
    "Tomasz",
    "Zofia",
    "Grzegorz",
    "Joanna",
    "Andrzej",
    "Barbara",
    "Marek",
    "Elżbieta",
    "Jerzy",
    "Beata",
    "Stanisław",
    "Dorota",
    "Wojciech",
    "Iwona",
    "Rafał",
    "Halina",
    "Józef",
    "Jadwiga",
]
LAST = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
    "Michalski",
    "Nowicki",
    "Adamczyk",
    "Dudek",
    "Zając",
    "Wieczorek",
    "Jabłoński",
    "Król",
    "Majewski",
    "Olszewski",
    "Jaworski",
    "Wróbel",
    "Malinowski",
    "Pawlak",
    "Witkowski",
    "Walczak",
    "Stępień",
    "Górski",
    "Rutkowski",
    "Michalak",
    "Sikora",
    "Ostrowski",
    "Baran",
    "Duda",
    "Szewczyk",
    "Tomaszewski",
    "Pietrzak",
    "Marciniak",
    "Wróblewski",
    "Zalewski",
    "Żak",
    "Jakubowski",
    "Jasiński",
    "Zawadzki",
    "Sadowski",
    "Bąk",
    "Chmielewski",
    "Włodarczyk",
    "Borkowski",
    "Czarnecki",
    "Sawicki",
    "Sokołowski",
    "Urbański",
    "Kubiak",
    "Maciejewski",
    "Szczepański",
    "Kucharski",
]
STREETS = [
    "Grunwaldzka",
    "Mickiewicza",
    "Leśna",
    "Zwycięstwa",
    "Słoneczna",
    "Kościuszki",
    "Żeromskiego",
    "Piłsudskiego",
    "Wojska Polskiego",
    "Kwiatowa",
    "Ogrodowa",
    "Szkolna",
    "Łąkowa",
    "Polna",
    "Źródlana",
    "Świętokrzyska",
    "Sienkiewicza",
    "Krakowska",
    "Częstochowska",
    "Wiśniowa",
    "Dębowa",
    "Bażantów",
]
CITIES = [
    ("43-600", "Jaworzno"),
    ("43-603", "Jaworzno"),
    ("43-608", "Jaworzno"),
    ("90-001", "Łódź"),
    ("41-200", "Sosnowiec"),
    ("32-500", "Chrzanów"),
    ("41-400", "Mysłowice"),
    ("43-100", "Tychy"),
]


def _female(last: str) -> str:
    for a, b in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if last.endswith(a):
            return last[: -len(a)] + b
    return last


def _numbers_free(taken: set[str]):
    """Customer numbers for bulk customers: 20000-99999, then 00000-09999, then 10000-19999."""
    for block in (range(20000, 100000), range(0, 10000), range(10000, 20000)):
        for n in block:
            s = f"{n:05d}"
            if s not in taken:
                yield s


async def seed_customers(session: AsyncSession, target: int, batch: int = 5000) -> int:
    """Grow the database to ``target`` customers (at most 100,000: five-digit numbers) with bulk
    inserts: customer, service point, contract, one meter each, and their search documents. They cannot log in
    (an unguessable password). Returns how many were added."""
    target = min(target, 100_000)
    have = await session.scalar(select(func.count()).select_from(Customer))
    if have >= target:
        return 0
    taken = set((await session.scalars(select(Customer.customer_number))).all())
    rng = random.Random(90_000 + target)
    shared_hash = hash_password(new_token())
    numbers = _numbers_free(taken)
    added = 0
    today = dt.date(2026, 1, 1)
    while have + added < target:
        n = min(batch, target - have - added)
        chunk = [next(numbers) for _ in range(n)]
        rows = []
        for num in chunk:
            female = rng.random() < 0.5
            first = rng.choice(FIRST)
            last = rng.choice(LAST)
            if female:
                last = _female(last)
            street = rng.choice(STREETS)
            postcode, city = rng.choice(CITIES)
            addr = f"ul. {street} {rng.randint(1, 120)}" + (f"/{rng.randint(1, 40)}" if rng.random() < 0.6 else "")
            rows.append(
                dict(
                    customer_number=num,
                    full_name=f"{first} {last}",
                    address=f"{addr}, {postcode} {city}",
                    email=f"k{num}@example.com" if rng.random() < 0.8 else None,
                    phone=f"+48 {rng.randint(500, 899)} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"
                    if rng.random() < 0.7
                    else None,
                    password_hash=shared_hash,
                    efaktura_active=False,
                )
            )
        await session.execute(insert(Customer), rows)
        ids = dict(
            (
                await session.execute(
                    select(Customer.customer_number, Customer.id).where(Customer.customer_number.in_(chunk))
                )
            ).all()
        )
        await session.execute(
            insert(ServicePoint),
            [
                dict(
                    customer_id=ids[r["customer_number"]],
                    code=point_code(r["customer_number"], 1),
                    label=r["address"].split(",")[0],
                    address=r["address"].split(",")[0],
                )
                for r in rows
            ],
        )
        pids = dict(
            (
                await session.execute(
                    select(ServicePoint.customer_id, ServicePoint.id).where(
                        ServicePoint.customer_id.in_(list(ids.values()))
                    )
                )
            ).all()
        )
        await session.execute(
            insert(Contract),
            [
                dict(
                    customer_id=ids[r["customer_number"]],
                    service_point_id=pids[ids[r["customer_number"]]],
                    number=f"UM/2020/B{r['customer_number']}",
                    concluded_on=today,
                    services="water,sewage",
                    tariff_group="G1",
                    connection_address=r["address"].split(",")[0],
                )
                for r in rows
            ],
        )
        cids = dict(
            (
                await session.execute(
                    select(Contract.customer_id, Contract.id).where(Contract.customer_id.in_(list(ids.values())))
                )
            ).all()
        )
        await session.execute(
            insert(Meter),
            [
                dict(
                    contract_id=cids[ids[num]],
                    customer_id=ids[num],
                    number=f"WB-{num}{i % 10}",
                    location="Piwnica",
                    installed_on=today,
                    legalisation_valid_until=dt.date(2031, 1, 1),
                    diameter_mm=15,
                    max_daily_l=1500,
                )
                for i, num in enumerate(chunk)
            ],
        )
        batch_ids = list(ids.values())
        await session.run_sync(lambda s, b=batch_ids: reindex(s.connection(), b))
        added += n
    await session.flush()
    # Fresh statistics after a bulk load, so the planner sees the new row counts at once (without
    # them PostgreSQL may pick bitmap scans over every trigram match until autovacuum runs).
    await session.execute(text("ANALYZE"))
    return added
