"""Reading back what a release wrote: the pick task row and its downstream message with every WH-3 field."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, select

from central.store import schema as s
from devices.barcodes import company_code

WH3_FIELDS = {
    "manager", "warehouse_manager", "controller", "issued_at", "deadline", "customer", "lines", "site", "site_name",
    "assembly_cell", "assembly_cell_id", "packing", "boxes", "order", "id",
}  # fmt: skip


def issued_task(engine: Engine, number: str) -> tuple[Any, dict[str, Any]]:
    """The order's one pick task and the payload queued for its site."""
    with engine.connect() as conn:
        (task,) = conn.execute(
            select(s.dispatch_tasks, s.sites.c.code.label("site"))
            .join(s.orders, s.orders.c.id == s.dispatch_tasks.c.order_id)
            .join(s.sites, s.sites.c.id == s.dispatch_tasks.c.site_id)
            .where(s.orders.c.number == number, s.dispatch_tasks.c.kind == "pick")
        ).all()
        payloads = [
            json.loads(p)
            for p in conn.execute(
                select(s.down_log.c.payload).where(s.down_log.c.site_id == task.site_id, s.down_log.c.kind == "task")
            ).scalars()
        ]
    (payload,) = [p for p in payloads if p["id"] == company_code("task", task.id)]
    return task, payload


def assert_wh3(payload: dict[str, Any], number: str, lines: dict[str, int]) -> None:
    """Every WH-3 field is filled in, and the lines pick exactly the ordered quantities from W1's storage cells."""
    assert set(payload) >= WH3_FIELDS
    assert all(payload[field] not in (None, "", "—", []) for field in WH3_FIELDS), payload
    assert (payload["order"], payload["site"]) == (number, "W1")
    picked: dict[str, int] = {}
    for line in payload["lines"]:
        assert line["cell"] and line["name"] and line["qty"] > 0
        picked[line["sku"]] = picked.get(line["sku"], 0) + line["qty"]
    assert picked == lines
