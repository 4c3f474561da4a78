"""Transfers between the main warehouse and the shop (PROD-1), and the shop's consumption as the shop reports it.

``request_components(conn, "ПР-00101", now)`` — the shop asks for a task's kit: a transfer «ПМ-00001» whose lines
are the BOM × units still to start, minus what S1 holds free and what is already on its way to S1 for the task.
In the caller's transaction it records the transfer, sends W1 a **pick task** (the same payload as an order's
pick task: the handheld's «Отбор» and «Отгрузка» work unchanged, ``order`` = the transfer number) and sends S1
an **expected receipt** (the same payload as a supply order's: «Приёмка» against the 24… document,
``supply_order`` = the transfer number) and the task's **kit card** (BOM, last operation, output cell) that the
shop edge consumes by. ``return_finished_goods(conn, "ПР-00101", 5, now)`` is the same the other way: a pick
task at S1 and an expected receipt at W1.

The two ends are two edges, each with its own facts; ``project_transfers`` (called by the inbox) follows them:
``requested`` → ``picked`` (the pick task closed at the source) → ``shipped`` (shipped under the task's code) →
``received`` (the receipt closed at the destination). The edges sync independently, so the destination's
receipt may reach central before the source's shipment: the status only moves forward, and the lines keep
every figure (asked, picked, shipped, received, defective), so what went missing in transit shows as
shipped − received − defective once both ends are in.

Codes: the pick task's barcode is ``company_code("task", TRANSFER_CODE_BASE + id)`` and the receipt's
``company_code("document", TRANSFER_CODE_BASE + id)``: numbers from 9 000 000 000 up never meet the ids of
dispatch tasks and expected receipts, whose codes share those prefixes.

Units to be picked for an open (``requested``) transfer are held in their cells: a later transfer does not
plan the same units. Sales orders do not see these holds (reservations belong to order lines); components are
not sold, and finished goods waiting at S1 are not on offer until they are back at W1.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from central.dispatch.pick_tasks import STANDARD_PACKING, walking_key
from central.production.tasks import boms, load_tasks, on_hand, reserved
from central.store import schema as s
from central.sync.downlog import append_down
from devices.barcodes import company_code
from sync.events import (
    ComponentsConsumed,
    DefectiveReceived,
    Fact,
    InvalidEvent,
    PickTaskCompleted,
    ReceiptClosed,
    UnitsPicked,
    UnitsProduced,
    UnitsReceived,
    UnitsShipped,
    UnknownSchema,
    read_event,
)
from sync.messages import Event

TRANSFER_CODE_BASE = 9_000_000_000
WAREHOUSE, SHOP = "W1", "S1"
STATUSES = ("requested", "picked", "shipped", "received")
STATUS_TITLES = {
    "requested": "запрошено",
    "picked": "собрано на складе-отправителе",
    "shipped": "отгружено, в пути",
    "received": "принято",
}
KIND_TITLES = {"components": "комплектующие в цех", "finished": "готовая продукция на склад"}
FOLLOWED = frozenset(
    (
        "UnitsPicked",
        "PickTaskCompleted",
        "UnitsShipped",
        "UnitsReceived",
        "DefectiveReceived",
        "ReceiptClosed",
        "ComponentsConsumed",
        "UnitsProduced",
    )
)


class TransferRefused(ValueError):
    """The transfer cannot be made as asked; the message says why (Russian, for the master or dispatcher)."""


def _site(conn: Connection, code: str) -> tuple[int, str]:
    row = conn.execute(select(s.sites.c.id, s.sites.c.name).where(s.sites.c.code == code)).first()
    if row is None:
        raise TransferRefused(f"Площадка {code} не найдена")
    return int(row.id), str(row.name)


def _task(conn: Connection, number: str) -> Any:
    found = load_tasks(conn, numbers=[number])
    if not found:
        raise TransferRefused(f"Задание {number} не найдено")
    task = found[0]
    if not task.open:
        raise TransferRefused(f"Задание {number} в статусе «{task.status}»: перемещения только по открытым")
    return task


def _holds(conn: Connection, site_id: int) -> dict[tuple[int, int], int]:
    """Units planned for open transfers from a site, per (item, cell): not yet picked, so still in the cell."""
    items = dict(conn.execute(select(s.items.c.sku, s.items.c.id)).all())
    held: dict[tuple[int, int], int] = defaultdict(int)
    for (lines,) in conn.execute(
        select(s.transfers.c.pick_lines).where(
            s.transfers.c.from_site_id == site_id, s.transfers.c.status == "requested"
        )
    ):
        for line in lines:
            held[(items[line["sku"]], int(line["cell_id"]))] += int(line["qty"])
    return held


def _cells(
    conn: Connection, site_id: int, item_id: int, kinds: tuple[str, ...], held: dict[tuple[int, int], int]
) -> list[tuple[int, str, int]]:
    """(cell id, address, free units) of an item at a site in walking order, net of open transfers' holds."""
    rows = conn.execute(
        select(s.cells.c.id, s.cells.c.address, s.stock.c.qty)
        .join(s.stock, s.stock.c.cell_id == s.cells.c.id)
        .where(s.stock.c.site_id == site_id, s.stock.c.item_id == item_id, s.stock.c.qty > 0)
        .where(s.cells.c.kind.in_(kinds))
    ).all()
    out = []
    for cell_id, address, qty in sorted(rows, key=lambda r: walking_key(r.address)):
        free = int(qty) - held.get((item_id, int(cell_id)), 0)
        if free > 0:
            out.append((int(cell_id), str(address), free))
    return out


def _assembly(conn: Connection, site_id: int, site: str) -> Any:
    row = conn.execute(
        select(s.cells.c.id, s.cells.c.address)
        .where(s.cells.c.site_id == site_id, s.cells.c.kind == "assembly")
        .order_by(s.cells.c.address)
    ).first()
    if row is None:
        raise TransferRefused(f"На площадке {site} нет ячейки сборки: отбор для перемещения некуда собирать")
    return row


def send_kit(conn: Connection, task_number: str, site: str = SHOP) -> dict[str, Any]:
    """Send the shop the task's kit card (``kit:ПР-…``): BOM per unit, the last operation, where output goes.

    The shop edge consumes components by it when work is finished (``edge.warehouse.service.consume_for_finish``).
    Sent with every request for components; safe to send again (the edge replaces it).
    """
    found = load_tasks(conn, numbers=[task_number])
    if not found:
        raise TransferRefused(f"Задание {task_number} не найдено")
    task = found[0]
    site_id, _ = _site(conn, site)
    output = conn.execute(
        select(s.cells.c.id, s.cells.c.address).where(s.cells.c.site_id == site_id, s.cells.c.kind == "storage")
    ).all()
    if not output:
        raise TransferRefused(f"На площадке {site} нет ячеек хранения для готовой продукции")
    first = min(output, key=lambda r: walking_key(r.address))
    payload = {
        "id": f"kit:{task.number}",
        "kind": "kit",
        "task": task.number,
        "sku": task.sku,
        "item_name": task.item_name,
        "qty": task.qty,
        "last_op_seq": task.ops[-1].seq if task.ops else 0,
        "output_cell_id": first.id,
        "output_cell": first.address,
        "bom": [
            {"sku": b["sku"], "name": b["name"], "qty_per_unit": b["qty_per_unit"]}
            for b in boms(conn, [task.item_id])[task.item_id]
        ],
    }
    append_down(conn, site, "task", payload)
    return payload


def _name(conn: Connection, role: str) -> str:
    return str(
        conn.execute(
            select(s.users.c.full_name).where(s.users.c.role == role, s.users.c.active.is_(True)).order_by(s.users.c.id)
        ).scalar()
        or "—"
    )


def _create(
    conn: Connection,
    *,
    kind: str,
    task: Any,
    source: str,
    destination: str,
    lines: list[dict[str, Any]],
    cell_kinds: tuple[str, ...],
    now: dt.datetime,
    user_id: int | None,
) -> dict[str, Any]:
    """Record a transfer of ``lines`` ({item_id, sku, name, required, qty}), send its pick task and receipt."""
    from_id, from_name = _site(conn, source)
    to_id, to_name = _site(conn, destination)
    assembly = _assembly(conn, from_id, source)
    held = _holds(conn, from_id)
    picks: list[dict[str, Any]] = []
    for line in lines:
        left = line["required"]
        for cell_id, address, free in _cells(conn, from_id, line["item_id"], cell_kinds, held):
            take = min(left, free)
            picks.append({"sku": line["sku"], "name": line["name"], "qty": take, "cell_id": cell_id, "cell": address})
            left -= take
            if not left:
                break
        line["qty"] = line["required"] - left
    lines = [line for line in lines if line["qty"] > 0]
    if not lines:
        raise TransferRefused(f"На площадке {source} нет нужных единиц: перемещение не из чего собрать")
    picks.sort(key=lambda p: walking_key(str(p["cell"])))
    temp = uuid.uuid4().hex[:13]
    planned = [{k: p[k] for k in ("sku", "cell_id", "qty")} for p in picks]
    transfer_id = conn.execute(
        insert(s.transfers)
        .values(
            number=temp, kind=kind, task_id=task.id, from_site_id=from_id, to_site_id=to_id, pick_code=temp,
            receipt_code=temp, status="requested", pick_lines=planned,
            created_at=now, created_by=user_id,
        )
        .returning(s.transfers.c.id)
    ).scalar_one()  # fmt: skip
    number = f"ПМ-{transfer_id:05d}"
    pick_code = company_code("task", TRANSFER_CODE_BASE + transfer_id)
    receipt_code = company_code("document", TRANSFER_CODE_BASE + transfer_id)
    conn.execute(
        update(s.transfers)
        .where(s.transfers.c.id == transfer_id)
        .values(number=number, pick_code=pick_code, receipt_code=receipt_code)
    )
    conn.execute(
        insert(s.transfer_lines),
        [
            {"transfer_id": transfer_id, "item_id": line["item_id"], "required": line["required"], "qty": line["qty"]}
            for line in lines
        ],
    )
    what = "комплектующие" if kind == "components" else "готовая продукция"
    weight = conn.execute(
        select(func.coalesce(func.sum(s.items.c.weight_g), 0)).where(
            s.items.c.id.in_([line["item_id"] for line in lines])
        )
    ).scalar_one()
    append_down(
        conn,
        source,
        "task",
        {
            "id": pick_code,
            "kind": "pick",
            "order": number,
            "customer": f"{to_name} ({destination}): {what} по заданию {task.number}",
            "manager": _name(conn, "shop_master"),
            "warehouse_manager": _name(conn, "warehouse_manager"),
            "controller": _name(conn, "controlling_manager"),
            "issued_at": now.isoformat(),
            "deadline": task.due.isoformat(),
            "site": source,
            "site_name": from_name,
            "assembly_cell_id": assembly.id,
            "assembly_cell": assembly.address,
            "packing": STANDARD_PACKING,
            "boxes": max(1, -(-int(weight) // 20_000)),
            "lines": picks,
            "transfer": number,
        },
    )
    append_down(
        conn,
        destination,
        "task",
        {
            "id": receipt_code,
            "kind": "receipt",
            "supply_order": number,
            "supplier": f"{from_name} ({source})",
            "eta": now.date().isoformat(),
            "site": destination,
            "lines": [{"sku": line["sku"], "name": line["name"], "expected": line["qty"]} for line in lines],
            "transfer": number,
        },
    )
    return transfer(conn, number)


def request_components(
    conn: Connection, production_task_number: str, now: dt.datetime, user_id: int | None = None
) -> dict[str, Any]:
    """The shop's request for a task's components, W1 → S1, inside the caller's transaction.

    Lines: per BOM component, quantity per unit × units still to start, minus S1's free stock and minus what
    open transfers of this task are already bringing. What W1's storage cells cannot give is left out of the
    pick task (the line shows it as required > asked); a request W1 cannot serve at all is refused.
    """
    task = _task(conn, production_task_number)
    bom = boms(conn, [task.item_id])[task.item_id]
    if not bom:
        raise TransferRefused(f"У изделия {task.sku} нет спецификации: комплектующие не определены")
    if task.to_start <= 0:
        raise TransferRefused(f"По заданию {task.number} все единицы уже запущены: комплектующие не нужны")
    ids = [b["component_id"] for b in bom]
    held_at_shop = on_hand(conn, ids, (SHOP,))
    taken = reserved(conn, ids, (SHOP,))
    t, line = s.transfers.c, s.transfer_lines.c
    coming = dict(
        conn.execute(
            select(line.item_id, func.sum(line.qty))
            .join(s.transfers, t.id == line.transfer_id)
            .where(t.task_id == task.id, t.kind == "components", t.status != "received")
            .group_by(line.item_id)
        ).all()
    )
    lines = []
    for b in bom:
        item = b["component_id"]
        free = max(held_at_shop.get(item, 0) - taken.get(item, 0), 0)
        need = b["qty_per_unit"] * task.to_start - free - int(coming.get(item, 0))
        if need > 0:
            lines.append({"item_id": item, "sku": b["sku"], "name": b["name"], "required": need, "qty": 0})
    if not lines:
        raise TransferRefused(
            f"Комплектующие по заданию {task.number} уже есть на {SHOP} или в пути: перемещение не нужно"
        )
    made = _create(
        conn, kind="components", task=task, source=WAREHOUSE, destination=SHOP, lines=lines,
        cell_kinds=("storage",), now=now, user_id=user_id,
    )  # fmt: skip
    send_kit(conn, task.number)
    return made


def return_finished_goods(
    conn: Connection, production_task_number: str, qty: int, now: dt.datetime, user_id: int | None = None
) -> dict[str, Any]:
    """Finished goods of a task back from the shop to the main warehouse, S1 → W1, in the caller's transaction."""
    if qty <= 0:
        raise TransferRefused("Количество должно быть больше нуля")
    found = load_tasks(conn, numbers=[production_task_number])
    if not found:
        raise TransferRefused(f"Задание {production_task_number} не найдено")
    task = found[0]
    shop_id, _ = _site(conn, SHOP)
    held = _holds(conn, shop_id)
    free = sum(q for _, _, q in _cells(conn, shop_id, task.item_id, ("storage", "receiving", "shipping"), held))
    if free < qty:
        raise TransferRefused(f"На {SHOP} свободно {free} шт. {task.sku} «{task.item_name}», запрошено {qty}")
    lines = [{"item_id": task.item_id, "sku": task.sku, "name": task.item_name, "required": qty, "qty": 0}]
    return _create(
        conn, kind="finished", task=task, source=SHOP, destination=WAREHOUSE, lines=lines,
        cell_kinds=("storage", "receiving", "shipping"), now=now, user_id=user_id,
    )  # fmt: skip


def _line_view(row: Any, status: str) -> dict[str, Any]:
    in_transit = row.shipped - row.received - row.defective
    return {
        "sku": row.sku,
        "name": row.name,
        "required": row.required,
        "qty": row.qty,
        "not_at_source": row.required - row.qty,
        "picked": row.picked,
        "shipped": row.shipped,
        "received": row.received,
        "defective": row.defective,
        # Shipped and not (yet) received: on the road while in transit, a loss (or surplus, < 0) once received.
        "in_transit": in_transit,
        "difference": in_transit if status == "received" else 0,
    }


def transfers(conn: Connection, status: str | None = None, task_number: str | None = None) -> list[dict[str, Any]]:
    """Transfers newest first, with their lines and differences."""
    t = s.transfers.c
    src, dst = s.sites.alias("src"), s.sites.alias("dst")
    query = (
        select(t.id, t.number, t.kind, t.status, t.pick_code, t.receipt_code, t.created_at, t.picked_at,
               t.shipped_at, t.received_at, s.production_tasks.c.number.label("task"), src.c.code.label("source"),
               dst.c.code.label("destination"))
        .join(s.production_tasks, s.production_tasks.c.id == t.task_id)
        .join(src, src.c.id == t.from_site_id)
        .join(dst, dst.c.id == t.to_site_id)
        .order_by(t.id.desc())
    )  # fmt: skip
    if status:
        query = query.where(t.status == status)
    if task_number:
        query = query.where(s.production_tasks.c.number == task_number)
    heads = conn.execute(query).all()
    line = s.transfer_lines.c
    by_transfer: dict[int, list[Any]] = defaultdict(list)
    if heads:
        for row in conn.execute(
            select(line.transfer_id, s.items.c.sku, s.items.c.name, line.required, line.qty, line.picked,
                   line.shipped, line.received, line.defective)
            .join(s.items, s.items.c.id == line.item_id)
            .where(line.transfer_id.in_([h.id for h in heads]))
            .order_by(line.transfer_id, s.items.c.sku)
        ):  # fmt: skip
            by_transfer[row.transfer_id].append(row)
    out = []
    for h in heads:
        lines = [_line_view(row, h.status) for row in by_transfer[h.id]]
        out.append(
            {
                "number": h.number,
                "kind": h.kind,
                "kind_title": KIND_TITLES[h.kind],
                "task": h.task,
                "source": h.source,
                "destination": h.destination,
                "status": h.status,
                "status_title": STATUS_TITLES[h.status],
                "pick_code": h.pick_code,
                "receipt_code": h.receipt_code,
                "created_at": h.created_at.isoformat(),
                "picked_at": h.picked_at.isoformat() if h.picked_at else None,
                "shipped_at": h.shipped_at.isoformat() if h.shipped_at else None,
                "received_at": h.received_at.isoformat() if h.received_at else None,
                "lines": lines,
                "has_differences": any(
                    line["difference"]
                    or line["not_at_source"]
                    or (h.status != "requested" and line["picked"] < line["qty"])
                    for line in lines
                ),
            }
        )
    return out


def transfer(conn: Connection, number: str) -> dict[str, Any]:
    """One transfer by number; ``TransferRefused`` when unknown."""
    number_id = conn.execute(select(s.transfers.c.id).where(s.transfers.c.number == number)).scalar()
    if number_id is None:
        raise TransferRefused(f"Перемещение {number} не найдено")
    return next(x for x in transfers(conn) if x["number"] == number)


def consumption(conn: Connection, task_number: str) -> list[dict[str, Any]]:
    """Per component of a task: the BOM norm for the units finished and scrapped, consumed, scrap, over-use, short."""
    c = s.shop_consumption.c
    rows = conn.execute(
        select(s.items.c.sku, s.items.c.name, c.purpose, func.sum(c.qty), func.sum(c.short), func.sum(c.units))
        .join(s.items, s.items.c.id == c.item_id)
        .where(c.task_number == task_number)
        .group_by(s.items.c.sku, s.items.c.name, c.purpose)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for sku, name, purpose, qty, short, _units in rows:
        line = out.setdefault(
            sku, {"sku": sku, "name": name, "production": 0, "scrap": 0, "overuse": 0, "produced": 0, "short": 0}
        )
        line[purpose] += int(qty or 0)
        line["short"] += int(short or 0)
    return sorted(out.values(), key=lambda line: line["sku"])


# --- following the edges' facts (inside the inbox transaction) ------------------------------------------------


def project_transfers(conn: Connection, site_id: int, events: Sequence[Event], now: dt.datetime) -> None:
    """Follow transfers and the shop's consumption through a site's applied run (called by the inbox)."""
    facts: list[tuple[Event, Fact]] = []
    for event in events:
        if event.type not in FOLLOWED:
            continue
        try:
            facts.append((event, read_event(event.type, event.schema_version, event.payload)))
        except (UnknownSchema, InvalidEvent):
            continue  # the inbox has already recorded why
    if not facts:
        return
    t = s.transfers.c
    codes = {code for _, fact in facts if (code := _code(fact)) is not None}
    found = conn.execute(
        select(t.id, t.pick_code, t.receipt_code, t.from_site_id, t.to_site_id, t.status).where(
            t.pick_code.in_(codes) | t.receipt_code.in_(codes)
        )
    ).all()
    by_pick = {r.pick_code: r for r in found if r.from_site_id == site_id}
    by_receipt = {r.receipt_code: r for r in found if r.to_site_id == site_id}
    status = {r.id: str(r.status) for r in found}
    items = dict(conn.execute(select(s.items.c.sku, s.items.c.id)).all())
    problems: list[dict[str, Any]] = []
    for event, fact in facts:
        if isinstance(fact, ComponentsConsumed | UnitsProduced):
            problems += _consumed(conn, site_id, event, fact, items, now)
            continue
        code = _code(fact)
        at_source = isinstance(fact, UnitsPicked | PickTaskCompleted | UnitsShipped)
        row = (by_pick if at_source else by_receipt).get(code or "")
        if row is None:
            continue
        if isinstance(fact, UnitsPicked | UnitsShipped | UnitsReceived | DefectiveReceived):
            _add(conn, row.id, items.get(fact.sku), COUNTED[type(fact).__name__], fact.qty)
        if type(fact).__name__ in MILESTONES:
            new_status, stamp = MILESTONES[type(fact).__name__]
            conn.execute(
                update(s.transfers)
                .where(t.id == row.id, getattr(t, stamp).is_(None))
                .values({stamp: event.occurred_at})
            )
            # The two ends sync independently: a receipt closed at S1 may arrive before W1's shipment.
            if STATUSES.index(new_status) > STATUSES.index(status[row.id]):
                status[row.id] = new_status
                conn.execute(update(s.transfers).where(t.id == row.id).values(status=new_status))
    if problems:
        conn.execute(insert(s.sync_exceptions), problems)


COUNTED = {
    "UnitsPicked": "picked",
    "UnitsShipped": "shipped",
    "UnitsReceived": "received",
    "DefectiveReceived": "defective",
}
MILESTONES = {
    "PickTaskCompleted": ("picked", "picked_at"),
    "UnitsShipped": ("shipped", "shipped_at"),
    "ReceiptClosed": ("received", "received_at"),
}


def _code(fact: Fact) -> str | None:
    match fact:
        case UnitsPicked() | PickTaskCompleted():
            return fact.task
        case UnitsShipped():
            return fact.shipment
        case UnitsReceived() | DefectiveReceived():
            return fact.receipt
        case ReceiptClosed():
            return fact.receipt
    return None


def _add(conn: Connection, transfer_id: int, item_id: int | None, column: str, qty: int) -> None:
    if item_id is None:
        return
    line = s.transfer_lines.c
    key = (line.transfer_id == transfer_id) & (line.item_id == item_id)
    if conn.execute(update(s.transfer_lines).where(key).values({column: getattr(line, column) + qty})).rowcount == 0:
        # An item the transfer did not list (received against it anyway): a line of its own, asked for 0.
        conn.execute(
            insert(s.transfer_lines).values(
                transfer_id=transfer_id, item_id=item_id, required=0, qty=0, **{column: qty}
            )
        )


def _consumed(
    conn: Connection,
    site_id: int,
    event: Event,
    fact: ComponentsConsumed | UnitsProduced,
    items: dict[str, int],
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """The shop's consumption ledger; a shortage (the BOM asked for more than the shop held) is an exception."""
    rows: list[dict[str, Any]] = []
    base = {"site_id": site_id, "seq": event.seq, "task_number": fact.task, "occurred_at": event.occurred_at}
    if isinstance(fact, UnitsProduced):
        if fact.sku in items:
            rows.append({**base, "item_id": items[fact.sku], "purpose": "produced", "qty": fact.qty, "short": 0,
                         "units": fact.qty, "reason": None})  # fmt: skip
    else:
        per_sku: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for line in fact.lines:
            per_sku[line.sku][0] += line.qty
        for short in fact.short:
            per_sku[short.sku][1] += short.qty
        for sku, (qty, short_qty) in per_sku.items():
            if sku in items:
                rows.append({**base, "item_id": items[sku], "purpose": fact.purpose, "qty": qty, "short": short_qty,
                             "units": fact.units, "reason": fact.reason})  # fmt: skip
    if rows:
        conn.execute(insert(s.shop_consumption), rows)
    if isinstance(fact, ComponentsConsumed) and fact.short:
        what = "; ".join(f"{line.sku}: {line.qty} шт." for line in fact.short)
        purpose = {"production": "выпуск", "scrap": "брак", "overuse": "перерасход"}[fact.purpose]
        return [
            {
                "site_id": site_id,
                "seq": event.seq,
                "kind": "consumption_short",
                "message": f"задание {fact.task} ({purpose}): на складе цеха не хватило комплектующих — {what};"
                " списано сколько было, остаток не ушёл в минус",
                "created_at": now,
            }
        ]
    return []
