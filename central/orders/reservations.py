"""Reservations (ORD-5) in the database: reading an item's state, locking items, expiring reservations.

A reservation's ``source`` says where its units come from: ``stock:W1`` (on hand at a warehouse),
``supply:ПЗ-00012`` (an open supply order) or ``production:ПР-00101`` (a production task). Free stock is what
the warehouses hold minus active reservations from stock of open orders; an inbound's unpromised quantity is
its quantity minus the active reservations against it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Connection, and_, func, select, update

from central.notifications.inbox import notify
from central.orders.availability import Inbound
from central.orders.domain import ItemState
from central.store import schema as s

log = structlog.get_logger(__name__)

CLOSED_ORDER_STATUSES = ("cancelled", "shipped", "completed")
OPEN_SUPPLY = "open"
OPEN_TASKS = ("planned", "in_work")


def end_of(day: dt.date) -> dt.datetime:
    """A reservation made until ``day`` lasts until the end of that day (UTC), as the dispatch loans do."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives stored UTC times back without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def home_warehouse(conn: Connection) -> str:
    """The warehouse that receives supplies and finished production: the first warehouse site by id."""
    code = conn.execute(select(s.sites.c.code).where(s.sites.c.kind == "warehouse").order_by(s.sites.c.id)).scalar()
    if code is None:
        raise LookupError("no warehouse site")
    return str(code)


def lock_items(conn: Connection, item_ids: Collection[int]) -> None:
    """Serialise reservations of these items until the transaction ends.

    Two managers confirming the last units at once must not both see them free. On PostgreSQL each
    confirmation takes ``SELECT … FOR UPDATE`` on the items' rows, in id order so two orders with the same
    items never deadlock; the second waits, and under READ COMMITTED its next statements see the first's
    committed reservations, so it re-checks against them and is refused with 409. We chose row locks over a
    serializable transaction with retries because the conflict is narrow (the same items), the waiting is
    short, and the loser gets a definite answer instead of a retry loop. On SQLite ``FOR UPDATE`` renders
    as nothing: every write transaction already begins ``IMMEDIATE`` (``central.store.engine``), so writers
    run one at a time.
    """
    if item_ids:
        conn.execute(
            select(s.items.c.id).where(s.items.c.id.in_(sorted(item_ids))).order_by(s.items.c.id).with_for_update()
        )


def item_states(conn: Connection, item_ids: Collection[int]) -> dict[int, ItemState]:
    """Stock per warehouse, reservations from stock, unpromised inbound and lead time of each item."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    base = {
        r.id: r
        for r in conn.execute(
            select(s.items.c.id, s.items.c.sku, s.items.c.name, s.items.c.planned_cost_kop).where(s.items.c.id.in_(ids))
        )
    }
    on_hand: dict[int, dict[str, int]] = defaultdict(dict)
    for item_id, site, qty in conn.execute(
        select(s.stock.c.item_id, s.sites.c.code, func.sum(s.stock.c.qty))
        .join(s.sites, s.sites.c.id == s.stock.c.site_id)
        .where(s.stock.c.item_id.in_(ids), s.sites.c.kind == "warehouse")
        .group_by(s.stock.c.item_id, s.sites.c.code)
    ):
        on_hand[item_id][site] = int(qty)
    reserved: dict[int, dict[str, int]] = defaultdict(dict)
    promised: dict[tuple[int, str], int] = defaultdict(int)
    for item_id, site, source, qty in conn.execute(
        select(s.reservations.c.item_id, s.sites.c.code, s.reservations.c.source, func.sum(s.reservations.c.qty))
        .join(s.sites, s.sites.c.id == s.reservations.c.site_id)
        .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
        .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
        .where(
            s.reservations.c.item_id.in_(ids),
            s.reservations.c.status == "active",
            s.orders.c.status.not_in(CLOSED_ORDER_STATUSES),
        )
        .group_by(s.reservations.c.item_id, s.sites.c.code, s.reservations.c.source)
    ):
        if source.startswith("stock:"):
            reserved[item_id][site] = reserved[item_id].get(site, 0) + int(qty)
        else:
            promised[(item_id, source)] += int(qty)
    inbound: dict[int, list[Inbound]] = defaultdict(list)
    for item_id, source, qty, eta in _inbound_rows(conn, ids):
        left = qty - promised.get((item_id, source), 0)
        if left > 0:
            inbound[item_id].append(Inbound(source, left, eta))
    lead = {
        item_id: int(days)
        for item_id, days in conn.execute(
            select(s.supplier_items.c.item_id, func.min(s.supplier_items.c.lead_time_days))
            .where(s.supplier_items.c.item_id.in_(ids))
            .group_by(s.supplier_items.c.item_id)
        )
    }
    return {
        item_id: ItemState(
            item_id=item_id,
            sku=row.sku,
            name=row.name,
            planned_cost_kop=int(row.planned_cost_kop),
            on_hand=dict(on_hand.get(item_id, {})),
            reserved=dict(reserved.get(item_id, {})),
            inbound=tuple(sorted(inbound.get(item_id, []), key=lambda i: (i.eta, i.source))),
            lead_time_days=lead.get(item_id),
        )
        for item_id, row in base.items()
    }


def _inbound_rows(conn: Connection, ids: list[int]) -> list[tuple[int, str, int, dt.date]]:
    rows: list[tuple[int, str, int, dt.date]] = [
        (item_id, f"supply:{number}", int(qty), eta)
        for item_id, number, qty, eta in conn.execute(
            select(
                s.supply_order_lines.c.item_id,
                s.supply_orders.c.number,
                s.supply_order_lines.c.qty,
                s.supply_orders.c.eta,
            )
            .join(s.supply_orders, s.supply_orders.c.id == s.supply_order_lines.c.supply_order_id)
            .where(s.supply_order_lines.c.item_id.in_(ids), s.supply_orders.c.status == OPEN_SUPPLY)
        )
    ]
    rows += [
        (item_id, f"production:{number}", int(qty), due)
        for item_id, number, qty, due in conn.execute(
            select(
                s.production_tasks.c.item_id,
                s.production_tasks.c.number,
                s.production_tasks.c.qty,
                s.production_tasks.c.due,
            ).where(s.production_tasks.c.item_id.in_(ids), s.production_tasks.c.status.in_(OPEN_TASKS))
        )
    ]
    return rows


def inbound_dates(conn: Connection, sources: Collection[str]) -> dict[str, dt.date]:
    """The arrival date of each inbound source: ``{"supply:ПЗ-00012": date(2026, 12, 3)}``."""
    supply = {src.removeprefix("supply:") for src in sources if src.startswith("supply:")}
    tasks = {src.removeprefix("production:") for src in sources if src.startswith("production:")}
    out: dict[str, dt.date] = {}
    if supply:
        for number, eta in conn.execute(
            select(s.supply_orders.c.number, s.supply_orders.c.eta).where(s.supply_orders.c.number.in_(supply))
        ):
            out[f"supply:{number}"] = eta
    if tasks:
        for number, due in conn.execute(
            select(s.production_tasks.c.number, s.production_tasks.c.due).where(s.production_tasks.c.number.in_(tasks))
        ):
            out[f"production:{number}"] = due
    return out


@dataclass(frozen=True)
class Expired:
    reservation_id: int
    order: str
    sku: str
    qty: int
    source: str
    manager: str  # login of the order's manager, who gets the notice


def expire_reservations(conn: Connection, now: dt.datetime) -> list[Expired]:
    """Mark active reservations whose term has passed as expired, inside the caller's transaction.

    Their units become free again; the order's manager gets a notice per order in the inbox (and by e-mail),
    and the order page and API show the reservation as ``expired``.
    """
    r = s.reservations.c
    due = conn.execute(
        select(
            r.id,
            r.qty,
            r.source,
            s.orders.c.id.label("order_id"),
            s.orders.c.number,
            s.items.c.sku,
            s.users.c.login,
            s.orders.c.manager_id,
        )
        .join(s.order_lines, s.order_lines.c.id == r.order_line_id)
        .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
        .join(s.items, s.items.c.id == r.item_id)
        .join(s.users, s.users.c.id == s.orders.c.manager_id)
        .where(and_(r.status == "active", r.expires_at <= now))
        .order_by(r.id)
    ).all()
    if not due:
        return []
    conn.execute(
        update(s.reservations).where(r.id.in_([d.id for d in due]), r.status == "active").values(status="expired")
    )
    expired = [Expired(d.id, d.number, d.sku, int(d.qty), d.source, d.login) for d in due]
    by_order: dict[int, list[Any]] = {}
    for d in due:
        by_order.setdefault(int(d.order_id), []).append(d)
    for order_id, rows in by_order.items():
        lines = "\n".join(f"{d.sku} — {int(d.qty)} шт. ({d.source})" for d in rows)
        notify(
            conn, kind="reservation_expired", users=[int(rows[0].manager_id)], now=now,
            subject=f"Срок резерва истёк: заказ {rows[0].number}",
            body=f"Снято с резерва по заказу {rows[0].number}:\n{lines}\nПодтвердите заказ заново, если он ещё нужен.",
            link=f"/orders/{order_id}",
        )  # fmt: skip
    for e in expired:
        log.info("reservation_expired", manager=e.manager, order=e.order, sku=e.sku, qty=e.qty, source=e.source)
    return expired
