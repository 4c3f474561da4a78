"""Pick tasks (WH-3, WH-4, WH-6): issued from an order's reservations, sent to the site, followed by its facts.

``issue_pick_task(conn, "З-000123", "W1", now)`` picks the cells from central's view of the site's stock,
orders the lines along the walking path, records a ``dispatch_tasks`` row and queues the task on the site's
downstream log in the same transaction. The site reports back ``PickTaskReceived``, ``UnitsPicked`` and
``PickTaskCompleted``; shipping against the task (``UnitsShipped`` with the task as shipment) logs the
shipment with the time the warehouse received the task and the time it actually left (WH-6).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from central.logistics import dispatches
from central.store import schema as s
from central.sync.downlog import append_down
from devices.barcodes import BarcodeError, TaskCode, company_code, interpret
from sync.events import Fact, PickTaskCompleted, PickTaskReceived, UnitsShipped
from sync.messages import Event

STANDARD_PACKING = "Стандартная упаковка: коробки до 20 кг, этикетка на каждую коробку"


class PickTaskRefused(ValueError):
    """The order cannot be picked as asked; the message says why, in Russian, for the dispatcher."""


@dataclass(frozen=True)
class IssuedPickTask:
    code: str  # the task's barcode, scanned on the handheld
    dispatch_task_id: int
    lines: int


def walking_key(address: str) -> tuple[object, ...]:
    """Order cells along the aisles: ``walking_key("A-02-01-03") < walking_key("A-10-01-01")``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"[-\s]", address))


def _name(conn: Connection, role: str) -> str:
    return str(
        conn.execute(
            select(s.users.c.full_name).where(s.users.c.role == role, s.users.c.active.is_(True)).order_by(s.users.c.id)
        ).scalar()
        or "—"
    )


def issue_pick_task(conn: Connection, order_number: str, site: str, now: datetime) -> IssuedPickTask:
    """Issue the pick task of an order at a site inside the caller's transaction."""
    order = conn.execute(
        select(s.orders, s.customers.c.name.label("customer"), s.users.c.full_name.label("manager"))
        .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
        .join(s.users, s.users.c.id == s.orders.c.manager_id)
        .where(s.orders.c.number == order_number)
    ).first()
    if order is None:
        raise PickTaskRefused(f"Заказ {order_number} не найден")
    if order.status not in ("confirmed",):
        raise PickTaskRefused(f"Заказ {order_number} в статусе «{order.status}»: отбирают только подтверждённые")
    site_row = conn.execute(select(s.sites.c.id, s.sites.c.name).where(s.sites.c.code == site)).first()
    if site_row is None:
        raise PickTaskRefused(f"Площадка {site} не найдена")
    open_task = conn.execute(
        select(s.dispatch_tasks.c.id).where(
            s.dispatch_tasks.c.order_id == order.id,
            s.dispatch_tasks.c.kind == "pick",
            s.dispatch_tasks.c.status.in_(("new", "in_work")),
        )
    ).scalar()
    if open_task is not None:
        raise PickTaskRefused(f"По заказу {order_number} уже есть незавершённое задание на отбор")
    reserved = conn.execute(
        select(s.items.c.id, s.items.c.sku, s.items.c.name, func.sum(s.reservations.c.qty).label("qty"))
        .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
        .join(s.items, s.items.c.id == s.reservations.c.item_id)
        .where(
            s.order_lines.c.order_id == order.id,
            s.reservations.c.site_id == site_row.id,
            s.reservations.c.status == "active",
            # Only what is reserved from stock can be picked; supply and production reserves wait for arrival.
            s.reservations.c.source.like("stock:%"),
        )
        .group_by(s.items.c.id, s.items.c.sku, s.items.c.name)
    ).all()
    if not reserved:
        raise PickTaskRefused(f"По заказу {order_number} нет резерва на площадке {site}")
    lines = []
    for item_id, sku, name, qty in reserved:
        cells = conn.execute(
            select(s.cells.c.id, s.cells.c.address, s.stock.c.qty)
            .join(s.stock, s.stock.c.cell_id == s.cells.c.id)
            .where(s.stock.c.site_id == site_row.id, s.stock.c.item_id == item_id, s.stock.c.qty > 0)
            .where(s.cells.c.kind == "storage")
        ).all()
        left = int(qty)
        for cell_id, address, have in sorted(cells, key=lambda c: walking_key(c.address)):
            take = min(left, int(have))
            if take:
                lines.append({"sku": sku, "name": name, "qty": take, "cell_id": cell_id, "cell": address})
                left -= take
            if not left:
                break
        if left:
            raise PickTaskRefused(f"На площадке {site} в ячейках хранения не хватает {left} шт. {sku} «{name}»")
    lines.sort(key=lambda line: walking_key(str(line["cell"])))
    assembly = conn.execute(
        select(s.cells.c.id, s.cells.c.address)
        .where(s.cells.c.site_id == site_row.id, s.cells.c.kind == "assembly")
        .order_by(s.cells.c.address)
    ).first()
    if assembly is None:
        raise PickTaskRefused(f"На площадке {site} нет ячейки сборки")
    task_id = conn.execute(
        insert(s.dispatch_tasks)
        .values(kind="pick", order_id=order.id, site_id=site_row.id, status="new", created_at=now)
        .returning(s.dispatch_tasks.c.id)
    ).scalar_one()
    code = company_code("task", task_id)
    conn.execute(update(s.orders).where(s.orders.c.id == order.id).values(status="picking"))
    weight = conn.execute(
        select(func.coalesce(func.sum(s.items.c.weight_g * s.order_lines.c.qty), 0))
        .join(s.items, s.items.c.id == s.order_lines.c.item_id)
        .where(s.order_lines.c.order_id == order.id)
    ).scalar_one()
    payload = {
        "id": code,
        "kind": "pick",
        "order": order_number,
        "customer": order.customer,
        "manager": order.manager,
        "warehouse_manager": _name(conn, "warehouse_manager"),
        "controller": _name(conn, "controlling_manager"),
        "issued_at": now.isoformat(),
        "deadline": order.deadline.isoformat(),
        "site": site,
        "site_name": site_row.name,
        "assembly_cell_id": assembly.id,
        "assembly_cell": assembly.address,
        "packing": STANDARD_PACKING,
        "boxes": max(1, -(-int(weight) // 20_000)),
        "lines": lines,
    }
    append_down(conn, site, "task", payload)
    return IssuedPickTask(code, task_id, len(lines))


def _task_id(code: str) -> int | None:
    try:
        parsed = interpret(code)
    except BarcodeError:
        return None
    return parsed.number if isinstance(parsed, TaskCode) else None


def order_of_task(conn: Connection, task: str) -> int | None:
    """The order a pick reported by a site belongs to: by task barcode, or by order number (older edges)."""
    task_id = _task_id(task)
    if task_id is not None:
        return conn.execute(select(s.dispatch_tasks.c.order_id).where(s.dispatch_tasks.c.id == task_id)).scalar()
    return conn.execute(select(s.orders.c.id).where(s.orders.c.number == task)).scalar()


def project_pick_facts(conn: Connection, site_id: int, facts: Sequence[tuple[Event, Fact]], now: datetime) -> None:
    """Follow pick tasks through the site's facts, inside the inbox transaction.

    Received: the task is in work and the dispatch keeps when (WH-6). Completed: the task is done, a shortage is
    an exception for the office, and the dispatcher and the logisticians are told the order is picked (WH-4).
    Shipped against the task: the shipment is logged once (``central.logistics.dispatches.log_shipment``).
    """
    tasks = s.dispatch_tasks.c
    for event, fact in facts:
        if isinstance(fact, PickTaskReceived | PickTaskCompleted | UnitsShipped):
            code = fact.shipment if isinstance(fact, UnitsShipped) else fact.task
            task_id = _task_id(code)
            if task_id is None:
                continue
            order_id = conn.execute(select(tasks.order_id).where(tasks.id == task_id, tasks.kind == "pick")).scalar()
            if isinstance(fact, PickTaskReceived):
                conn.execute(
                    update(s.dispatch_tasks).where(tasks.id == task_id, tasks.status == "new").values(status="in_work")
                )
                if order_id is not None:
                    dispatches.record_received(conn, order_id, site_id, task_id, event.occurred_at, now)
            elif isinstance(fact, PickTaskCompleted):
                conn.execute(update(s.dispatch_tasks).where(tasks.id == task_id).values(status="done"))
                short = [
                    f"{line.sku}: {line.picked} из {line.ordered}" for line in fact.lines if line.picked < line.ordered
                ]
                if short:
                    conn.execute(
                        insert(s.sync_exceptions).values(
                            site_id=site_id, seq=event.seq, kind="pick_short", created_at=now,
                            message=f"задание {code} отобрано с недостачей: " + "; ".join(short),
                        )
                    )  # fmt: skip
                if order_id is not None:
                    picked = {line.sku: line.picked for line in fact.lines}
                    dispatches.record_picked(conn, order_id, site_id, task_id, picked, short, event.occurred_at, now)
            elif order_id is not None:
                _log_shipment(conn, site_id, order_id, code, event, now)


def _log_shipment(conn: Connection, site_id: int, order_id: int, code: str, event: Event, now: datetime) -> None:
    """The edge shipped against the task: log it with the time the site received the task."""
    dispatches.log_shipment(
        conn, order_id, site_id, event.occurred_at, now, received_at=_received_at(conn, site_id, code)
    )


def _received_at(conn: Connection, site_id: int, code: str) -> datetime | None:
    """When the site reported receiving the task, from the ledger: for tasks received before dispatches kept it.

    The payload is decoded rather than compared as text: a newer edge may add fields or order them otherwise.
    """
    rows = conn.execute(
        select(s.inbox.c.occurred_at, s.inbox.c.payload)
        .where(s.inbox.c.site_id == site_id, s.inbox.c.type == "PickTaskReceived")
        .order_by(s.inbox.c.seq)
    )
    for occurred_at, payload in rows:
        try:
            fact = json.loads(payload)
        except ValueError:
            continue
        if isinstance(fact, dict) and fact.get("task") == code and isinstance(occurred_at, datetime):
            return occurred_at
    return None
