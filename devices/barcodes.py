"""What a scanned code is: a GS1 item or package code (through biip), or one of the company's own codes.

Company codes are EAN-13 in GS1's restricted-circulation range, so they survive any scanner setting and
any keyboard layout (digits only): ``21`` + 10-digit cell id, ``22`` badge, ``23`` task, ``24`` document,
then the check digit. Anything else must be a valid GS1 code; an unknown or invalid code is refused with
the reason, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from biip import ParseError
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.sscc import Sscc
from biip.symbology import SymbologyIdentifier
from stdnum import ean

GS = "\x1d"
COMPANY_PREFIXES = {"21": "cell", "22": "badge", "23": "task", "24": "document"}


class BarcodeError(ValueError):
    """An unreadable code: ``reason`` for machines, ``message`` (Russian) for the operator."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class ItemCode:
    gtin: str
    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    count: int | None = None


@dataclass(frozen=True)
class PackageCode:
    sscc: str
    content_gtin: str | None = None
    count: int | None = None


@dataclass(frozen=True)
class CellCode:
    cell_id: int


@dataclass(frozen=True)
class BadgeCode:
    number: int


@dataclass(frozen=True)
class TaskCode:
    number: int


@dataclass(frozen=True)
class DocumentCode:
    number: int


Interpretation = ItemCode | PackageCode | CellCode | BadgeCode | TaskCode | DocumentCode
CompanyCode = CellCode | BadgeCode | TaskCode | DocumentCode
_COMPANY: dict[str, type[CompanyCode]] = {
    "cell": CellCode,
    "badge": BadgeCode,
    "task": TaskCode,
    "document": DocumentCode,
}


def company_code(kind: str, number: int) -> str:
    """The EAN-13 of a company object: ``company_code("cell", 15) == "2100000000150"``-like, check digit included."""
    prefix = next(p for p, k in COMPANY_PREFIXES.items() if k == kind)
    if not 0 <= number < 10**10:
        raise ValueError(f"{kind} number {number} does not fit ten digits")
    body = f"{prefix}{number:010d}"
    return body + ean.calc_check_digit(body)


def cell_barcode(cell_id: int) -> str:
    """``cell_barcode(1)``: the cell's label code."""
    return company_code("cell", cell_id)


def badge_barcode(number: int) -> str:
    """``badge_barcode(1)``: a staff or worker badge."""
    return company_code("badge", number)


def interpret(code: str) -> Interpretation:
    """Read a scanned code: ``interpret("4601234567893")`` → ``ItemCode(gtin="4601234567893")``."""
    raw = code.strip("\r\n")
    if not raw:
        raise BarcodeError("empty", "Пустой штрихкод")
    text = _strip_symbology(raw)
    if text.isdigit():
        return _numeric(text, raw)
    return _gs1_message(text, raw)


def _strip_symbology(code: str) -> str:
    if code.startswith("]") and len(code) > 3:
        try:
            SymbologyIdentifier.extract(code)
        except ParseError:
            return code
        return code[3:]
    return code


def _numeric(text: str, raw: str) -> Interpretation:
    if len(text) == 13 and text[:2] in COMPANY_PREFIXES:
        _check_digit(text, raw)
        company: Interpretation = _COMPANY[COMPANY_PREFIXES[text[:2]]](int(text[2:12]))
        return company
    if len(text) == 13 and text[0] == "2":
        raise BarcodeError("restricted_range", f"Штрихкод {raw} из внутреннего диапазона 2x не используется")
    if len(text) in (8, 12, 13, 14):
        _check_digit(text, raw)
        return ItemCode(gtin=text)
    if len(text) == 18:
        return PackageCode(sscc=_sscc(text, raw))
    if len(text) > 14:
        return _gs1_message(text, raw)
    raise BarcodeError("unknown_format", f"Неизвестный формат штрихкода {raw}")


def _check_digit(digits: str, raw: str) -> None:
    if ean.calc_check_digit(digits[:-1]) != digits[-1]:
        raise BarcodeError("check_digit", f"Неверная контрольная цифра штрихкода {raw}")


def _sscc(value: str, raw: str) -> str:
    try:
        Sscc.parse(value)
    except ParseError as error:
        raise BarcodeError("check_digit", f"Неверная контрольная цифра SSCC в штрихкоде {raw}") from error
    return value


def _gs1_message(text: str, raw: str) -> Interpretation:
    try:
        message = GS1Message.parse(text)  # biip splits variable-length fields on GS (0x1D) by default
    except ParseError as error:
        raise BarcodeError(
            "unknown_format", f"Штрихкод {raw!r} не распознан: это не GS1 и не код предприятия"
        ) from error
    values = {element.ai.ai: element.value for element in message.element_strings}
    count = int(values["37"]) if "37" in values else None
    gtin = values.get("01") or values.get("02")
    if gtin is not None:
        try:
            Gtin.parse(gtin)
        except ParseError as error:
            raise BarcodeError("check_digit", f"Неверная контрольная цифра GTIN {gtin} в штрихкоде") from error
    if "00" in values:
        return PackageCode(sscc=_sscc(values["00"], raw), content_gtin=values.get("02"), count=count)
    if gtin is None:
        raise BarcodeError("no_gtin", f"В штрихкоде GS1 нет ни GTIN (01), ни SSCC (00): {raw!r}")
    expiry = None
    if "17" in values:
        yy, mm, dd = int(values["17"][:2]), int(values["17"][2:4]), int(values["17"][4:6])
        expiry = _expiry(2000 + yy, mm, dd, raw)
    return ItemCode(gtin=gtin, lot=values.get("10"), serial=values.get("21"), expiry=expiry, count=count)


def _expiry(year: int, month: int, day: int, raw: str) -> dt.date:
    if not 1 <= month <= 12:
        raise BarcodeError("bad_date", f"Неверный срок годности в штрихкоде {raw!r}")
    if day == 0:  # GS1: day 00 means the last day of the month
        next_month = dt.date(year + month // 12, month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise BarcodeError("bad_date", f"Неверный срок годности в штрихкоде {raw!r}") from error
