"""Money as Russian documents print it: VAT inside a price, the amount in words, the payment QR code.

All amounts are integer kopecks; rounding is half-up to the kopeck, per line, as 1C does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import segno
from num2words import num2words

STANDARD_VAT_PERCENT = 22  # the Russian standard rate from 1 January 2026


def vat_included(amount_kop: int, rate_percent: int = STANDARD_VAT_PERCENT) -> int:
    """VAT inside a VAT-inclusive amount: ``vat_included(12_200_000, 22) == 2_200_000``."""
    vat = Decimal(amount_kop) * rate_percent / (100 + rate_percent)
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_on_top(amount_kop: int, rate_percent: int = STANDARD_VAT_PERCENT) -> int:
    """VAT added to a net amount: ``vat_on_top(10_000_000, 22) == 2_200_000``."""
    vat = Decimal(amount_kop) * rate_percent / 100
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for ``n``: ``plural(21, "рубль", "рубля", "рублей") == "рубль"``."""
    n = abs(n) % 100
    if 11 <= n <= 14:
        return many
    return {1: one, 2: few, 3: few, 4: few}.get(n % 10, many)


def amount_in_words(amount_kop: int) -> str:
    """``amount_in_words(12_200_050)`` → «Сто двадцать две тысячи рублей 50 копеек», as invoices print it."""
    if amount_kop < 0:
        raise ValueError("an amount in words must not be negative")
    rubles, kopecks = divmod(amount_kop, 100)
    words = num2words(rubles, lang="ru")
    ruble_word = plural(rubles, "рубль", "рубля", "рублей")
    text = f"{words} {ruble_word} {kopecks:02d} {plural(kopecks, 'копейка', 'копейки', 'копеек')}"
    return text[0].upper() + text[1:]


def format_rub(amount_kop: int) -> str:
    """``format_rub(12_200_050) == "122 000,50"``: thin-spaced thousands, comma before kopecks."""
    rubles, kopecks = divmod(abs(amount_kop), 100)
    sign = "-" if amount_kop < 0 else ""
    return f"{sign}{rubles:,}".replace(",", "\u00a0") + f",{kopecks:02d}"


@dataclass(frozen=True)
class Payee:
    """The seller's bank requisites, as the payment QR code carries them."""

    name: str
    account: str
    bank_name: str
    bik: str
    correspondent_account: str
    inn: str
    kpp: str


def payment_qr_payload(payee: Payee, amount_kop: int, purpose: str) -> str:
    """The GOST R 56042-2014 string a banking app reads: ``ST00012|Name=…|…|Sum=12200000``."""
    fields = [
        ("Name", payee.name),
        ("PersonalAcc", payee.account),
        ("BankName", payee.bank_name),
        ("BIC", payee.bik),
        ("CorrespAcc", payee.correspondent_account),
        ("PayeeINN", payee.inn),
        ("KPP", payee.kpp),
        ("Purpose", purpose),
        ("Sum", str(amount_kop)),
    ]
    # "ST0001" + "2" declares UTF-8; "|" separates fields, so it may not appear inside a value.
    return "ST00012|" + "|".join(f"{key}={value.replace('|', '/')}" for key, value in fields if value)


def payment_qr_svg(payload: str, scale: int = 3) -> str:
    """The QR code as inline SVG for the invoice: ``payment_qr_svg(payment_qr_payload(...))``."""
    return str(segno.make_qr(payload, error="m", encoding="utf-8").svg_inline(scale=scale))
