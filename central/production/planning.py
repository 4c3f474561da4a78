"""Production tasks from sales demand, from stock minimums, or by hand (ITEM-2, PROD-4).

A proposal is made for every finished or semi-finished item with a routing whose supply does not cover its
demand or its minimum:

- **supply** = free stock at ``W1``/``S1`` (on hand − active stock reservations) + units still to make by open
  production tasks − the part of that production already reserved for orders (reservations ``production:…``);
- **demand** = units of confirmed and picking orders' lines not yet covered by an active reservation;
- **for demand** = demand − supply, when positive; due date: the earliest deadline of those orders (today at the
  earliest);
- **for the minimum** = ``items.min_stock`` − what supply leaves after demand, when positive; due date: today +
  ``MINIMUM_DUE_DAYS`` when the proposal is for the minimum only.

The proposed quantity is the sum. Draft orders are not demand until they are confirmed. Semi-finished items that
open tasks consume show up in the deficit statement, not here.

By hand: ``create_task(conn, "ГП-01701", 40, "2026-12-10", today)`` gives the next number (``ПР-00121``) and
status ``planned``, or refuses with a Russian message (``TaskRefused``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, insert, select

from central.production import tasks as pt
from central.store import schema as s

MINIMUM_DUE_DAYS = 14
MAX_QTY = 1_000_000
DEMAND_STATUSES = ("confirmed", "picking")
NUMBER = re.compile(r"^ПР-(\d+)$")


class TaskRefused(ValueError):
    """A production task that cannot be created; the message is for the user."""


def proposals(conn: Connection, today: dt.date) -> list[dict[str, Any]]:
    """Proposed production tasks, demand first (by due date), then minimums.

    ``proposals(conn, date(2026, 11, 23))[0]`` → ``{"sku": "ГП-01780", "qty": 24, "due": "2026-11-27",
    "reason": "demand", "for_demand": 20, "for_minimum": 4, "orders": ["З-0002611"], …}``.
    """
    i = s.items.c
    items = {
        r.id: r
        for r in conn.execute(
            select(i.id, i.sku, i.name, i.kind, i.uom, i.min_stock).where(
                i.kind.in_(("finished", "semi_finished")), i.id.in_(select(s.routing_operations.c.item_id))
            )
        )
    }
    ids = list(items)
    hand, held = pt.on_hand(conn, ids), pt.reserved(conn, ids)
    making: dict[int, int] = defaultdict(int)
    for task in pt.load_tasks(conn, open_only=True):
        making[task.item_id] += task.to_make
    r = s.reservations.c
    promised = {
        int(item): int(qty)
        for item, qty in conn.execute(
            select(r.item_id, func.sum(r.qty))
            .where(r.status == "active", r.source.like("production:%"), r.item_id.in_(ids))
            .group_by(r.item_id)
        )
    }
    demand, orders = _demand(conn, ids)
    out = []
    for item_id, item in items.items():
        free = max(hand.get(item_id, 0) - held.get(item_id, 0), 0)
        supply = free + max(making[item_id] - promised.get(item_id, 0), 0)
        wanted = demand.get(item_id, 0)
        for_demand = max(wanted - supply, 0)
        for_minimum = max(item.min_stock - max(supply - wanted, 0), 0)
        if not for_demand and not for_minimum:
            continue
        short_orders = sorted(orders.get(item_id, []), key=lambda o: (o[1], o[0]))
        if for_demand:
            due = max(short_orders[0][1], today)
            reason = "demand"
            why = f"заказы покупателей ждут {wanted} {item.uom}, есть и делается {supply}"
            if for_minimum:
                why += f"; и до минимального остатка {item.min_stock} не хватает {for_minimum}"
        else:
            due = today + dt.timedelta(days=MINIMUM_DUE_DAYS)
            reason = "minimum"
            why = f"минимальный остаток {item.min_stock} {item.uom}, после заказов останется {max(supply - wanted, 0)}"
        out.append(
            {
                "sku": item.sku, "item_name": item.name, "kind": item.kind, "uom": item.uom,
                "qty": for_demand + for_minimum, "due": due.isoformat(), "reason": reason, "why": why,
                "for_demand": for_demand, "for_minimum": for_minimum, "demand": wanted,
                "on_hand": hand.get(item_id, 0), "reserved": held.get(item_id, 0), "free": free,
                "in_production": making[item_id], "production_reserved": promised.get(item_id, 0),
                "min_stock": item.min_stock, "orders": [number for number, _ in short_orders] if for_demand else [],
            }
        )  # fmt: skip
    out.sort(key=lambda p: (p["reason"] != "demand", p["due"], p["sku"]))
    return out


def _demand(conn: Connection, item_ids: list[int]) -> tuple[dict[int, int], dict[int, list[tuple[str, dt.date]]]]:
    """Unreserved units of open orders per item, and those orders (number, deadline) per item."""
    o, line, r = s.orders.c, s.order_lines.c, s.reservations.c
    held = (
        select(r.order_line_id, func.sum(r.qty).label("qty"))
        .where(r.status == "active")
        .group_by(r.order_line_id)
        .subquery()
    )
    demand: dict[int, int] = defaultdict(int)
    orders: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for item, qty, reserved_qty, number, deadline in conn.execute(
        select(line.item_id, line.qty, held.c.qty, o.number, o.deadline)
        .join(s.orders, o.id == line.order_id)
        .outerjoin(held, held.c.order_line_id == line.id)
        .where(o.status.in_(DEMAND_STATUSES), line.item_id.in_(item_ids))
    ):
        open_qty = int(qty) - int(reserved_qty or 0)
        if open_qty > 0:
            demand[int(item)] += open_qty
            orders[int(item)].append((number, deadline))
    return demand, orders


def next_number(conn: Connection) -> str:
    """The next task number in the company's format: ``ПР-`` and five digits (``ПР-00121``)."""
    numbers = conn.execute(select(s.production_tasks.c.number).where(s.production_tasks.c.number.like("ПР-%")))
    top = max((int(m.group(1)) for (n,) in numbers if (m := NUMBER.match(n))), default=0)
    return f"ПР-{top + 1:05d}"


def _qty(value: object) -> int:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"-?\d+", text):
        raise TaskRefused("Количество должно быть целым числом")
    qty = int(text)
    if qty <= 0:
        raise TaskRefused("Количество должно быть больше нуля")
    if qty > MAX_QTY:
        raise TaskRefused(f"Количество не может быть больше {MAX_QTY:,}".replace(",", " "))
    return qty


def _due(value: object, today: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        due = value
    else:
        try:
            due = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise TaskRefused("Срок указывается датой ГГГГ-ММ-ДД") from None
    if due < today:
        raise TaskRefused(f"Срок {due:%d.%m.%Y} уже прошёл")
    return due


def create_task(conn: Connection, sku: object, qty: object, due: object, today: dt.date) -> dict[str, Any]:
    """Create a planned production task in the caller's transaction; returns number, sku, qty, due, status."""
    code = str(sku or "").strip()
    if not code:
        raise TaskRefused("Укажите изделие (артикул)")
    i = s.items.c
    item = conn.execute(select(i.id, i.sku, i.name, i.kind).where(i.sku == code)).one_or_none()
    if item is None:
        raise TaskRefused(f"Номенклатуры с артикулом {code} нет")
    if item.kind == "component":
        raise TaskRefused(f"«{item.name}» — покупное комплектующее, его не производят")
    if conn.execute(select(func.count()).where(s.routing_operations.c.item_id == item.id)).scalar_one() == 0:
        raise TaskRefused(f"У изделия «{item.name}» нет маршрута: задание нельзя выдать в цех")
    units = _qty(qty)
    day = _due(due, today)
    number = next_number(conn)
    conn.execute(
        insert(s.production_tasks).values(number=number, item_id=item.id, qty=units, due=day, status="planned")
    )
    return {"task": number, "sku": item.sku, "item_name": item.name, "qty": units, "due": day.isoformat(),
            "status": "planned"}  # fmt: skip
