"""The BOM and routing of an item, read-only (ITEM-2): components with quantity per unit, operations with their
work-centre group and norm time; and where the item is itself a component."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from central.production import tasks as pt
from central.store import schema as s

KIND_TITLES = {"component": "комплектующее", "semi_finished": "полуфабрикат", "finished": "готовая продукция"}


def item_card(conn: Connection, sku: str) -> dict[str, Any] | None:
    """``item_card(conn, "ГП-01701")`` → item, ``components``, ``operations``, ``used_in``; None for an unknown sku."""
    i = s.items.c
    item = conn.execute(
        select(i.id, i.sku, i.name, i.kind, i.uom, i.min_stock).where(i.sku == sku)
    ).one_or_none()  # fmt: skip
    if item is None:
        return None
    components = pt.boms(conn, [item.id])[item.id]
    operations = pt.routings(conn, [item.id])[item.id]
    b = s.bom_lines.c
    used_in = [
        {"sku": r.sku, "name": r.name, "qty_per_unit": r.qty_per_unit}
        for r in conn.execute(
            select(i.sku, i.name, b.qty_per_unit)
            .join(s.bom_lines, b.item_id == i.id)
            .where(b.component_id == item.id)
            .order_by(i.sku)
        )
    ]
    return {
        "sku": item.sku, "name": item.name, "kind": item.kind, "kind_title": KIND_TITLES[item.kind],
        "uom": item.uom, "min_stock": item.min_stock,
        "components": [{**c, "kind_title": KIND_TITLES[c["kind"]]} for c in components],
        "operations": operations,
        "norm_minutes_per_unit": sum(op["norm_minutes_per_unit"] for op in operations),
        "used_in": used_in,
    }  # fmt: skip
