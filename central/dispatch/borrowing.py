"""The borrowing problem (OPT-1) as central's database states it today: stock, reserves, supply, waiting orders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import Connection, and_, func, select

from central.store import schema as s
from optimizer.borrowing import BorrowingProblem, Inbound, Line, Reservation, WaitingOrder

OPEN_STATUSES = ("draft", "confirmed")
CLOSED_STATUSES = ("cancelled", "shipped", "completed")


def borrowing_problem(conn: Connection, site: str, today: dt.date, margin_days: int = 2) -> BorrowingProblem:
    """Build the optimizer's input for one warehouse: ``borrowing_problem(conn, "W1", date.today())``."""
    site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar_one()
    on_hand = {
        sku: int(qty)
        for sku, qty in conn.execute(
            select(s.items.c.sku, func.sum(s.stock.c.qty))
            .join(s.items, s.items.c.id == s.stock.c.item_id)
            .where(s.stock.c.site_id == site_id)
            .group_by(s.items.c.sku)
        )
    }
    # A reservation left active on a cancelled, shipped or completed order holds nothing: counting it would make
    # the optimizer lend from an order that is gone, and every such proposal would be refused at acceptance.
    active = and_(
        s.reservations.c.status == "active",
        s.reservations.c.site_id == site_id,
        s.orders.c.status.not_in(CLOSED_STATUSES),
    )
    reserved_rows = conn.execute(
        select(
            s.orders.c.number, s.items.c.sku, s.reservations.c.qty, s.orders.c.deadline, s.reservations.c.order_line_id
        )
        .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
        .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
        .join(s.items, s.items.c.id == s.reservations.c.item_id)
        .where(active)
    ).all()
    reserved_per_line: dict[int, int] = defaultdict(int)
    for row in reserved_rows:
        reserved_per_line[row.order_line_id] += row.qty
    reservations = tuple(Reservation(r.number, r.sku, r.qty, r.deadline) for r in reserved_rows)
    inbound = tuple(
        Inbound(number, sku, qty, eta)
        for number, sku, qty, eta in conn.execute(
            select(s.supply_orders.c.number, s.items.c.sku, s.supply_order_lines.c.qty, s.supply_orders.c.eta)
            .join(s.supply_order_lines, s.supply_order_lines.c.supply_order_id == s.supply_orders.c.id)
            .join(s.items, s.items.c.id == s.supply_order_lines.c.item_id)
            .where(s.supply_orders.c.status == "open")
        )
    ) + tuple(
        Inbound(number, sku, qty, due)
        for number, sku, qty, due in conn.execute(
            select(s.production_tasks.c.number, s.items.c.sku, s.production_tasks.c.qty, s.production_tasks.c.due)
            .join(s.items, s.items.c.id == s.production_tasks.c.item_id)
            .where(s.production_tasks.c.status.in_(("planned", "in_work")))
        )
    )
    waiting_lines: dict[str, list[Line]] = defaultdict(list)
    waiting_value: dict[str, int] = defaultdict(int)
    for line in conn.execute(
        select(s.orders.c.number, s.order_lines.c.id, s.items.c.sku, s.order_lines.c.qty, s.order_lines.c.price_kop)
        .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
        .join(s.items, s.items.c.id == s.order_lines.c.item_id)
        .where(s.orders.c.status.in_(OPEN_STATUSES))
        .order_by(s.orders.c.number, s.order_lines.c.id)
    ):
        missing = line.qty - reserved_per_line.get(line.id, 0)
        if missing > 0:
            waiting_lines[line.number].append(Line(line.sku, missing))
            waiting_value[line.number] += missing * line.price_kop
    waiting = tuple(
        WaitingOrder(number, tuple(lines), waiting_value[number]) for number, lines in waiting_lines.items()
    )
    return BorrowingProblem(today, on_hand, reservations, inbound, waiting, margin_days)
