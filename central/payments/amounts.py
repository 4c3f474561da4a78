"""Roubles as an accountant types them, read exactly into kopecks: ``parse_rub("12 345,67") == 1_234_567``."""

from __future__ import annotations

import re

# Thousands may be grouped by a space, a no-break space, a narrow no-break space or a thin space (what
# 1C and Excel put in when a figure is copied); kopecks follow a comma or a point, one or two digits.
_GROUPS = "[ \u00a0\u202f\u2009]"
_AMOUNT = re.compile(rf"(?P<rub>\d{{1,3}}(?:{_GROUPS}\d{{3}})+|\d+)(?:[,.](?P<kop>\d{{1,2}}))?", re.ASCII)
MAX_DIGITS = 13  # 99 999 999 999 999,99 ₽ fits a BigInteger with room; a longer figure is a typing slip


class AmountError(ValueError):
    """The text is not an amount of money; the message is Russian, for the form."""


def parse_rub(text: str) -> int:
    """Kopecks of a positive amount in roubles: ``parse_rub("0,01") == 1``, ``parse_rub("1 000") == 100_000``."""
    cleaned = text.strip().removesuffix("₽").removesuffix("руб.").strip()
    found = _AMOUNT.fullmatch(cleaned)
    if found is None:
        raise AmountError(f"«{text[:40]}» — не сумма: нужны рубли и копейки, например 12 345,67")
    rubles = re.sub(_GROUPS, "", found["rub"])
    if len(rubles.lstrip("0")) > MAX_DIGITS:
        raise AmountError(f"«{text[:40]}» — слишком большая сумма")
    kopecks = int(rubles) * 100 + int((found["kop"] or "0").ljust(2, "0"))
    if kopecks <= 0:
        raise AmountError("Сумма должна быть больше нуля")
    return kopecks
