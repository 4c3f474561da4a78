"""Shipping documents (LOG-2) as PDF through WeasyPrint: TORG-12, UPD (status 1) and the waybill.

``printed_document(engine, 7, "upd", today, central, logistics, vat_percent=22)`` numbers the document on its
first print (one sequence per kind, the date of that print kept) and renders it; a reprint shows the same
number and date. The lines are the order's, with the VAT inside the prices at ``DocumentSettings.vat_percent``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from central.documents.contract import contract_number, html_pdf
from central.documents.money import amount_in_words, format_rub
from central.logistics.domain import DOCUMENT_TITLES, Figures, Refused, figures, kg
from central.logistics.service import dispatch_row, lines_of, local_day
from central.logistics.settings import LogisticsSettings
from central.settings import CentralSettings
from central.store import schema as s

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
OKEI = {"шт": "796", "кг": "166", "м": "006", "компл": "839", "упак": "778", "л": "112"}
BOX_KG = 20  # the standard box of the pick task's packing rule
docs = s.dispatch_documents.c


def number_of(conn: Connection, dispatch_id: int, kind: str, today: dt.date, now: dt.datetime) -> tuple[int, dt.date]:
    """The document's number and date, given on its first print: the next number of its kind."""
    found = conn.execute(
        select(docs.number, docs.issued_on).where(docs.dispatch_id == dispatch_id, docs.kind == kind)
    ).first()
    if found is not None:
        return int(found.number), found.issued_on
    number = (
        int(conn.execute(select(func.coalesce(func.max(docs.number), 0)).where(docs.kind == kind)).scalar_one()) + 1
    )
    conn.execute(
        insert(s.dispatch_documents).values(
            dispatch_id=dispatch_id, kind=kind, number=number, issued_on=today, created_at=now
        )
    )
    return number, today


def _context(
    conn: Connection, row: Any, central: CentralSettings, logistics: LogisticsSettings, money: Figures
) -> dict[str, Any]:
    order = conn.execute(select(s.orders).where(s.orders.c.id == row.order_id)).one()
    customer = conn.execute(select(s.customers).where(s.customers.c.id == order.customer_id)).one()
    transport: dict[str, str] = {"carrier": central.company_name, "vehicle": "", "driver": ""}
    if row.mode == "carrier" and row.carrier_tariff_id is not None:
        transport["carrier"] = str(
            conn.execute(
                select(s.carrier_tariffs.c.carrier).where(s.carrier_tariffs.c.id == row.carrier_tariff_id)
            ).scalar_one()
        )
    if row.vehicle_id is not None:
        van = conn.execute(select(s.vehicles).where(s.vehicles.c.id == row.vehicle_id)).one()
        transport["vehicle"] = f"{van.model}, гос. номер {van.plate}, грузоподъёмность {van.capacity_kg} кг"
    return {
        "seller": {
            "name": central.company_name, "inn": central.company_inn, "kpp": central.company_kpp,
            "address": logistics.company_address, "phone": logistics.company_phone,
            "account": central.company_account, "bank": central.company_bank, "bik": central.company_bik,
            "correspondent_account": central.company_correspondent_account,
            "shipping_point": logistics.shipping_point,
        },
        "buyer": {
            "name": customer.name, "inn": customer.inn, "kpp": customer.kpp or "", "address": customer.legal_address,
            "delivery_address": customer.delivery_address, "phone": customer.phone,
            "account": customer.settlement_account, "bank": customer.bank_name, "bik": customer.bank_bik,
            "correspondent_account": customer.correspondent_account,
        },
        "order": order.number,
        "basis": f"Договор поставки № {contract_number(order.number)} от {order.created_at.date():%d.%m.%Y}, "
        f"заказ № {order.number}",
        "rows": [{**r, "okei": OKEI.get(str(r["uom"]), "")} for r in money.rows],
        "net": format_rub(money.net_kop),
        "vat": format_rub(money.vat_kop),
        "total": format_rub(money.total_kop),
        "total_in_words": amount_in_words(money.total_kop),
        "qty": money.qty,
        "weight": kg(money.weight_g),
        "places": max(1, -(-money.weight_g // (BOX_KG * 1000))),
        "transport": transport,
        "cost": format_rub(row.cost_kop) if row.cost_kop is not None else "",
        "delivery_day": f"{row.delivery_day:%d.%m.%Y}" if row.delivery_day else "",
    }  # fmt: skip


def document_html(
    engine: Engine,
    dispatch_id: int,
    kind: str,
    now: dt.datetime,
    central: CentralSettings,
    logistics: LogisticsSettings,
    vat_percent: int,
) -> tuple[str, str]:
    """The document as HTML and its title «УПД № 12 от 24.11.2026», numbered on first print."""
    if kind not in DOCUMENT_TITLES:
        raise Refused(f"Неизвестный документ {kind}", 404)
    for attempt in range(3):
        try:
            return _numbered_html(engine, dispatch_id, kind, now, central, logistics, vat_percent)
        except IntegrityError:
            # Two first prints of one kind at once took the same number; the loser takes the next one.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _numbered_html(
    engine: Engine,
    dispatch_id: int,
    kind: str,
    now: dt.datetime,
    central: CentralSettings,
    logistics: LogisticsSettings,
    vat_percent: int,
) -> tuple[str, str]:
    with engine.begin() as conn:
        row = dispatch_row(conn, dispatch_id)
        chosen = row.document_kind or logistics.default_document
        if kind not in ("waybill", chosen):
            raise Refused(
                f"Для отгрузки по заказу {row.number} выбран документ {DOCUMENT_TITLES[chosen]}, "
                f"а не {DOCUMENT_TITLES[kind]}: смените вид документа на странице отгрузок"
            )
        number, issued = number_of(conn, dispatch_id, kind, local_day(now), now)
        context = _context(
            conn, row, central, logistics, figures(lines_of(conn, row.order_id, row.picked), vat_percent)
        )
        if kind == "waybill":
            basis_kind = chosen
            basis = conn.execute(
                select(docs.number, docs.issued_on).where(docs.dispatch_id == dispatch_id, docs.kind == basis_kind)
            ).first()
            context["accompanying"] = (
                f"{DOCUMENT_TITLES[basis_kind]} № {basis.number} от {basis.issued_on:%d.%m.%Y}"
                if basis is not None
                else f"{DOCUMENT_TITLES[basis_kind]} к заказу № {row.number}"
            )
    title = f"{DOCUMENT_TITLES[kind]} № {number} от {issued:%d.%m.%Y}"
    page = _env.get_template(f"{kind}.html").render(
        number=number, date=f"{issued:%d.%m.%Y}", vat_percent=vat_percent, title=title, **context
    )
    return page, title


def document_pdf(
    engine: Engine,
    dispatch_id: int,
    kind: str,
    now: dt.datetime,
    central: CentralSettings,
    logistics: LogisticsSettings,
    vat_percent: int,
) -> tuple[bytes, str]:
    """``document_pdf(engine, 7, "torg12", now, central, logistics, 22)`` → (PDF bytes, title)."""
    page, title = document_html(engine, dispatch_id, kind, now, central, logistics, vat_percent)
    return html_pdf(page), title
