"""Rules of transport and shipping documents, free of I/O: a carrier's price, a van's load, the documents' figures.

Distances are as the route optimizer counts them (``central.dispatch.routing``): the great circle from the
warehouse times the road factor, rounded up to the metre; a carrier charges whole kilograms and kilometres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from central.documents.money import format_rub, vat_included
from optimizer.routes.distance import Place, haversine_m

ROAD_FACTOR = 1.3  # the same factor the route proposals use
DOCUMENT_TITLES = {"torg12": "ТОРГ-12", "upd": "УПД", "waybill": "Транспортная накладная"}


class Refused(ValueError):
    """A logistics action refused; ``status`` is the HTTP status, the message is Russian, for the logistician."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def road_metres(depot: Place, to: Place) -> int:
    """Road metres from the warehouse: ``road_metres(Place(55.7558, 37.6173), Place(55.8558, 37.6173)) == 14456``."""
    return math.ceil(haversine_m(depot, to) * ROAD_FACTOR)


def carrier_cost(base_kop: int, per_kg_kop: int, per_km_kop: int, weight_g: int, metres: int) -> int:
    """A carrier's price: base + per started kg + per started km: ``carrier_cost(150_000, 2_500, 4_000, 5_400,
    14_456) == 225_000``."""
    return base_kop + per_kg_kop * -(-weight_g // 1000) + per_km_kop * -(-metres // 1000)


def kg(weight_g: int) -> str:
    """``kg(1_234_500) == "1 234,5"`` — a load as the page prints it."""
    return f"{weight_g / 1000:,.1f}".replace(",", "\u00a0").replace(".", ",")


def van_overload(
    plate: str, day: str, cap_kg: int, cap_m3_milli: int, loaded_g: int, loaded_cm3: int, weight_g: int, volume_cm3: int
) -> str | None:
    """Why the van cannot take the shipment on that day, or None: both weight and volume must fit."""
    if loaded_g + weight_g > cap_kg * 1000:
        return (
            f"Машина {plate} на {day} перегружена по весу: {kg(loaded_g + weight_g)} кг при грузоподъёмности "
            f"{kg(cap_kg * 1000)} кг (уже загружено {kg(loaded_g)} кг)"
        )
    if loaded_cm3 + volume_cm3 > cap_m3_milli * 1000:
        total = f"{(loaded_cm3 + volume_cm3) / 1_000_000:.3f}".replace(".", ",")
        cap = f"{cap_m3_milli / 1000:.3f}".replace(".", ",")
        return f"Машина {plate} на {day} перегружена по объёму: {total} м³ при вместимости {cap} м³"
    return None


@dataclass(frozen=True)
class Line:
    """One line of a shipping document: quantity and VAT-inclusive price as the order has them."""

    sku: str
    name: str
    uom: str
    qty: int
    price_kop: int  # VAT included, as the order's lines keep prices
    weight_g: int
    volume_cm3: int = 0

    @property
    def total_kop(self) -> int:
        return self.qty * self.price_kop


@dataclass(frozen=True)
class Figures:
    """A document's money: per line and totals, VAT inside the prices at ``vat_percent``, to the kopeck."""

    rows: list[dict[str, str | int]]
    net_kop: int
    vat_kop: int
    total_kop: int
    qty: int
    weight_g: int


def shipped(lines: list[Line], picked: dict[str, int] | None) -> list[Line]:
    """What leaves: the order's lines, or — when the site reported its pick — the units picked per SKU, spread
    over the order's lines of that SKU in order; a line nothing was picked for is left out."""
    if picked is None:
        return lines
    left = dict(picked)
    out = []
    for line in lines:
        qty = min(line.qty, max(0, left.get(line.sku, 0)))
        left[line.sku] = left.get(line.sku, 0) - qty
        if qty:
            out.append(replace(line, qty=qty))
    return out


def figures(lines: list[Line], vat_percent: int) -> Figures:
    """Per line: net price and sum, VAT (half-up per line, as 1C), total; totals are the lines' sums."""
    rows: list[dict[str, str | int]] = []
    net_sum = vat_sum = total_sum = 0
    for n, line in enumerate(lines, start=1):
        total = line.total_kop
        vat = vat_included(total, vat_percent)
        net = total - vat
        rows.append(
            {
                "n": n,
                "sku": line.sku,
                "name": line.name,
                "uom": line.uom,
                "qty": line.qty,
                "price": format_rub((2 * net + line.qty) // (2 * line.qty)),  # half-up, integers only
                "net": format_rub(net),
                "vat_rate": f"{vat_percent} %",
                "vat": format_rub(vat),
                "total": format_rub(total),
                "weight": kg(line.weight_g * line.qty),
            }
        )
        net_sum, vat_sum, total_sum = net_sum + net, vat_sum + vat, total_sum + total
    return Figures(rows, net_sum, vat_sum, total_sum, sum(x.qty for x in lines), sum(x.qty * x.weight_g for x in lines))
