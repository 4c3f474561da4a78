"""Importing a bank statement: each incoming payment stored once, matched to an open invoice or left for review.

``import_statement(conn, data, now, entered_by)`` runs in the caller's transaction: a payment already imported
(same fingerprint, from an overlapping statement) or already entered by hand is skipped; a matched payment
raises the invoice's paid amount and tells the order's manager; the accountants hear of what is left unmatched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Connection, Engine, insert, select, update

from central.documents.money import format_rub
from central.notifications.inbox import notify
from central.payments.bank_statement import PaymentDocument, parse_statement
from central.payments.matching import OpenInvoice, match_payment
from central.store import schema as s

p = s.payments.c


@dataclass
class ImportReport:
    """What an import did, line by line, in Russian for the accountant."""

    incoming: int = 0
    imported: int = 0
    already_imported: int = 0
    matched: int = 0
    partial: int = 0
    for_review: int = 0
    unknown_payer: int = 0
    lines: list[dict[str, object]] = field(default_factory=list)


def _open_invoices(conn: Connection, customer_id: int, inn: str) -> list[OpenInvoice]:
    rows = conn.execute(
        select(s.invoices.c.id, s.invoices.c.number, s.invoices.c.amount_kop, s.invoices.c.paid_kop)
        .join(s.orders, s.orders.c.id == s.invoices.c.order_id)
        .where(s.orders.c.customer_id == customer_id, s.invoices.c.paid_kop < s.invoices.c.amount_kop)
    ).all()
    return [OpenInvoice(row.id, row.number, inn, row.amount_kop - row.paid_kop) for row in rows]


def import_statement(conn: Connection, data: bytes, now: dt.datetime, entered_by: int | None = None) -> ImportReport:
    """Store and match the statement's incoming payments; raises ``StatementError`` for an unreadable file."""
    statement = parse_statement(data)
    report = ImportReport()
    for payment in statement.incoming():
        report.incoming += 1
        report.lines.append(_import_one(conn, payment, report, now, entered_by))
    _tell_accountants(conn, report, now)
    return report


def _import_one(
    conn: Connection, payment: PaymentDocument, report: ImportReport, now: dt.datetime, entered_by: int | None
) -> dict[str, object]:
    line: dict[str, object] = {
        "number": payment.number,
        "date": payment.issued.isoformat(),
        "payer": payment.payer_name,
        "payer_inn": payment.payer_inn,
        "amount_kop": payment.amount_kop,
    }
    if conn.execute(select(p.id).where(p.fingerprint == payment.fingerprint)).first():
        report.already_imported += 1
        return {**line, "status": "already_imported", "reason": "Платёж уже загружен из другой выписки"}
    customer_id = conn.execute(select(s.customers.c.id).where(s.customers.c.inn == payment.payer_inn)).scalar()
    if customer_id is None:
        # Not stored: a payment row needs its customer. It stays in this report and is stored on a later
        # import, once the payer is entered as a customer.
        report.unknown_payer += 1
        return {**line, "status": "unknown_payer", "reason": f"Плательщик с ИНН {payment.payer_inn} не найден"}
    by_hand = _entered_by_hand(conn, customer_id, payment)
    if by_hand is not None:
        # The accountant typed it in before the statement came: the statement confirms it, it is not paid twice.
        conn.execute(update(s.payments).where(p.id == by_hand).values(fingerprint=payment.fingerprint))
        report.already_imported += 1
        return {**line, "status": "already_imported", "reason": "Платёж уже внесён вручную"}
    match = match_payment(payment, _open_invoices(conn, customer_id, payment.payer_inn))
    payment_id = conn.execute(
        insert(s.payments)
        .values(
            customer_id=customer_id,
            received_on=payment.received or payment.issued,
            amount_kop=payment.amount_kop,
            document_number=payment.number[:20],
            fingerprint=payment.fingerprint,
            purpose=payment.purpose[:500],
            source="bank",
            entered_by=entered_by,
            entered_at=now,
            note=match.reason[:300],
        )
        .returning(p.id)
    ).scalar_one()
    report.imported += 1
    if match.invoice_id is None:
        report.for_review += 1
        return {**line, "status": "for_review", "payment_id": payment_id, "reason": match.reason}
    settle(conn, payment_id, match.invoice_id, now)
    report.matched += 1
    report.partial += int(match.partial)
    return {
        **line,
        "status": "partial" if match.partial else "matched",
        "payment_id": payment_id,
        "invoice_id": match.invoice_id,
        "reason": match.reason,
    }


def _entered_by_hand(conn: Connection, customer_id: int, payment: PaymentDocument) -> int | None:
    days = {payment.issued, payment.received or payment.issued}
    found = conn.execute(
        select(p.id)
        .where(
            p.source == "manual",
            p.fingerprint.is_(None),
            p.customer_id == customer_id,
            p.document_number == payment.number[:20],
            p.amount_kop == payment.amount_kop,
            p.received_on.in_(days),
        )
        .order_by(p.id)
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def settle(conn: Connection, payment_id: int, invoice_id: int, now: dt.datetime, matched_by: int | None = None) -> None:
    """Put a stored payment on an invoice: its paid amount grows, the order's manager is told."""
    amount = conn.execute(
        update(s.payments)
        .where(p.id == payment_id)
        .values(invoice_id=invoice_id, review=None, matched_by=matched_by, matched_at=now)
        .returning(p.amount_kop)
    ).scalar_one()
    conn.execute(
        update(s.invoices).where(s.invoices.c.id == invoice_id).values(paid_kop=s.invoices.c.paid_kop + amount)
    )
    _tell_manager(conn, invoice_id, amount, now)


def _tell_manager(conn: Connection, invoice_id: int, amount_kop: int, now: dt.datetime) -> None:
    invoice = conn.execute(
        select(
            s.invoices.c.number,
            s.invoices.c.amount_kop,
            s.invoices.c.paid_kop,
            s.orders.c.id.label("order_id"),
            s.orders.c.number.label("order_number"),
            s.orders.c.manager_id,
            s.customers.c.name.label("customer"),
        )
        .join(s.orders, s.orders.c.id == s.invoices.c.order_id)
        .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
        .where(s.invoices.c.id == invoice_id)
    ).one()
    state, body = payment_state(invoice.amount_kop, invoice.paid_kop)
    notify(
        conn,
        kind="payment",
        subject=f"Заказ {invoice.order_number}: счёт № {invoice.number} {state}",
        body=(
            f"{invoice.customer}: поступило {format_rub(amount_kop)} руб. Оплачено {format_rub(invoice.paid_kop)} "
            f"из {format_rub(invoice.amount_kop)} руб.; {body}."
        ),
        link=f"/orders/{invoice.order_id}",
        users=[invoice.manager_id],
        now=now,
    )


def payment_state(amount_kop: int, paid_kop: int) -> tuple[str, str]:
    """How paid an invoice is, in words: ``payment_state(100, 40) == ("оплачен частично", "остаток 0,60 руб.")``."""
    if paid_kop < amount_kop:
        return "оплачен частично", f"остаток {format_rub(amount_kop - paid_kop)} руб."
    if paid_kop == amount_kop:
        return "оплачен полностью", "остатка нет"
    return "оплачен с переплатой", f"переплата {format_rub(paid_kop - amount_kop)} руб."


def _tell_accountants(conn: Connection, report: ImportReport, now: dt.datetime) -> None:
    left = [line for line in report.lines if line["status"] in ("for_review", "unknown_payer")]
    if not left:
        return
    body = "\n".join(
        f"№ {line['number']} от {line['date']}, {line['payer'] or line['payer_inn']}, "
        f"{format_rub(cast(int, line['amount_kop']))} руб.: {line['reason']}"
        for line in left
    )
    notify(
        conn,
        kind="payment_review",
        subject=f"Выписка загружена: не разнесено платежей — {len(left)}",
        body=body,
        link="/accounting/payments",
        roles=["accountant"],
        now=now,
    )


def load_statement(engine: Engine, data: bytes, now: dt.datetime, entered_by: int | None) -> ImportReport:
    """Import a statement in its own transaction: ``load_statement(engine, path.read_bytes(), now, user.id)``."""
    with engine.begin() as conn:
        return import_statement(conn, data, now, entered_by)
