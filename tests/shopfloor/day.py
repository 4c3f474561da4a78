"""A worker's day on the shop floor, shared by the in-process and the real-sync tests.

Figures are set by hand so the expected norm-hours and pay can be computed on paper (see the tests).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from central.production.release import release_operations
from central.store import schema as s
from edge.shopfloor.service import ShopFloor

DAY = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # Tuesday 24 November 2026, 08:00 Moscow
PIECE_RATE = 45_537  # kopecks per norm-hour
HOURLY_RATE = 38_333  # kopecks per hour
DEMO_PIN = "1234"


def prepare_central(conn: Connection) -> dict[str, Any]:
    """One open task of 40 units with two operations (12 and 7 min/unit), a piecework and an hourly worker."""
    task_id, item_id, number = conn.execute(
        select(s.production_tasks.c.id, s.production_tasks.c.item_id, s.production_tasks.c.number)
        .where(s.production_tasks.c.status == "planned")
        .order_by(s.production_tasks.c.id)
        .limit(1)
    ).one()
    conn.execute(update(s.production_tasks).where(s.production_tasks.c.id == task_id).values(qty=40))
    ops = conn.execute(
        select(s.routing_operations.c.id, s.routing_operations.c.seq)
        .where(s.routing_operations.c.item_id == item_id)
        .order_by(s.routing_operations.c.seq)
    ).all()
    for (op_id, seq), norm in zip(ops, (12, 7, 5, 5), strict=False):
        conn.execute(
            update(s.routing_operations).where(s.routing_operations.c.id == op_id).values(norm_minutes_per_unit=norm)
        )
        del seq
    piece = conn.execute(select(s.workers.c.id, s.workers.c.badge).where(s.workers.c.pay_kind == "piecework")).first()
    hourly = conn.execute(select(s.workers.c.id, s.workers.c.badge).where(s.workers.c.pay_kind == "hourly")).first()
    assert piece and hourly
    conn.execute(update(s.workers).where(s.workers.c.id == piece[0]).values(rate_kop=PIECE_RATE))
    conn.execute(update(s.workers).where(s.workers.c.id == hourly[0]).values(rate_kop=HOURLY_RATE))
    sent = release_operations(conn, "S1", [number])
    return {
        "task": number,
        "operations": [p["id"] for p in sent],
        "piece": {"id": piece[0], "badge": piece[1]},
        "hourly": {"id": hourly[0], "badge": hourly[1]},
    }


class Clock:
    def __init__(self) -> None:
        self.now = DAY

    def __call__(self) -> datetime:
        return self.now

    def at(self, hhmm: str) -> None:
        hours, minutes = map(int, hhmm.split(":"))
        self.now = DAY + timedelta(hours=hours - 8, minutes=minutes)


def work_the_day(shop: ShopFloor, clock: Clock, plan: dict[str, Any]) -> None:
    """Piecework worker: op 1 08:00–12:30 with a 15-minute break, 20 good + 1 defective; op 2 13:00–17:00, 30 good.

    Hourly worker: op 1 08:00–12:20 with a 7-minute pause for missing material, 15 good.
    """
    op1, op2 = plan["operations"][:2]
    piece, hourly = plan["piece"]["badge"], plan["hourly"]["badge"]
    clock.at("08:00")
    assert shop.login("Сварка-1", piece, DEMO_PIN).ok
    assert shop.login("Сварка-2", hourly, DEMO_PIN).ok
    assert shop.start("Сварка-1", op1).ok
    assert shop.start("Сварка-2", op1).ok
    p1 = shop.state("Сварка-1")["sessions"][0]["id"]
    h1 = shop.state("Сварка-2")["sessions"][0]["id"]
    clock.at("10:00")
    assert shop.pause("Сварка-1", p1, "break").ok
    assert shop.pause("Сварка-2", h1, "no_material").ok
    clock.at("10:07")
    assert shop.resume("Сварка-2", h1).ok
    clock.at("10:15")
    assert shop.resume("Сварка-1", p1).ok
    clock.at("12:20")
    assert shop.finish("Сварка-2", h1, 15, 0).ok
    clock.at("12:30")
    assert shop.finish("Сварка-1", p1, 20, 1).ok
    clock.at("13:00")
    assert shop.start("Сварка-1", op2).ok
    p2 = shop.state("Сварка-1")["sessions"][0]["id"]
    clock.at("17:00")
    assert shop.finish("Сварка-1", p2, 30, 0).ok
