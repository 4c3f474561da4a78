"""What the accountant's pages and the API list: unmatched payments with their customer's open invoices, invoices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, Select, case, func, or_, select

from central.store import schema as s

InvoiceState = Literal["all", "unpaid", "partly", "paid", "overpaid"]
INVOICE_STATES: dict[str, str] = {
    "all": "все",
    "unpaid": "не оплачены",
    "partly": "оплачены частично",
    "paid": "оплачены",
    "overpaid": "с переплатой",
}


@dataclass(frozen=True)
class InvoiceLine:
    id: int
    number: str
    issued_on: dt.date
    order_id: int
    order_number: str
    customer: str
    customer_inn: str
    amount_kop: int
    vat_kop: int
    paid_kop: int

    @property
    def state(self) -> str:
        """unpaid, partly, paid or overpaid."""
        if self.paid_kop == 0:
            return "unpaid"
        if self.paid_kop < self.amount_kop:
            return "partly"
        return "paid" if self.paid_kop == self.amount_kop else "overpaid"

    @property
    def due_kop(self) -> int:
        return max(self.amount_kop - self.paid_kop, 0)

    @property
    def over_kop(self) -> int:
        return max(self.paid_kop - self.amount_kop, 0)


@dataclass(frozen=True)
class UnmatchedPayment:
    id: int
    received_on: dt.date
    customer_id: int
    customer: str
    customer_inn: str
    amount_kop: int
    document_number: str
    purpose: str
    source: str
    note: str
    review: str | None
    open_invoices: list[InvoiceLine] = field(default_factory=list)


def _invoice_query() -> Select[Any]:
    i = s.invoices.c
    return (
        select(
            i.id,
            i.number,
            i.issued_on,
            i.order_id,
            s.orders.c.number.label("order_number"),
            s.customers.c.name.label("customer"),
            s.customers.c.inn.label("customer_inn"),
            i.amount_kop,
            i.vat_kop,
            i.paid_kop,
        )
        .join(s.orders, s.orders.c.id == i.order_id)
        .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
    )


def invoices(conn: Connection, state: InvoiceState = "all", query: str = "", limit: int = 200) -> list[InvoiceLine]:
    """Invoices newest first, by payment state and a number/customer/INN search: ``invoices(conn, "partly")``."""
    i = s.invoices.c
    stmt = _invoice_query()
    condition = {
        "unpaid": i.paid_kop == 0,
        "partly": (i.paid_kop > 0) & (i.paid_kop < i.amount_kop),
        "paid": i.paid_kop == i.amount_kop,
        "overpaid": i.paid_kop > i.amount_kop,
    }.get(state)
    if condition is not None:
        stmt = stmt.where(condition)
    text = query.strip()
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(
            or_(
                i.number.contains(text),
                s.orders.c.number.contains(text),
                s.customers.c.inn.contains(text),
                func.lower(s.customers.c.name).like(like),
            )
        )
    rows = conn.execute(stmt.order_by(i.issued_on.desc(), i.id.desc()).limit(limit)).all()
    return [InvoiceLine(**row._mapping) for row in rows]


def invoice_counts(conn: Connection) -> dict[str, int]:
    """How many invoices are in each payment state: ``invoice_counts(conn)["partly"]``."""
    i = s.invoices.c
    state = case(
        (i.paid_kop == 0, "unpaid"),
        (i.paid_kop < i.amount_kop, "partly"),
        (i.paid_kop == i.amount_kop, "paid"),
        else_="overpaid",
    )
    counts: dict[str, int] = {str(k): int(n) for k, n in conn.execute(select(state, func.count()).group_by(state))}
    return {key: int(counts.get(key, 0)) for key in INVOICE_STATES if key != "all"} | {"all": sum(counts.values())}


def unmatched_payments(conn: Connection, limit: int = 500) -> list[UnmatchedPayment]:
    """Payments on no invoice, those awaiting a decision first, each with its customer's open invoices."""
    p = s.payments.c
    rows = conn.execute(
        select(
            p.id,
            p.received_on,
            p.customer_id,
            s.customers.c.name,
            s.customers.c.inn,
            p.amount_kop,
            p.document_number,
            p.purpose,
            p.source,
            p.note,
            p.review,
        )
        .join(s.customers, s.customers.c.id == p.customer_id)
        .where(p.invoice_id.is_(None))
        .order_by(p.review.is_not(None), p.received_on.desc(), p.id.desc())
        .limit(limit)
    ).all()
    customer_ids = sorted({row.customer_id for row in rows})
    open_by_customer: dict[str, list[InvoiceLine]] = {}
    if customer_ids:
        i = s.invoices.c
        for row in conn.execute(
            _invoice_query()
            .where(s.orders.c.customer_id.in_(customer_ids), i.paid_kop < i.amount_kop)
            .order_by(i.issued_on, i.id)
        ).all():
            open_by_customer.setdefault(row.customer_inn, []).append(InvoiceLine(**row._mapping))
    return [
        UnmatchedPayment(
            id=row.id,
            received_on=row.received_on,
            customer_id=row.customer_id,
            customer=row.name,
            customer_inn=row.inn,
            amount_kop=row.amount_kop,
            document_number=row.document_number,
            purpose=row.purpose or "",
            source=row.source,
            note=row.note or "",
            review=row.review,
            open_invoices=open_by_customer.get(row.inn, []),
        )
        for row in rows
    ]
