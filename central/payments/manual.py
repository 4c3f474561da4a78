"""The accountant's hand on payments (ORD-9, INT-2): enter one, match an unmatched one, or decide about it.

Each command owns its transaction and is refused with ``OrderRefused`` (a Russian message) before anything
is written. Matching lets the paid amount grow past the invoice's amount: an over-payment is shown, never lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select, update

from central.auth.staff import User
from central.orders.domain import Conflict, Forbidden, NotFound, OrderRefused
from central.payments.amounts import AmountError, parse_rub
from central.payments.service import settle
from central.store import schema as s

CLERKS = ("accountant", "admin")
Decision = Literal["not_ours", "advance"]
DECISIONS: dict[str, str] = {"not_ours": "не наш — к возврату", "advance": "аванс — оставлен на счёте покупателя"}


@dataclass(frozen=True)
class ManualPayment:
    """A payment as the accountant types it; ``amount`` is roubles as text, «12 345,67»."""

    customer_id: int
    received_on: dt.date
    amount: str
    document_number: str
    purpose: str = ""
    invoice_id: int | None = None


def may_enter(user: User) -> None:
    """Refuse anyone but the accountant and the administrator."""
    if user.role not in CLERKS:
        raise Forbidden("Оплаты вносит и разносит бухгалтер")


def record_payment(engine: Engine, user: User, entry: ManualPayment, now: dt.datetime) -> int:
    """Store a payment entered by hand, on an invoice or unmatched: ``record_payment(engine, user, entry, now)``."""
    may_enter(user)
    try:
        amount_kop = parse_rub(entry.amount)
    except AmountError as exc:
        raise OrderRefused(str(exc)) from exc
    number = entry.document_number.strip()
    if not number or len(number) > 20:
        raise OrderRefused("Номер платёжного документа: от 1 до 20 знаков")
    if len(entry.purpose) > 500:
        raise OrderRefused("Назначение платежа длиннее 500 знаков")
    with engine.begin() as conn:
        if conn.execute(select(s.customers.c.id).where(s.customers.c.id == entry.customer_id)).first() is None:
            raise NotFound(f"Покупатель {entry.customer_id} не найден")
        if entry.invoice_id is not None:
            _open_invoice(conn, entry.invoice_id, entry.customer_id)
        payment_id = int(
            conn.execute(
                insert(s.payments)
                .values(
                    customer_id=entry.customer_id, received_on=entry.received_on, amount_kop=amount_kop,
                    document_number=number, purpose=entry.purpose.strip() or None, source="manual",
                    entered_by=user.id, entered_at=now, note="Внесён вручную",
                )
                .returning(s.payments.c.id)
            ).scalar_one()
        )  # fmt: skip
        if entry.invoice_id is not None:
            settle(conn, payment_id, entry.invoice_id, now, matched_by=user.id)
    return payment_id


def match_by_hand(engine: Engine, user: User, payment_id: int, invoice_id: int, now: dt.datetime) -> None:
    """Put an unmatched payment on an open invoice of its customer: ``match_by_hand(engine, user, 7, 1042, now)``."""
    may_enter(user)
    with engine.begin() as conn:
        payment = _unmatched(conn, payment_id)
        _open_invoice(conn, invoice_id, payment.customer_id)
        settle(conn, payment_id, invoice_id, now, matched_by=user.id)


def decide(engine: Engine, user: User, payment_id: int, decision: Decision, now: dt.datetime) -> None:
    """Mark an unmatched payment not ours or an advance to keep: ``decide(engine, user, 7, "advance", now)``."""
    may_enter(user)
    if decision not in DECISIONS:
        raise OrderRefused("Решение по платежу: not_ours (не наш) или advance (аванс)")
    with engine.begin() as conn:
        _unmatched(conn, payment_id)
        conn.execute(
            update(s.payments)
            .where(s.payments.c.id == payment_id)
            .values(review=decision, matched_by=user.id, matched_at=now)
        )


def _unmatched(conn: Connection, payment_id: int) -> Any:
    payment = conn.execute(
        select(s.payments.c.id, s.payments.c.customer_id, s.payments.c.invoice_id)
        .where(s.payments.c.id == payment_id)
        .with_for_update()
    ).first()
    if payment is None:
        raise NotFound(f"Платёж {payment_id} не найден")
    if payment.invoice_id is not None:
        number = conn.execute(select(s.invoices.c.number).where(s.invoices.c.id == payment.invoice_id)).scalar_one()
        raise Conflict(f"Платёж уже разнесён на счёт № {number}")
    return payment


def _open_invoice(conn: Connection, invoice_id: int, customer_id: int) -> None:
    invoice = conn.execute(
        select(s.invoices.c.number, s.invoices.c.amount_kop, s.invoices.c.paid_kop, s.orders.c.customer_id)
        .join(s.orders, s.orders.c.id == s.invoices.c.order_id)
        .where(s.invoices.c.id == invoice_id)
        .with_for_update(of=s.invoices)
    ).first()
    if invoice is None:
        raise NotFound(f"Счёт {invoice_id} не найден")
    if invoice.customer_id != customer_id:
        raise OrderRefused(f"Счёт № {invoice.number} выставлен другому покупателю")
    if invoice.paid_kop >= invoice.amount_kop:
        raise Conflict(f"Счёт № {invoice.number} уже оплачен")
