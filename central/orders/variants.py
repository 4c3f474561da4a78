"""Fulfilment variants of an order with short lines (ORD-4), each with its shipments and dates.

The manager agrees one of them with the customer; the agreed variant becomes the confirmed order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from central.orders.availability import LineAvailability

PARTIAL = "Частичное исполнение: наличие сейчас, остальное по мере поступления"
SUBSTITUTE = "Замена номенклатуры: дефицитные позиции заменяются аналогами из наличия"
VariantKind = Literal["complete", "partial", "wait", "substitute"]


@dataclass(frozen=True)
class Shipment:
    on: date | None  # None: the date is not known yet (no supply and no lead time)
    lines: tuple[tuple[str, int], ...]  # (sku, qty)


@dataclass(frozen=True)
class Variant:
    kind: VariantKind
    title: str
    shipments: tuple[Shipment, ...]

    @property
    def last_date(self) -> date | None:
        dates = [s.on for s in self.shipments]
        return None if None in dates else max(d for d in dates if d is not None)


def variants(
    lines: dict[str, LineAvailability], today: date, substitutes: dict[str, tuple[str, int]] | None = None
) -> list[Variant]:
    """The variants that make sense for the order: ``variants({"K-40": check_line(...)}, today)``.

    ``substitutes`` maps a short sku to an analogue and its free quantity, for the change-of-items variant.
    """
    if all(a.complete for a in lines.values()):
        everything = tuple((sku, a.requested) for sku, a in lines.items())
        return [Variant("complete", "Полное исполнение: всё в наличии, отгрузка сразу", (Shipment(today, everything),))]
    result: list[Variant] = []
    all_at_once = tuple((sku, a.requested) for sku, a in lines.items())
    wait_date = _latest(a.eta for a in lines.values() if not a.complete)
    wait_title = "Ожидание полной комплектации: одна отгрузка" + (
        f" {wait_date:%d.%m.%Y}" if wait_date else ", срок поступления не определён"
    )
    result.append(Variant("wait", wait_title, (Shipment(wait_date, all_at_once),)))
    now = tuple((sku, a.available_now) for sku, a in lines.items() if a.available_now)
    if now:
        later_by_date: dict[date | None, list[tuple[str, int]]] = {}
        for sku, a in lines.items():
            if a.short:
                later_by_date.setdefault(a.eta, []).append((sku, a.short))
        later = tuple(Shipment(on, tuple(items)) for on, items in sorted(later_by_date.items(), key=_date_key))
        result.append(
            Variant(
                "partial",
                "Частичное исполнение: наличие сейчас, остальное по мере поступления",
                (Shipment(today, now), *later),
            )
        )
    swap = _substitution(lines, substitutes or {})
    if swap is not None:
        result.append(
            Variant(
                "substitute",
                "Замена номенклатуры: дефицитные позиции заменяются аналогами из наличия",
                (Shipment(today, swap),),
            )
        )
    return result


def _substitution(
    lines: dict[str, LineAvailability], substitutes: dict[str, tuple[str, int]]
) -> tuple[tuple[str, int], ...] | None:
    shipment: list[tuple[str, int]] = []
    for sku, a in lines.items():
        if a.available_now:
            shipment.append((sku, a.available_now))
        if a.short:
            analogue = substitutes.get(sku)
            if analogue is None or analogue[1] < a.short:
                return None
            shipment.append((analogue[0], a.short))
    return tuple(shipment)


def _latest(dates: Iterable[date | None]) -> date | None:
    values = list(dates)
    if not values or any(d is None for d in values):
        return None
    return max(d for d in values if d is not None)


def _date_key(entry: tuple[date | None, list[tuple[str, int]]]) -> tuple[bool, date]:
    return (entry[0] is None, entry[0] or date.max)
