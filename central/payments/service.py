"""Importing a bank statement: each incoming payment stored once, matched to an open invoice or left for review.

``import_statement(conn, data, today)`` runs in the caller's transaction: a payment already imported (same
fingerprint, from an overlapping statement) is skipped; a matched payment raises the invoice's paid amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, insert, select, update

from central.payments.bank_statement import PaymentDocument, parse_statement
from central.payments.matching import OpenInvoice, match_payment
from central.store import schema as s


@dataclass
class ImportReport:
    """What an import did, line by line, in Russian for the accountant."""

    incoming: int = 0
    imported: int = 0
    already_imported: int = 0
    matched: int = 0
    partial: int = 0
    lines: list[dict[str, object]] = field(default_factory=list)


def _open_invoices(conn: Connection, customer_id: int, inn: str) -> list[OpenInvoice]:
    rows = conn.execute(
        select(s.invoices.c.id, s.invoices.c.number, s.invoices.c.amount_kop, s.invoices.c.paid_kop)
        .join(s.orders, s.orders.c.id == s.invoices.c.order_id)
        .where(s.orders.c.customer_id == customer_id, s.invoices.c.paid_kop < s.invoices.c.amount_kop)
    ).all()
    return [OpenInvoice(row.id, row.number, inn, row.amount_kop - row.paid_kop) for row in rows]


def import_statement(conn: Connection, data: bytes) -> ImportReport:
    """Store and match the statement's incoming payments; raises ``StatementError`` for an unreadable file."""
    statement = parse_statement(data)
    report = ImportReport()
    for payment in statement.incoming():
        report.incoming += 1
        report.lines.append(_import_one(conn, payment, report))
    return report


def _import_one(conn: Connection, payment: PaymentDocument, report: ImportReport) -> dict[str, object]:
    line: dict[str, object] = {
        "number": payment.number,
        "date": payment.issued.isoformat(),
        "payer": payment.payer_name,
        "payer_inn": payment.payer_inn,
        "amount_kop": payment.amount_kop,
    }
    if conn.execute(select(s.payments.c.id).where(s.payments.c.fingerprint == payment.fingerprint)).first():
        report.already_imported += 1
        return {**line, "status": "already_imported", "reason": "Платёж уже загружен из другой выписки"}
    customer_id = conn.execute(select(s.customers.c.id).where(s.customers.c.inn == payment.payer_inn)).scalar()
    if customer_id is None:
        # Not stored: a payment row needs its customer. It stays in this report and is stored on a later
        # import, once the payer is entered as a customer.
        return {**line, "status": "unknown_payer", "reason": f"Плательщик с ИНН {payment.payer_inn} не найден"}
    match = match_payment(payment, _open_invoices(conn, customer_id, payment.payer_inn))
    conn.execute(
        insert(s.payments).values(
            customer_id=customer_id,
            invoice_id=match.invoice_id,
            received_on=payment.received or payment.issued,
            amount_kop=payment.amount_kop,
            document_number=payment.number[:20],
            fingerprint=payment.fingerprint,
            purpose=payment.purpose[:500],
        )
    )
    report.imported += 1
    if match.invoice_id is None:
        return {**line, "status": "for_review", "reason": match.reason}
    conn.execute(
        update(s.invoices)
        .where(s.invoices.c.id == match.invoice_id)
        .values(paid_kop=s.invoices.c.paid_kop + payment.amount_kop)
    )
    report.matched += 1
    report.partial += int(match.partial)
    return {
        **line,
        "status": "partial" if match.partial else "matched",
        "invoice_id": match.invoice_id,
        "reason": match.reason,
    }
