"""Water quality, the yearly statement (JSON and PDF), the household size and the CSV exports,
against the real server (the shared demo server for reads, a server of its own for writes, an
in-process app on a database of its own where a result must be changed)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from ebok_server.config import Settings
from ebok_server.db import make_engine, make_sessionmaker
from ebok_server.models import WaterQualityResult
from ebok_server.seed import seed_demo
from ebok_server.water import AVERAGE_L_PER_PERSON_DAY, BOTTLED_PRICE_PER_LITRE, DEFAULT_HOUSEHOLD_SIZE, street_key
from tests.asgi_server import LifespanASGITransport

from .helpers import DEMO_TODAY, assert_error, bearer, login

TODAY = dt.date.fromisoformat(DEMO_TODAY)


@pytest.fixture(scope="module")
def tokens(server_url):
    with httpx.Client(base_url=server_url + "/api/v1", timeout=15) as c:
        return {n: login(c, n) for n in ("10001", "10003")}


def test_street_key():
    assert street_key("ul. Grunwaldzka 12/4, Jaworzno") == "grunwaldzka"
    assert street_key("al.  Jana Pawła II 3, Jaworzno") == "jana pawła ii"
    assert street_key("Leśna 3") == "leśna"


def test_water_quality_of_the_supply_zone(api, tokens):
    r = api.get("/water-quality", headers=bearer(tokens["10001"]))
    assert r.status_code == 200, r.text
    (supply,) = r.json()["supplies"]
    assert supply["address"] == "ul. Grunwaldzka 12/4, Jaworzno"
    assert supply["zone_code"] == "JAW-C" and supply["meets_standards"] is True
    assert supply["sampled_on"] == str(TODAY - dt.timedelta(days=12))
    by_name = {p["parameter"]: p for p in supply["parameters"]}
    assert list(by_name) == ["e_coli", "enterococci", "nitrates", "ph", "hardness"]
    assert by_name["ph"] == {
        "parameter": "ph",
        "value": "7.400",
        "unit": "pH",
        "limit_min": "6.500",
        "limit_max": "9.500",
        "ok": True,
    }
    assert by_name["nitrates"]["limit_min"] is None and by_name["nitrates"]["limit_max"] == "50.000"
    # another street, another zone (its older sample with E. coli is not the latest)
    (other,) = api.get("/water-quality", headers=bearer(tokens["10003"])).json()["supplies"]
    assert other["zone_code"] == "JAW-P" and other["meets_standards"] is True
    # the housing community: each of its three points' supply, all on ul. Słoneczna (zone C)
    supplies = api.get("/water-quality", headers=bearer(login(api, "10005"))).json()["supplies"]
    assert [(s["address"], s["zone_code"], s["meets_standards"]) for s in supplies] == [
        ("ul. Słoneczna 8A, Jaworzno", "JAW-C", True),
        ("ul. Słoneczna 8B, Jaworzno", "JAW-C", True),
        ("ul. Słoneczna 8 (ogród), Jaworzno", "JAW-C", True),
    ]


async def test_the_verdict_follows_the_limits_and_an_unknown_street_has_no_zone(backend, fresh_db_url):
    engine = make_engine(fresh_db_url)
    from ebok_server.schema import ensure_schema

    await ensure_schema(engine, upgrade=False)
    async with make_sessionmaker(engine)() as session:
        await seed_demo(session, TODAY)
        day = await session.scalar(select(WaterQualityResult.sampled_on).where(WaterQualityResult.zone_code == "JAW-C"))
        latest = TODAY - dt.timedelta(days=12)
        assert day is not None
        # a newer sample in zone C: pH 9.6 (limit 9.5) and E. coli found
        for parameter, value in (("e_coli", 1000), ("enterococci", 0), ("nitrates", 50_000), ("ph", 9_600)):
            session.add(
                WaterQualityResult(
                    zone_code="JAW-C", sampled_on=latest + dt.timedelta(days=1), parameter=parameter, value_milli=value
                )
            )
        # a bank transfer's title is the payer's text: it must not become a spreadsheet formula
        from ebok_server.models import Customer, Payment

        cid = await session.scalar(select(Customer.id).where(Customer.customer_number == "10001"))
        for n, evil in enumerate(('=HYPERLINK("http://x","y")', "+48 1", "@SUM(A1)", "\tx", "-1+2")):
            session.add(Payment(customer_id=cid, date=TODAY, amount=100 + n, method="transfer", reference=evil))
        await session.commit()
    await engine.dispose()
    transport = LifespanASGITransport(Settings(db_url=fresh_db_url, today=TODAY))
    async with httpx.AsyncClient(transport=transport, base_url="http://ebok.test/api/v1") as c:
        r = await c.post("/auth/login", json={"customer_number": "10001", "password": "woda-10001"})
        h = bearer(r.json()["token"])
        (supply,) = (await c.get("/water-quality", headers=h)).json()["supplies"]
        ok = {p["parameter"]: p["ok"] for p in supply["parameters"]}
        # nitrates at exactly the limit pass; pH above and any E. coli fail; hardness was not measured
        assert ok == {"e_coli": False, "enterococci": True, "nitrates": True, "ph": False}
        assert supply["meets_standards"] is False
        r = await c.get("/export/payments.csv", params={"date_from": str(TODAY), "date_to": str(TODAY)}, headers=h)
        refs = [row[3] for row in _csv(r)[1:]]
        assert refs == ['\'=HYPERLINK("http://x","y")', "'+48 1", "'@SUM(A1)", "'\tx", "'-1+2"]
        # the large test customer lives on ul. Testowa (zone C); a street no zone lists has no zone
        engine = make_engine(fresh_db_url)
        async with engine.begin() as conn:
            from ebok_server.models import Contract, Customer, ServicePoint

            cid = await conn.scalar(select(Customer.id).where(Customer.customer_number == "10001"))
            await conn.execute(
                Contract.__table__.update().where(Contract.customer_id == cid).values(connection_address="ul. Nowa 1")
            )
            await conn.execute(  # the supply address is the service point's
                ServicePoint.__table__.update().where(ServicePoint.customer_id == cid).values(address="ul. Nowa 1")
            )
        await engine.dispose()
        (supply,) = (await c.get("/water-quality", headers=h)).json()["supplies"]
        assert supply == {
            "address": "ul. Nowa 1",
            "zone_code": None,
            "zone_name": None,
            "sampled_on": None,
            "meets_standards": None,
            "parameters": [],
        }


def _readings(api, token):
    return api.get("/readings", params={"months": 120}, headers=bearer(token)).json()["items"]


def test_yearly_figures_add_up(api, tokens):
    h = bearer(tokens["10001"])
    r = api.get("/yearly/2025", headers=h)
    assert r.status_code == 200, r.text
    y = r.json()
    assert y["year"] == 2025 and y["complete"] is True and y["years"][0] == 2026
    assert [m["month"] for m in y["months"]] == list(range(1, 13))
    assert y["invoiced"] == sum(m["invoiced"] for m in y["months"]) > 0
    assert y["paid"] == sum(m["paid"] for m in y["months"])
    # invoiced per month = the invoice list's invoices of that month
    invoices = api.get("/invoices", params={"year": 2025, "limit": 200}, headers=h).json()["items"]
    for m in y["months"]:
        assert m["invoiced"] == sum(i["gross"] for i in invoices if int(i["issue_date"][5:7]) == m["month"])
    # consumption per month = the readings screen's consumption of that month's readings
    readings = [x for x in _readings(api, tokens["10001"]) if x["date"].startswith("2025-")]
    for m in y["months"]:
        expected = sum(round(float(x["consumption"]) * 1000) for x in readings if int(x["date"][5:7]) == m["month"])
        assert round(float(m["consumption"]) * 1000) == expected
    # the directive's figures: default household, 100 l a person a day, tap vs. bottled price
    assert y["household_size"] == DEFAULT_HOUSEHOLD_SIZE and y["household_size_is_default"] is True
    assert y["average_household_consumption"] == f"{DEFAULT_HOUSEHOLD_SIZE * AVERAGE_L_PER_PERSON_DAY * 365 / 1000:.3f}"
    # water 5.87 + sewage 8.24 zł net per m³, 8% VAT: 15.24 zł per m³ (rounding of the lines aside)
    assert 1515 <= y["tap_price_per_m3"] <= 1530
    assert y["bottled_price_per_litre"] == BOTTLED_PRICE_PER_LITRE
    # the year still running: no comparison yet
    now = api.get("/yearly/2026", headers=h).json()
    assert now["complete"] is False and now["average_household_consumption"] is None
    # a year without data: zeros, no price
    empty = api.get("/yearly/1990", headers=h).json()
    assert empty["invoiced"] == 0 and empty["consumption"] == "0.000" and empty["tap_price_per_m3"] is None


def test_yearly_needs_login_and_a_sane_year(api, tokens):
    assert_error(api.get("/yearly/2025"), 401, "unauthorized")
    assert_error(api.get("/water-quality"), 401, "unauthorized")
    for bad in ("1899", "2201", "x", "2025.0"):
        assert api.get(f"/yearly/{bad}", headers=bearer(tokens["10001"])).status_code in (404, 422)


def test_the_pdfs_carry_the_directive_information(api, tokens):
    """The statement and the invoice, rendered from the server's own answers (core font, so the
    text can be read back): quality verdict and results, the year's comparison, tap vs. bottled."""
    from ebok_server.pdf import render_invoice_pdf, render_yearly_pdf
    from ebok_server.schemas import InvoiceDetail, WaterQualityOut, YearlyOut

    from .test_units import _pdf_strings

    h = bearer(tokens["10001"])
    quality = WaterQualityOut.model_validate(api.get("/water-quality", headers=h).json())
    summary = YearlyOut.model_validate(api.get("/yearly/2025", headers=h).json())
    customer = SimpleNamespace(
        full_name="Jan Kowalski", customer_number="10001", address="ul. Grunwaldzka 12/4", nip=None
    )
    for data in (
        render_yearly_pdf(summary, quality, customer, font_path=None),
        render_invoice_pdf(
            InvoiceDetail.model_validate(
                api.get(f"/invoices/{api.get('/invoices', headers=h).json()['items'][0]['id']}", headers=h).json()
            ),
            customer,
            directive=(quality, summary),
            font_path=None,
        ),
    ):
        text = " ".join(_pdf_strings(data)).replace("\\(", "(").replace("\\)", ")")
        assert "dyrektywa (UE) 2020/2184" in text
        assert "Strefa Centrum (SUW Byczyna)" in text and "woda spelnia wymagania" in text
        assert "Odczyn pH 7,4 pH (norma 6,5-9,5)" in text and "Azotany 12,4 mg/l (norma <= 50)" in text
        assert "przecietne gospodarstwo 2-osobowe - przyjeto domyslnie: 73,000 m3" in text
        assert "woda butelkowana (cena orientacyjna): 1,33 zl za litr" in text
    # the statement's table: the totals row
    shown = _pdf_strings(render_yearly_pdf(summary, quality, customer, font_path=None))
    assert (
        "Razem" in shown
        and f"{summary.invoiced // 100:,},{summary.invoiced % 100:02d} zl".replace(",", " ", 1) in shown
    )


def test_yearly_pdf(api, tokens):
    r = api.get("/yearly/2025/pdf", headers=bearer(tokens["10001"]))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert 'filename="zestawienie-10001-2025.pdf"' in r.headers["content-disposition"]
    assert_error(api.get("/yearly/2025/pdf"), 401, "unauthorized")


def _pdf_text(data: bytes) -> str:
    """The text of every page of a PDF as PDFium (pypdfium2) extracts it."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_bounded() for i in range(len(doc)))


def test_the_yearly_pdf_shows_each_service_points_part(api):
    """The housing community's statement (three points) has the per-point table of the screen's
    figures, which add up to the year's; a customer with one point has none."""
    h = bearer(login(api, "10005"))
    summary = api.get("/yearly/2025", headers=h).json()
    points = summary["points"]
    assert len(points) == 3
    assert summary["complete"] and summary["average_household_consumption"] is None  # not a household
    text = _pdf_text(api.get("/yearly/2025/pdf", headers=h).content)
    lines = [line.strip() for line in text.splitlines()]
    assert "Punkty poboru" in lines
    table = lines[lines.index("Punkty poboru") :]
    assert table[1] == "Punkt poboru Zafakturowano Zużycie [m³]"

    def pl(whole: int, frac: str) -> str:
        return f"{whole:,}".replace(",", " ") + "," + frac

    tails = []
    for p in points:
        whole, frac = p["consumption"].split(".")
        grosze = p["invoiced"]
        tails.append(f"{pl(grosze // 100, f'{grosze % 100:02d}')} zł {pl(int(whole), frac)}")
    rows = [f"{p['code']} {p['label']} {tail}" for p, tail in zip(points, tails, strict=True)]
    assert table[2:5] == rows  # e.g. "PP-10005-01 Budynek A 17 753,43 zł 1 164,311"
    assert sum(p["invoiced"] for p in points) == summary["invoiced"]
    # a label too long for its column (100 characters) is cut to fit, marked with "..."
    from ebok_server.pdf import render_yearly_pdf
    from ebok_server.schemas import WaterQualityOut, YearlyOut

    long = YearlyOut.model_validate(summary | {"points": [points[0] | {"label": "Budynek " * 12}, *points[1:]]})
    customer = SimpleNamespace(full_name="W", customer_number="10005", address="ul. Słoneczna 8", nip=None)
    cut = _pdf_text(render_yearly_pdf(long, WaterQualityOut(supplies=[]), customer)).splitlines()
    (row,) = [line for line in cut if line.startswith(points[0]["code"])]
    assert row.startswith(f"{points[0]['code']} Budynek Budynek") and row.endswith(f"... {tails[0]}")

    one = _pdf_text(api.get("/yearly/2025/pdf", headers=bearer(login(api, "10001"))).content)
    assert "Razem" in one and "Punkty poboru" not in one and "Punkt poboru" not in one


def test_household_size(own_api):
    h = bearer(login(own_api, "10002"))
    assert own_api.get("/household", headers=h).json() == {
        "household_size": DEFAULT_HOUSEHOLD_SIZE,
        "household_size_is_default": True,
    }
    r = own_api.put("/household", json={"household_size": 4}, headers=h)
    assert r.status_code == 200 and r.json() == {"household_size": 4, "household_size_is_default": False}
    y = own_api.get("/yearly/2025", headers=h).json()
    assert y["household_size"] == 4 and y["average_household_consumption"] == f"{4 * 100 * 365 / 1000:.3f}"
    for bad in (0, 21, -1, "four", 2.5):
        assert_error(own_api.put("/household", json={"household_size": bad}, headers=h), 422, "validation_error")
    r = own_api.put("/household", json={"household_size": None}, headers=h)
    assert r.json() == {"household_size": DEFAULT_HOUSEHOLD_SIZE, "household_size_is_default": True}
    assert_error(own_api.put("/household", json={"household_size": 3}), 401, "unauthorized")


def _csv(r: httpx.Response) -> list[list[str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_exports(api, tokens):
    h = bearer(tokens["10001"])
    period = {"date_from": "2025-01-01", "date_to": "2025-12-31"}
    rows = _csv(api.get("/export/invoices.csv", params=period, headers=h))
    assert rows[0] == ["number", "issue_date", "due_date", "period_from", "period_to", "net", "vat", "gross", "paid"]
    invoices = api.get("/invoices", params={"year": 2025, "limit": 200}, headers=h).json()["items"]
    assert sorted(r[0] for r in rows[1:]) == sorted(i["number"] for i in invoices)
    gross = {i["number"]: i["gross"] for i in invoices}
    for r in rows[1:]:
        assert round(float(r[7]) * 100) == gross[r[0]]
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:])  # oldest first
    pays = _csv(api.get("/export/payments.csv", params=period, headers=h))
    assert pays[0] == ["date", "amount", "method", "reference", "invoice_number"] and len(pays) > 1
    assert all("2025-01-01" <= p[0] <= "2025-12-31" for p in pays[1:])
    reads = _csv(api.get("/export/readings.csv", params=period, headers=h))
    assert reads[0] == ["date", "meter_number", "value_m3", "type"]
    assert {r[1] for r in reads[1:]} == {"WM-1234567"} and len(reads) == 13
    # the customer's own rows only: another customer's export has none of these invoices
    other = _csv(api.get("/export/invoices.csv", params=period, headers=bearer(tokens["10003"])))
    assert not {r[0] for r in other[1:]} & set(gross)


def test_csv_export_periods_and_strangers(api, tokens):
    h = bearer(tokens["10001"])
    inverted = {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    assert _csv(api.get("/export/invoices.csv", params=inverted, headers=h)) == [list(CSV_INVOICE_HEADER)]
    everything = _csv(
        api.get("/export/invoices.csv", params={"date_from": "0001-01-01", "date_to": "9999-12-31"}, headers=h)
    )
    assert len(everything) - 1 == api.get("/invoices", params={"limit": 1}, headers=h).json()["total"]
    period = {"date_from": "2025-01-01", "date_to": "2025-01-02"}
    assert api.get("/export/meters.csv", params=period, headers=h).status_code in (404, 422)
    assert_error(
        api.get("/export/invoices.csv", params={"date_from": "2025-01-01"}, headers=h), 422, "validation_error"
    )
    assert_error(api.get("/export/invoices.csv", params=period), 401, "unauthorized")


CSV_INVOICE_HEADER = ("number", "issue_date", "due_date", "period_from", "period_to", "net", "vat", "gross", "paid")
