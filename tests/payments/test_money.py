"""Money texts on invoices: VAT to the kopeck, the amount in words, the GOST R 56042 payment QR code."""

from __future__ import annotations

import pytest

from central.documents.money import (
    Payee,
    amount_in_words,
    format_rub,
    payment_qr_payload,
    payment_qr_svg,
    plural,
    vat_included,
    vat_on_top,
)


@pytest.mark.parametrize(
    ("amount", "vat"),
    [(12_200_000, 2_200_000), (100, 18), (1, 0), (3, 1), (6_407_550, 1_155_460)],
)
def test_vat_inside_a_price_rounds_half_up_to_the_kopeck(amount, vat):
    assert vat_included(amount, 22) == vat


def test_vat_on_top_and_other_rates():
    assert vat_on_top(10_000_000) == 2_200_000
    assert vat_included(11_000, 10) == 1_000
    assert vat_included(11_000, 0) == 0


@pytest.mark.parametrize(
    ("kop", "words"),
    [
        (12_200_050, "Сто двадцать две тысячи рублей 50 копеек"),
        (6_407_551, "Шестьдесят четыре тысячи семьдесят пять рублей 51 копейка"),
        (101, "Один рубль 01 копейка"),
        (2_102, "Двадцать один рубль 02 копейки"),
        (1_112, "Одиннадцать рублей 12 копеек"),
        (0, "Ноль рублей 00 копеек"),
    ],
)
def test_amount_in_words(kop, words):
    assert amount_in_words(kop) == words


def test_plural_forms():
    assert [plural(n, "штука", "штуки", "штук") for n in (1, 2, 5, 11, 21, 22, 111, 104)] == [
        "штука", "штуки", "штук", "штук", "штука", "штуки", "штук", "штуки"
    ]  # fmt: skip


def test_format_rub():
    assert format_rub(12_200_050) == "122\u00a0000,50"
    assert format_rub(-5) == "-0,05"


PAYEE = Payee(
    name='ООО "Стокъярд Производство"',
    account="40702810938000012345",
    bank_name="ПАО СБЕРБАНК",
    bik="044525225",
    correspondent_account="30101810400000000225",
    inn="5001012345",
    kpp="500101001",
)


def test_payment_qr_payload_is_gost_r_56042():
    payload = payment_qr_payload(PAYEE, 12_200_000, "Оплата по счёту № 1042 от 18.11.2026 | НДС 22%")
    assert payload == (
        'ST00012|Name=ООО "Стокъярд Производство"|PersonalAcc=40702810938000012345|BankName=ПАО СБЕРБАНК'
        "|BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=5001012345|KPP=500101001"
        "|Purpose=Оплата по счёту № 1042 от 18.11.2026 / НДС 22%|Sum=12200000"
    )
    assert payment_qr_svg(payload).startswith("<svg")
