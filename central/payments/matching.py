"""Matching an incoming payment to an open invoice by number, INN and amount — or saying why not."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from central.payments.bank_statement import PaymentDocument

# «Оплата по счету № 1234 от 15.11.2026», «сч. N 1234», «счёт 1234», «по сч.№1234»
INVOICE_NUMBER = re.compile(
    r"(?:сч(?:[её]т(?:у|а)?)?\.?)\s*(?:на\s+оплату\s*)?(?:№|N|#)?\s*([A-Za-zА-Яа-я0-9\-/]+)", re.I
)


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    number: str
    customer_inn: str
    due_kop: int


@dataclass(frozen=True)
class Match:
    """The invoice a payment settles (None: it goes to the review page) and why, in Russian."""

    invoice_id: int | None
    reason: str
    partial: bool = False


def invoice_numbers(purpose: str) -> list[str]:
    """Invoice numbers a payment purpose mentions: ``invoice_numbers("Оплата по счету № 12 от 1.11")`` → ["12"]."""
    return [m.group(1).strip("-/") for m in INVOICE_NUMBER.finditer(purpose) if any(c.isdigit() for c in m.group(1))]


def match_payment(payment: PaymentDocument, invoices: Iterable[OpenInvoice]) -> Match:
    """Decide which open invoice a payment pays: ``match_payment(doc, open_invoices)``."""
    candidates = [i for i in invoices if i.customer_inn == payment.payer_inn]
    if not candidates:
        return Match(None, f"Нет открытых счетов покупателя с ИНН {payment.payer_inn or '—'}")
    mentioned = set(invoice_numbers(payment.purpose))
    by_number = [i for i in candidates if i.number in mentioned]
    if len(by_number) == 1:
        invoice = by_number[0]
        if payment.amount_kop == invoice.due_kop:
            return Match(invoice.id, f"Счёт № {invoice.number}: совпали номер, ИНН и сумма")
        if payment.amount_kop < invoice.due_kop:
            return Match(invoice.id, f"Счёт № {invoice.number}: частичная оплата", partial=True)
        return Match(None, f"Счёт № {invoice.number}: сумма платежа больше остатка к оплате")
    if len(by_number) > 1:
        return Match(None, "В назначении платежа несколько счетов — разнесите вручную")
    same_amount = [i for i in candidates if i.due_kop == payment.amount_kop]
    if len(same_amount) == 1:
        return Match(same_amount[0].id, f"Счёт № {same_amount[0].number}: совпали ИНН и сумма (номер не указан)")
    return Match(None, "Счёт не определён: в назначении нет номера открытого счёта, сумма не совпадает однозначно")
