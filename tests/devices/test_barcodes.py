"""Barcode interpretation: GS1 codes through biip, the company's own codes, refusals with the reason."""

from __future__ import annotations

import datetime as dt

import pytest

from devices.barcodes import (
    BadgeCode,
    BarcodeError,
    CellCode,
    DocumentCode,
    ItemCode,
    PackageCode,
    TaskCode,
    badge_barcode,
    cell_barcode,
    company_code,
    interpret,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("4601234567893", ItemCode(gtin="4601234567893")),
        ("46012340", ItemCode(gtin="46012340")),
        ("04601234567893", ItemCode(gtin="04601234567893")),
        ("346012340000000018", PackageCode(sscc="346012340000000018")),
        ("00346012340000000018", PackageCode(sscc="346012340000000018")),
        (
            "]d2010460123456789317261200103ABC\x1d3712",
            ItemCode(gtin="04601234567893", lot="3ABC", expiry=dt.date(2026, 12, 31), count=12),
        ),
        ("]C10104601234567893\x1d21SN-77", ItemCode(gtin="04601234567893", serial="SN-77")),
        ("0204601234567893\x1d3740\x1d00346012340000000018", PackageCode("346012340000000018", "04601234567893", 40)),
        (cell_barcode(900), CellCode(900)),
        (badge_barcode(7), BadgeCode(7)),
        (company_code("task", 1234), TaskCode(1234)),
        (company_code("document", 55), DocumentCode(55)),
    ],
)
def test_codes_are_read(code, expected):
    assert interpret(code) == expected


@pytest.mark.parametrize(
    ("code", "reason", "message"),
    [
        ("4601234567894", "check_digit", "Неверная контрольная цифра штрихкода 4601234567894"),
        ("346012340000000019", "check_digit", "Неверная контрольная цифра SSCC"),
        ("0104601234567894", "check_digit", "Неверная контрольная цифра GTIN 04601234567894"),
        ("2100000009009", "check_digit", "Неверная контрольная цифра"),
        ("2900000000013", "restricted_range", "из внутреннего диапазона"),
        ("привет", "unknown_format", "не распознан"),
        ("", "empty", "Пустой штрихкод"),
        ("10ABC", "no_gtin", "нет ни GTIN"),
    ],
)
def test_bad_codes_are_refused_with_the_reason(code, reason, message):
    with pytest.raises(BarcodeError) as caught:
        interpret(code)
    assert caught.value.reason == reason
    assert message in caught.value.message


def test_company_codes_are_valid_ean13_with_prefixes():
    assert cell_barcode(1) == "2100000000012"
    assert badge_barcode(1).startswith("22")
    with pytest.raises(ValueError, match="ten digits"):
        company_code("cell", 10**10)
