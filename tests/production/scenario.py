"""A hand-checked task on the demo company: ПР-00119 (ГП-01908, 54 units, due 12.12.2026, planned).

Its BOM per unit: КМ-00022 ×3, КМ-00550 ×3, КМ-00556 ×6, КМ-00645 ×2, КМ-01048 ×4 — no other open task uses
these components. ``prepare`` adds, on top of the seed:

- shop output: operation 1 — 10 good + 2 defective (one worker), operation 2 — 6 good + 1 defective, and one
  worker still on operation 2; so 54 − 10 = 44 units are still to start and 6 are done;
- 5 units of КМ-00550 in a cell of the shop store S1 (155 at W1 in the seed, 33 reserved for orders);
- an open supply order ПЗ-00031 of 100 × КМ-00556 arriving 01.12.2026 (289 at W1, 97 reserved);
- an accepted production plan of S1: ПР-00119 from 10.12 to 14.12.2026, ПР-00107 ending 22.11.2026 18:00 MSK.

By hand (44 units to start):

| component | per unit | required | free (on hand − reserved) | covered | short | planned arrival |
| --- | --- | --- | --- | --- | --- | --- |
| КМ-00022 | 3 | 132 | 404 | 132 | 0 | |
| КМ-00550 | 3 | 132 | 155 + 5 − 33 = 127 | 127 | 5 | 23.11 + 10 days lead time = 03.12.2026 |
| КМ-00556 | 6 | 264 | 289 − 97 = 192 | 192 | 72 | ПЗ-00031, 01.12.2026 (100 ≥ 72) |
| КМ-00645 | 2 | 88 | 715 | 88 | 0 | |
| КМ-01048 | 4 | 176 | 340 | 176 | 0 | |

Kitted % = ⌊100 × (1 + 127/132 + 192/264 + 1 + 1) / 5⌋ = ⌊100 × 4.68939… / 5⌋ = ⌊93.79⌋ = 93.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Connection, Table, insert, select

from central.store import schema as s

TASK = "ПР-00119"
MSK = dt.timezone(dt.timedelta(hours=3))


def _id(conn: Connection, table: Table, column: ColumnElement[str], value: str) -> int:
    return int(conn.execute(select(table.c.id).where(column == value)).scalar_one())


def prepare(conn: Connection) -> None:
    s1 = _id(conn, s.sites, s.sites.c.code, "S1")
    ops = {
        r.seq: r
        for r in conn.execute(
            select(s.routing_operations.c.id, s.routing_operations.c.seq, s.routing_operations.c.name,
                   s.routing_operations.c.norm_minutes_per_unit, s.work_center_groups.c.code)
            .join(s.work_center_groups, s.work_center_groups.c.id == s.routing_operations.c.group_id)
            .join(s.items, s.items.c.id == s.routing_operations.c.item_id)
            .where(s.items.c.sku == "ГП-01908")
        )
    }  # fmt: skip
    start = dt.datetime(2026, 11, 20, 6, tzinfo=dt.UTC)
    records = [
        ("w1", 1, "finished", 10, 2),
        ("w2", 2, "finished", 6, 1),
        ("w3", 2, "running", 0, 0),
    ]
    for n, (session, seq, state, good, defective) in enumerate(records):
        op = ops[seq]
        conn.execute(
            insert(s.work_records).values(
                site_id=s1, session=session, task_number=TASK, routing_operation_id=op.id, op_seq=seq,
                operation=op.name, sku="ГП-01908", group_code=op.code, worker_badge=f"220000000{n}",
                norm_minutes_per_unit=op.norm_minutes_per_unit, started_at=start,
                ended_at=None if state == "running" else start + dt.timedelta(hours=2), state=state, good=good,
                defective=defective,
            )
        )  # fmt: skip
    component = _id(conn, s.items, s.items.c.sku, "КМ-00550")
    cell = conn.execute(select(s.cells.c.id).where(s.cells.c.site_id == s1).order_by(s.cells.c.id.desc())).scalar()
    conn.execute(insert(s.stock).values(site_id=s1, item_id=component, cell_id=cell, qty=5))
    supply_id = conn.execute(
        insert(s.supply_orders)
        .values(number="ПЗ-00031", supplier_id=1, ordered_on=dt.date(2026, 11, 20), eta=dt.date(2026, 12, 1),
                status="open")
        .returning(s.supply_orders.c.id)
    ).scalar_one()  # fmt: skip
    conn.execute(
        insert(s.supply_order_lines).values(
            supply_order_id=supply_id, item_id=_id(conn, s.items, s.items.c.sku, "КМ-00556"), qty=100, price_kop=1
        )
    )
    _accepted_plan(conn, s1)


def _accepted_plan(conn: Connection, site_id: int) -> None:
    proposal = conn.execute(
        insert(s.proposals)
        .values(kind="production", site_id=site_id, created_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
                created_by=1, status="accepted", snapshot={}, result={}, figures={}, explanation=[], diff=[])
        .returning(s.proposals.c.id)
    ).scalar_one()  # fmt: skip
    spans = {
        "ПР-00119": (dt.datetime(2026, 12, 10, 9, tzinfo=MSK), dt.datetime(2026, 12, 14, 17, tzinfo=MSK)),
        "ПР-00107": (dt.datetime(2026, 11, 22, 9, tzinfo=MSK), dt.datetime(2026, 11, 22, 18, tzinfo=MSK)),
    }
    spans = {k: (a.astimezone(dt.UTC), b.astimezone(dt.UTC)) for k, (a, b) in spans.items()}  # stored in UTC
    for position, (number, (begin, end)) in enumerate(spans.items(), 1):
        task_id, item_id = conn.execute(
            select(s.production_tasks.c.id, s.production_tasks.c.item_id).where(s.production_tasks.c.number == number)
        ).one()
        plan_task = conn.execute(
            insert(s.production_plan_tasks)
            .values(proposal_id=proposal, site_id=site_id, task_id=task_id, position=position, start_at=begin,
                    end_at=end)
            .returning(s.production_plan_tasks.c.id)
        ).scalar_one()  # fmt: skip
        for op_id, seq, group_id in conn.execute(
            select(s.routing_operations.c.id, s.routing_operations.c.seq, s.routing_operations.c.group_id).where(
                s.routing_operations.c.item_id == item_id
            )
        ):
            centre = conn.execute(select(s.work_centers.c.id).where(s.work_centers.c.group_id == group_id)).scalar()
            conn.execute(
                insert(s.production_plan_ops).values(
                    plan_task_id=plan_task, routing_operation_id=op_id, seq=seq, work_center_id=centre,
                    start_at=begin, end_at=end,
                )
            )  # fmt: skip
