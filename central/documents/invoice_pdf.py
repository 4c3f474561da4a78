"""The invoice for payment (ORD-8) as a printed Russian form «Счёт на оплату», PDF through WeasyPrint.

The figures come from the invoice as ``GET /api/v1/invoices/{id}`` shows it (amount, VAT, what is due and
the GOST R 56042 payment QR payload), so the paper and the API never disagree; the lines are the order's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection, select

from central.documents.contract import html_pdf
from central.documents.money import format_rub, payment_qr_svg, vat_included
from central.store import schema as s

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class InvoiceLine:
    sku: str
    name: str
    uom: str
    qty: int
    price_kop: int

    @property
    def sum_kop(self) -> int:
        return self.qty * self.price_kop


def invoice_lines(conn: Connection, invoice_id: int) -> list[InvoiceLine]:
    """The lines of the invoice's order, in the order they were entered."""
    rows = conn.execute(
        select(s.items.c.sku, s.items.c.name, s.items.c.uom, s.order_lines.c.qty, s.order_lines.c.price_kop)
        .join(s.order_lines, s.order_lines.c.item_id == s.items.c.id)
        .join(s.invoices, s.invoices.c.order_id == s.order_lines.c.order_id)
        .where(s.invoices.c.id == invoice_id)
        .order_by(s.order_lines.c.id)
    ).all()
    return [InvoiceLine(r.sku, r.name, r.uom, int(r.qty), int(r.price_kop)) for r in rows]


def invoice_customer(conn: Connection, invoice_id: int) -> dict[str, Any]:
    row = conn.execute(
        select(s.customers.c.name, s.customers.c.inn, s.customers.c.kpp, s.customers.c.legal_address)
        .join(s.orders, s.orders.c.customer_id == s.customers.c.id)
        .join(s.invoices, s.invoices.c.order_id == s.orders.c.id)
        .where(s.invoices.c.id == invoice_id)
    ).one()
    return dict(row._mapping)


def printed_vat_percent(amount_kop: int, vat_kop: int, setting: int) -> int:
    """The rate to print beside the invoice's VAT: the configured one when the VAT was charged at it (to the
    kopeck), else the rate the stored figures imply — an invoice issued in 2025 at 20 % keeps its 20 %."""
    if vat_included(amount_kop, setting) == vat_kop or amount_kop <= vat_kop:
        return setting
    return round(100 * vat_kop / (amount_kop - vat_kop))


def invoice_html(invoice: dict[str, Any], customer: dict[str, Any], lines: list[InvoiceLine], vat_setting: int) -> str:
    """The form as HTML; ``invoice`` is the JSON of ``GET /api/v1/invoices/{id}``, whose QR payload it prints."""
    issued = dt.date.fromisoformat(invoice["issued_on"])
    return _env.get_template("invoice.html").render(
        invoice=invoice,
        issued_on=f"{issued:%d.%m.%Y}",
        payee=invoice["payee"],
        customer=customer,
        lines=[
            {
                "sku": ln.sku,
                "name": ln.name,
                "uom": ln.uom,
                "qty": ln.qty,
                "price": format_rub(ln.price_kop),
                "sum": format_rub(ln.sum_kop),
            }
            for ln in lines
        ],
        total=format_rub(sum(ln.sum_kop for ln in lines)),
        vat_percent=printed_vat_percent(invoice["amount_kop"], invoice["vat_kop"], vat_setting),
        vat=format_rub(invoice["vat_kop"]),
        amount=format_rub(invoice["amount_kop"]),
        paid=format_rub(invoice["paid_kop"]) if invoice["paid_kop"] else "",
        due=format_rub(invoice["due_kop"]),
        qr_svg=payment_qr_svg(invoice["payment_qr"]),
    )


def invoice_pdf(invoice: dict[str, Any], customer: dict[str, Any], lines: list[InvoiceLine], vat_setting: int) -> bytes:
    """``invoice_pdf(get_invoice(...), customer, lines, 22)`` → the PDF bytes."""
    return html_pdf(invoice_html(invoice, customer, lines, vat_setting))
