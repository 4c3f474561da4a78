"""Sending production operations down to the shop edge as tasks of kind ``operation``.

The order is the accepted production plan when there is one (``central.dispatch.production.current_queue``,
the optimizer's queue): its operations first, in planned order; every other open task's operations follow by
due date, task number and operation sequence.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from central.store import schema as s
from central.sync.downlog import append_down, site_id_of


def operation_task_id(task_number: str, op_seq: int) -> str:
    """The edge task id of an operation: ``operation_task_id("ПР-00101", 2) == "op:ПР-00101:2"``."""
    return f"op:{task_number}:{op_seq}"


def _plan_positions(conn: Connection, site: str) -> dict[tuple[str, int], int]:
    """(task number, operation seq) → position in the accepted plan; empty without one."""
    try:
        module = importlib.import_module("central.dispatch.production")
    except ImportError:
        return {}
    current_queue = getattr(module, "current_queue", None)
    if current_queue is None:
        return {}
    return {(str(row["task"]), int(row["seq"])): n for n, row in enumerate(current_queue(conn, site), 1)}


def release_operations(conn: Connection, site: str = "S1", tasks: list[str] | None = None) -> list[dict[str, Any]]:
    """Queue every not yet released operation of open production tasks for the site, in the caller's transaction.

    ``tasks`` limits it to those task numbers. Returns the payloads sent (each also recorded in
    ``operation_releases`` so that a task is never sent twice).
    """
    site_id = site_id_of(conn, site)
    positions = _plan_positions(conn, site)
    t, r, i, g = s.production_tasks.c, s.routing_operations.c, s.items.c, s.work_center_groups.c
    query = (
        select(
            t.id, t.number, t.qty, t.due, r.id, r.seq, r.name, r.norm_minutes_per_unit, i.sku, i.name, g.code, g.name,
            s.shop_group_rules.c.parallel_capable,
        )
        .join(s.items, i.id == t.item_id)
        .join(s.routing_operations, r.item_id == t.item_id)
        .join(s.work_center_groups, g.id == r.group_id)
        .outerjoin(s.shop_group_rules, s.shop_group_rules.c.group_id == g.id)
        .outerjoin(
            s.operation_releases,
            (s.operation_releases.c.task_id == t.id) & (s.operation_releases.c.routing_operation_id == r.id),
        )
        .where(t.status.in_(("planned", "in_work")), s.operation_releases.c.id.is_(None))
    )  # fmt: skip
    if tasks is not None:
        query = query.where(t.number.in_(tasks))
    rows = list(conn.execute(query).all())
    far = len(positions) + 1
    rows.sort(key=lambda row: (positions.get((row[1], row[5]), far), row[3], row[1], row[5]))
    now = datetime.now(UTC)
    sent = []
    base = len(positions)
    for n, (task_id, number, qty, due, op_id, seq, name, norm, sku, item_name, gcode, gname, parallel) in enumerate(
        rows, 1
    ):
        payload = {
            "id": operation_task_id(number, seq),
            "kind": "operation",
            "task": number,
            "operation_id": op_id,
            "op_seq": seq,
            "operation": name,
            "sku": sku,
            "item_name": item_name,
            "qty": qty,
            "group_code": gcode,
            "group_name": gname,
            "parallel": bool(parallel),
            "norm_minutes_per_unit": norm,
            "due": due.isoformat(),
            "position": positions.get((number, seq), base + n),
        }
        append_down(conn, site, "task", payload)
        conn.execute(
            insert(s.operation_releases).values(
                site_id=site_id, task_id=task_id, routing_operation_id=op_id, released_at=now
            )
        )
        sent.append(payload)
    return sent
