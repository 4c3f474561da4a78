"""Norm-hours at central from a day of shop-floor events, applied through the inbox (no broker here)."""

from __future__ import annotations

import datetime as dt

from central.production.normhours import summary
from central.store.engine import create_central_engine
from central.sync.downlog import read_down, site_id_of, snapshot
from central.sync.inbox import SiteRef, apply_events
from edge.shopfloor.service import ShopFloor
from edge.store import open_site_database
from edge.sync.downstream import apply_snapshot
from edge.sync.state import events_after
from tests.shopfloor.day import Clock, prepare_central, work_the_day


def test_a_day_of_work_gives_exact_norm_hours(central_url, tmp_path):
    engine = create_central_engine(central_url)
    with engine.begin() as conn:
        plan = prepare_central(conn)
        picture = snapshot(conn, "S1")
        assert [m.payload["id"] for m in read_down(conn, site_id_of(conn, "S1"), 0, 100)] == plan["operations"]
    db = open_site_database(tmp_path / "S1.db")
    apply_snapshot(db, picture)
    clock = Clock()
    shop = ShopFloor(db, clock=clock)
    work_the_day(shop, clock, plan)
    events = events_after(db, 0, 1000)
    assert {e.schema_version for e in events} == {2}
    with engine.begin() as conn:
        assert apply_events(conn, SiteRef.load(conn, "S1"), events) == events[-1].seq
        apply_events(conn, SiteRef.load(conn, "S1"), events)  # a resend changes nothing
    with engine.connect() as conn:
        day = summary(conn, dt.date(2026, 11, 24), dt.date(2026, 11, 25), "day")
        month = summary(conn, dt.date(2026, 11, 1), dt.date(2026, 12, 1), "month")
    by_badge = {r["badge"]: r for r in day}
    piece = by_badge[plan["piece"]["badge"]]
    # 20 × 12 + 30 × 7 = 450 norm minutes = 7.50 norm-hours; actual 4 h 15 min + 4 h = 8.25 h; 7.5 / 8.25 = 91 %
    assert (piece["norm_minutes"], piece["norm_hours"], piece["actual_hours"]) == (450, "7.50", "8.25")
    assert (piece["output_percent"], piece["good"], piece["defective"], piece["period"]) == (91, 50, 1, "2026-11-24")
    hourly = by_badge[plan["hourly"]["badge"]]
    # 15 × 12 = 180 min = 3.00; actual 08:00–12:20 less 7 min = 4 h 13 min = 4.22 h (253/60 = 4.2166…)
    assert (hourly["norm_minutes"], hourly["norm_hours"], hourly["actual_hours"], hourly["actual_seconds"]) == (
        180, "3.00", "4.22", 253 * 60,
    )  # fmt: skip
    assert [(r["badge"], r["period"], r["norm_minutes"]) for r in month if r["badge"] == piece["badge"]] == [
        (piece["badge"], "2026-11", 450)
    ]
