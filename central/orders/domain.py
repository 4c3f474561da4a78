"""Order rules without I/O: pricing against the cost floor, what a fulfilment variant reserves, line states.

The service reads the state of each item (stock per warehouse, reservations, inbound with dates, lead time),
these functions decide, and the service writes. Refusals carry a Russian message for the manager and the
HTTP status the API answers with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from central.orders.availability import Inbound, ItemSupply, LineAvailability, check_line
from central.orders.variants import Variant, VariantKind, variants

RESERVATION_TERM_DAYS = 10  # a reservation lasts this long after the day its units are due to ship
VARIANT_KINDS: tuple[VariantKind, ...] = ("complete", "partial", "wait", "substitute")
VARIANT_TITLES = {
    "complete": "полное исполнение",
    "partial": "частичное исполнение",
    "wait": "ожидание полной комплектации",
    "substitute": "замена номенклатуры",
}


class OrderRefused(Exception):
    """A refused command; ``status`` is the HTTP answer (422 bad input), ``message`` is for the manager."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(OrderRefused):
    status = 404


class Forbidden(OrderRefused):
    status = 403


class Conflict(OrderRefused):
    """The data changed or the order is in the wrong state: reload and decide again."""

    status = 409


def rubles(kop: int) -> str:
    """``rubles(123456) == "1 234,56 ₽"`` (non-breaking thin spaces left out for plain JSON)."""
    sign = "-" if kop < 0 else ""
    whole, part = divmod(abs(kop), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{part:02d} ₽"


def check_price(sku: str, price_kop: int | None, planned_cost_kop: int) -> int:
    """The line's price if it may be sold at it (PRICE-1): no price, or a price below planned cost, is refused."""
    if price_kop is None:
        raise OrderRefused(f"Для {sku} нет цены в прайс-листе клиента: обратитесь к коммерческому директору")
    if price_kop < planned_cost_kop:
        raise OrderRefused(
            f"Продажа ниже плановой себестоимости запрещена: {sku} по цене {rubles(price_kop)} "
            f"при себестоимости {rubles(planned_cost_kop)}. Цену меняет коммерческий директор"
        )
    return price_kop


@dataclass(frozen=True)
class ItemState:
    """What central knows of one item right now, read by the service under the item's lock."""

    item_id: int
    sku: str
    name: str
    planned_cost_kop: int
    on_hand: Mapping[str, int] = field(default_factory=dict)  # warehouse code -> units in its cells
    reserved: Mapping[str, int] = field(default_factory=dict)  # warehouse code -> units reserved from stock
    inbound: tuple[Inbound, ...] = ()  # what is still unpromised of each open supply / production task
    lead_time_days: int | None = None

    def free_at(self, site: str) -> int:
        return max(self.on_hand.get(site, 0) - self.reserved.get(site, 0), 0)

    @property
    def free(self) -> int:
        return sum(self.free_at(site) for site in self.on_hand)

    def supply(self) -> ItemSupply:
        on_hand = sum(self.on_hand.values())
        return ItemSupply(on_hand, on_hand - self.free, self.inbound, 0, self.lead_time_days)


@dataclass(frozen=True)
class PlannedReservation:
    line_sku: str  # the order line it belongs to (an analogue's line for a substitution)
    sku: str
    site: str
    qty: int
    source: str  # "stock:W1", "supply:ПЗ-00012", "production:ПР-00101"
    expires_on: dt.date  # the reservation ends at the end of this day


@dataclass(frozen=True)
class Plan:
    variant: Variant
    checks: dict[str, LineAvailability]
    reservations: tuple[PlannedReservation, ...]
    substitutions: tuple[tuple[str, str, int], ...] = ()  # (short sku, analogue sku, qty moved to the analogue)

    @property
    def deadline(self) -> dt.date | None:
        return self.variant.last_date


def check_order(
    requested: Mapping[str, int], states: Mapping[str, ItemState], today: dt.date
) -> dict[str, LineAvailability]:
    """The stock check of every line (ORD-2): ``check_order({"K-1": 5}, states, today)``."""
    return {sku: check_line(qty, states[sku].supply(), today) for sku, qty in requested.items()}


def _shortage(checks: Mapping[str, LineAvailability]) -> str:
    parts = [f"{sku} — не хватает {a.short} шт. (свободно {a.available_now})" for sku, a in checks.items() if a.short]
    return "; ".join(parts)


def plan_confirmation(
    kind: str,
    requested: Mapping[str, int],
    states: Mapping[str, ItemState],
    today: dt.date,
    home: str,
    substitutes: Mapping[str, str] | None = None,
) -> Plan:
    """What confirming with the customer's chosen variant reserves now (ORD-4, ORD-5).

    complete — every line from stock; partial and wait — what is free from stock, the rest against open supply
    orders and production tasks in order of arrival (what nothing covers stays in the deficit statement);
    substitute — what is free from stock, the short part replaced by the named analogues from stock.
    ``home`` is the warehouse that receives supplies and production. Raises ``Conflict`` when the stock no
    longer allows the variant (someone reserved it first) and ``OrderRefused`` for a wrong request.
    """
    if kind not in VARIANT_KINDS:
        raise OrderRefused("Вариант исполнения должен быть одним из: complete, partial, wait, substitute")
    substitutes = dict(substitutes or {})
    checks = check_order(requested, states, today)
    offered: dict[str, Variant] = {}
    swap_free: dict[str, tuple[str, int]] = {}
    if kind == "substitute":
        if not substitutes:
            raise OrderRefused("Для замены номенклатуры укажите аналоги: {«артикул»: «артикул аналога»}")
        for short_sku, analogue in substitutes.items():
            if short_sku not in requested:
                raise OrderRefused(f"В заказе нет позиции {short_sku}, которую заменяет аналог")
            if analogue in requested:
                raise OrderRefused(f"Аналог {analogue} уже есть в заказе: измените количество этой строки")
            if analogue not in states:
                raise OrderRefused(f"Аналог {analogue} не найден в номенклатуре")
        used: dict[str, int] = {}
        for short_sku, analogue in substitutes.items():
            share = states[analogue].free - used.get(analogue, 0)
            swap_free[short_sku] = (analogue, share)
            used[analogue] = used.get(analogue, 0) + checks[short_sku].short
    for v in variants(checks, today, swap_free):
        offered[v.kind] = v
    if kind not in offered:
        raise Conflict(_not_offered(kind, checks, offered))
    variant = offered[kind]
    term = dt.timedelta(days=RESERVATION_TERM_DAYS)
    now_until = (variant.last_date or today) + term if kind == "wait" else today + term
    planned: list[PlannedReservation] = []
    moved: list[tuple[str, str, int]] = []
    for sku, check in checks.items():
        planned += _from_stock(sku, sku, check.available_now, states[sku], home, now_until)
        if not check.short or kind == "complete":
            continue
        if kind == "substitute":
            analogue = substitutes[sku]
            planned += _from_stock(analogue, analogue, check.short, states[analogue], home, now_until)
            moved.append((sku, analogue, check.short))
            continue
        left = check.short
        for inbound in sorted(states[sku].inbound, key=lambda i: (i.eta, i.source)):
            take = min(left, inbound.qty)
            if take > 0:
                planned.append(PlannedReservation(sku, sku, home, take, inbound.source, inbound.eta + term))
                left -= take
            if left == 0:
                break
    return Plan(variant, checks, tuple(planned), tuple(moved))


def _from_stock(line: str, sku: str, qty: int, state: ItemState, home: str, until: dt.date) -> list[PlannedReservation]:
    """Take ``qty`` from the warehouses' free stock, the home warehouse first, then by code."""
    out: list[PlannedReservation] = []
    left = qty
    for site in sorted(state.on_hand, key=lambda code: (code != home, code)):
        take = min(left, state.free_at(site))
        if take > 0:
            out.append(PlannedReservation(line, sku, site, take, f"stock:{site}", until))
            left -= take
    if left:
        raise Conflict(f"Свободного остатка {sku} не хватает: нужно ещё {left} шт. Обновите заказ и выберите вариант")
    return out


def _not_offered(kind: str, checks: Mapping[str, LineAvailability], offered: Mapping[str, Variant]) -> str:
    now = ", ".join(VARIANT_TITLES[k] for k in offered) or "нет"
    if kind == "complete":
        head = "Полное исполнение сейчас невозможно: свободного остатка не хватает"
        return f"{head}: {_shortage(checks)}. Доступные варианты: {now}"
    if kind == "partial":
        return f"Частичное исполнение невозможно: ничего из заказа нет в свободном остатке. Доступные варианты: {now}"
    if kind == "substitute":
        return f"Замена невозможна: аналогов в свободном остатке не хватает. Доступные варианты: {now}"
    return f"Ожидание полной комплектации не нужно: всё есть в наличии. Доступные варианты: {now}"


@dataclass(frozen=True)
class HeldPortion:
    """An active reservation of a line: from stock (``eta`` None) or against an inbound (its date)."""

    source: str
    qty: int
    eta: dt.date | None


def confirmed_line(
    qty: int, held: Sequence[HeldPortion], lead_time_days: int | None, today: dt.date
) -> LineAvailability:
    """The state of a confirmed line from its reservations: what waits in stock, and when the rest arrives.

    The rest is covered by its reservations against supplies and production in order of arrival; what they
    do not cover gets the lead time from today, else no date.
    """
    now = min(qty, sum(p.qty for p in held if p.eta is None))
    short = qty - now
    if short == 0:
        return LineAvailability(qty, now, 0, None, None)
    covered = 0
    for portion in sorted((p for p in held if p.eta is not None), key=lambda p: (p.eta, p.source)):
        covered += portion.qty
        if covered >= short:
            return LineAvailability(qty, now, short, portion.eta, portion.source)
    if lead_time_days is not None:
        return LineAvailability(qty, now, short, today + dt.timedelta(days=lead_time_days), "lead_time")
    return LineAvailability(qty, now, short, None, None)
