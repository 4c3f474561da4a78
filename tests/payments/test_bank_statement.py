"""A real-format 1CClientBankExchange statement (cp1251, CRLF) is read exactly, or refused with the line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from central.payments.bank_statement import StatementError, parse_statement
from central.payments.matching import OpenInvoice, invoice_numbers, match_payment

STATEMENT = Path(__file__).parent.parent / "fixtures" / "statement_2026-11-22.txt"


def test_reads_every_document_to_the_kopeck():
    statement = parse_statement(STATEMENT.read_bytes())
    assert statement.accounts == ("40702810938000012345",)
    assert statement.start == date(2026, 11, 20)
    assert [(d.number, d.amount_kop) for d in statement.documents] == [
        ("512", 12_200_000),
        ("77", 6_407_550),
        ("9001", 1_200_000),
    ]
    incoming = statement.incoming()
    assert [d.number for d in incoming] == ["512", "77"]
    first = incoming[0]
    assert first.payer_inn == "7707083893"
    assert first.payer_name == 'ООО "СтройМаркет"'
    assert first.received == date(2026, 11, 20)
    assert "№ 1042" in first.purpose


def test_fingerprint_is_stable_across_reimports():
    once = [d.fingerprint for d in parse_statement(STATEMENT.read_bytes()).documents]
    again = [d.fingerprint for d in parse_statement(STATEMENT.read_bytes()).documents]
    assert once == again
    assert len(set(once)) == 3


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("1CClientBankExchange", "Hello", 1), "Это не выписка 1CClientBankExchange"),
        (lambda t: t.replace("КонецФайла\r\n", ""), "Нет строки «КонецФайла»"),
        (lambda t: t.replace("Сумма=64075.50", "Сумма=64075.505"), "сумма должна быть положительной, до копеек"),
        (lambda t: t.replace("Сумма=64075.50", "Сумма=много"), "«Сумма=много» — не число"),
        (lambda t: t.replace("Дата=21.11.2026", "Дата=2026-11-21"), "не дата ДД.ММ.ГГГГ"),
        (lambda t: t[: t.index("КонецДокумента")], "Документ со строки 20 не закончен: файл обрезан"),
    ],
)
def test_bad_files_are_refused_with_the_reason(mutate, message):
    text = STATEMENT.read_bytes().decode("cp1251")
    with pytest.raises(StatementError, match=message):
        parse_statement(mutate(text).encode("cp1251"))


def test_invoice_numbers_in_purposes():
    assert invoice_numbers("Оплата по счету № 1042 от 18.11.2026") == ["1042"]
    assert invoice_numbers("по сч.№17-А за товар") == ["17-А"]
    assert invoice_numbers("Оплата за товар, в т.ч. НДС 22%") == []


def test_matching_by_number_inn_amount_then_inn_amount():
    incoming = parse_statement(STATEMENT.read_bytes()).incoming()
    invoices = [
        OpenInvoice(1, "1042", "7707083893", 12_200_000),
        OpenInvoice(2, "1043", "7707083893", 5_000_000),
        OpenInvoice(3, "1050", "500100732259", 6_407_550),
    ]
    first = match_payment(incoming[0], invoices)
    assert (first.invoice_id, first.reason) == (1, "Счёт № 1042: совпали номер, ИНН и сумма")
    second = match_payment(incoming[1], invoices)
    assert second.invoice_id == 3
    assert "номер не указан" in second.reason


def test_unmatched_payments_say_why():
    doc = parse_statement(STATEMENT.read_bytes()).incoming()[0]
    assert match_payment(doc, []).reason == "Нет открытых счетов покупателя с ИНН 7707083893"
    over = match_payment(doc, [OpenInvoice(1, "1042", "7707083893", 100)])
    assert over.invoice_id is None
    assert over.reason == "Счёт № 1042: сумма платежа больше остатка к оплате"
    partial = match_payment(doc, [OpenInvoice(1, "1042", "7707083893", 99_999_999)])
    assert partial.partial and partial.invoice_id == 1
