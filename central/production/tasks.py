"""Production tasks as the office sees them: the task rows, their output from the shop's work records, and
the stock and supply figures every production report starts from.

Two quantities derived from the work records drive the reports:

- **done units** — good units reported at the *last* operation of the item's routing (a task marked ``done``
  counts its whole quantity); what remains to be made is ``qty − done``.
- **units still to start** — ``qty − good units at the first operation``: a unit that passed the first operation
  has taken its components, so only units still to start need components (a defective unit of the first
  operation has used its kit and must be started again). ``done`` and ``cancelled`` tasks need nothing.

Free stock of an item is what is on hand at the sites named (``W1`` and ``S1`` by default) minus active
reservations held on stock (source ``stock:…``) there; reservations against production or supply do not hold
units on hand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, case, func, select

from central.orders.availability import Inbound
from central.store import schema as s

OPEN_STATUSES = ("planned", "in_work")
STATUS_TITLES = {"planned": "запланировано", "in_work": "в работе", "done": "выполнено", "cancelled": "отменено"}
KITTING_SITES = ("W1", "S1")


@dataclass
class OpOutput:
    """Output of one routing operation of a task: good and defective units, workers on it now."""

    seq: int
    name: str
    group: str
    norm_minutes_per_unit: int
    good: int = 0
    defective: int = 0
    working: int = 0  # work records still running or paused


@dataclass
class Task:
    id: int
    number: str
    item_id: int
    sku: str
    item_name: str
    uom: str
    qty: int
    due: dt.date
    status: str
    released_at: dt.datetime | None
    finished_at: dt.datetime | None
    ops: list[OpOutput] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def done_units(self) -> int:
        if self.status == "done":
            return self.qty
        return min(self.qty, self.ops[-1].good) if self.ops else 0

    @property
    def to_make(self) -> int:
        return 0 if not self.open else self.qty - self.done_units

    @property
    def to_start(self) -> int:
        if not self.open:
            return 0
        return max(self.qty - (self.ops[0].good if self.ops else 0), 0)

    @property
    def defective(self) -> int:
        return sum(op.defective for op in self.ops)

    @property
    def started(self) -> bool:
        return any(op.good or op.defective or op.working for op in self.ops)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive UTC times; PostgreSQL aware ones."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def load_tasks(conn: Connection, *, numbers: Collection[str] | None = None, open_only: bool = False) -> list[Task]:
    """Production tasks with their routing and the output reported for each operation, by task number."""
    t, i = s.production_tasks.c, s.items.c
    query = select(
        t.id, t.number, t.item_id, i.sku, i.name, i.uom, t.qty, t.due, t.status, t.released_at, t.finished_at
    ).join(s.items, i.id == t.item_id)
    if numbers is not None:
        query = query.where(t.number.in_(list(numbers)))
    if open_only:
        query = query.where(t.status.in_(OPEN_STATUSES))
    tasks = [
        Task(r.id, r.number, r.item_id, r.sku, r.name, r.uom, r.qty, r.due, r.status, aware(r.released_at),
             aware(r.finished_at))
        for r in conn.execute(query.order_by(t.number))
    ]  # fmt: skip
    routing = routings(conn, {x.item_id for x in tasks})
    by_number = {x.number: x for x in tasks}
    for x in tasks:
        x.ops = [
            OpOutput(op["seq"], op["name"], op["group_name"], op["norm_minutes_per_unit"]) for op in routing[x.item_id]
        ]
    w = s.work_records.c
    for number, seq, good, defective, working in conn.execute(
        select(
            w.task_number, w.op_seq, func.sum(w.good), func.sum(w.defective),
            func.sum(case((w.state.in_(("running", "paused")), 1), else_=0)),
        )
        .where(w.task_number.in_(list(by_number)))
        .group_by(w.task_number, w.op_seq)
    ):  # fmt: skip
        task = by_number[number]
        op = next((o for o in task.ops if o.seq == seq), None)
        if op is None:  # the routing changed after the work: keep the figures under their number
            op = OpOutput(seq, f"Операция {seq}", "", 0)
            task.ops.append(op)
            task.ops.sort(key=lambda o: o.seq)
        op.good, op.defective, op.working = int(good or 0), int(defective or 0), int(working or 0)
    return tasks


def routings(conn: Connection, item_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Routing operations per item in order: seq, name, work-centre group (code, name), norm minutes per unit."""
    r, g = s.routing_operations.c, s.work_center_groups.c
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(
        select(r.item_id, r.seq, r.name, g.code, g.name, r.norm_minutes_per_unit)
        .join(s.work_center_groups, g.id == r.group_id)
        .where(r.item_id.in_(list(item_ids)))
        .order_by(r.item_id, r.seq)
    ):
        out[row[0]].append(
            {"seq": row[1], "name": row[2], "group_code": row[3], "group_name": row[4], "norm_minutes_per_unit": row[5]}
        )
    return out


def boms(conn: Connection, item_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """BOM lines per item: component id, sku, name, kind, unit and quantity per unit, by component sku."""
    b, i = s.bom_lines.c, s.items.c
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(
        select(b.item_id, i.id, i.sku, i.name, i.kind, i.uom, b.qty_per_unit)
        .join(s.items, i.id == b.component_id)
        .where(b.item_id.in_(list(item_ids)))
        .order_by(b.item_id, i.sku)
    ):
        out[row[0]].append(
            {
                "component_id": row[1],
                "sku": row[2],
                "name": row[3],
                "kind": row[4],
                "uom": row[5],
                "qty_per_unit": row[6],
            }
        )
    return out


def _site_ids(conn: Connection, sites: Collection[str]) -> list[int]:
    return list(conn.execute(select(s.sites.c.id).where(s.sites.c.code.in_(list(sites)))).scalars())


def on_hand(conn: Connection, item_ids: Iterable[int], sites: Collection[str] = KITTING_SITES) -> dict[int, int]:
    """Units on hand per item at the sites (central's projection of the edges' stock)."""
    ids = list(item_ids)
    rows = conn.execute(
        select(s.stock.c.item_id, func.sum(s.stock.c.qty))
        .where(s.stock.c.item_id.in_(ids), s.stock.c.site_id.in_(_site_ids(conn, sites)))
        .group_by(s.stock.c.item_id)
    )
    return {int(item): int(qty or 0) for item, qty in rows}


def reserved(conn: Connection, item_ids: Iterable[int], sites: Collection[str] = KITTING_SITES) -> dict[int, int]:
    """Units held on stock per item at the sites by active reservations (source ``stock:…``)."""
    r = s.reservations.c
    rows = conn.execute(
        select(r.item_id, func.sum(r.qty))
        .where(
            r.item_id.in_(list(item_ids)),
            r.site_id.in_(_site_ids(conn, sites)),
            r.status == "active",
            r.source.like("stock:%"),
        )
        .group_by(r.item_id)
    )
    return {int(item): int(qty or 0) for item, qty in rows}


def inbound(conn: Connection, item_ids: Iterable[int]) -> dict[int, list[Inbound]]:
    """Open supply order lines per item as arrivals (``supply_order:ПЗ-00007``), earliest first."""
    o, line = s.supply_orders.c, s.supply_order_lines.c
    out: dict[int, list[Inbound]] = defaultdict(list)
    for item, number, qty, eta in conn.execute(
        select(line.item_id, o.number, line.qty, o.eta)
        .join(s.supply_orders, o.id == line.supply_order_id)
        .where(line.item_id.in_(list(item_ids)), o.status == "open")
        .order_by(o.eta, o.number)
    ):
        out[int(item)].append(Inbound(f"supply_order:{number}", int(qty), eta))
    return out


def suppliers(conn: Connection, item_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The quickest supplier per item: name, lead time in days, minimum order quantity."""
    si, sup = s.supplier_items.c, s.suppliers.c
    out: dict[int, dict[str, Any]] = {}
    for item, name, lead, moq in conn.execute(
        select(si.item_id, sup.name, si.lead_time_days, si.min_order_qty)
        .join(s.suppliers, sup.id == si.supplier_id)
        .where(si.item_id.in_(list(item_ids)))
        .order_by(si.item_id, si.lead_time_days, sup.name)
    ):
        out.setdefault(int(item), {"supplier": name, "lead_time_days": int(lead), "min_order_qty": int(moq)})
    return out


def priority(task: Task) -> tuple[int, dt.date, str]:
    """Who gets scarce components first: tasks in work, then by due date and number."""
    return (0 if task.status == "in_work" else 1, task.due, task.number)
