"""The tariff in force for the customer's tariff groups (``GET /tariff``, docs/API.md "Tariff")."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..billing import div_round
from ..deps import AuthDep, DbDep, SettingsDep
from ..models import TARIFF_COMPONENTS, Contract, Customer, ServicePoint, Tariff
from ..schemas import TariffGroupOut, TariffOut, TariffRateOut
from ..tariffs import Rate

router = APIRouter(tags=["tariff"])


def rate_out(rate: Rate) -> TariffRateOut:
    return TariffRateOut(
        component=rate.component,
        unit=rate.unit,
        unit_price_net=rate.price_net,
        vat_rate=rate.vat_rate,
        unit_price_gross=div_round(rate.price_net * (100 + rate.vat_rate), 100),
        valid_from=rate.valid_from,
        valid_to=rate.valid_to,
    )


@router.get("/tariff", response_model=TariffOut)
async def tariff(auth: AuthDep, db: DbDep, settings: SettingsDep) -> TariffOut:
    return await tariff_of(db, auth.customer, settings.business_today())


async def tariff_of(db: AsyncSession, customer: Customer, today: dt.date) -> TariffOut:
    """Per tariff group of the customer's service points (group order; one for most customers): the
    rates in force ``today`` and those decided from a later day."""
    points = (
        await db.execute(
            select(Contract.tariff_group, ServicePoint.code)
            .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
            .where(Contract.customer_id == customer.id)
            .order_by(Contract.tariff_group, ServicePoint.code)
        )
    ).all()
    codes: dict[str, list[str]] = {}
    for group, code in points:
        codes.setdefault(group, []).append(code)
    rows = (
        await db.scalars(
            select(Tariff)
            .where(Tariff.tariff_group.in_(codes), (Tariff.valid_to.is_(None)) | (Tariff.valid_to >= today))
            .order_by(Tariff.valid_from)
        )
    ).all()
    order = {c: i for i, c in enumerate(TARIFF_COMPONENTS)}
    groups = []
    for group, group_codes in codes.items():
        mine = sorted((Rate.of(r) for r in rows if r.tariff_group == group), key=lambda r: order[r.component])
        groups.append(
            TariffGroupOut(
                tariff_group=group,
                points=group_codes,
                rates=[rate_out(r) for r in mine if r.covers(today)],
                upcoming=[rate_out(r) for r in sorted(mine, key=lambda r: r.valid_from) if r.valid_from > today],
            )
        )
    return TariffOut(as_of=today, efaktura_active=customer.efaktura_active, groups=groups)
