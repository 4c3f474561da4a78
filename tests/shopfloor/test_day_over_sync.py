"""A worker's day with central down: the shop edge keeps working; after sync central has exact norm-hours and pay.

Real Mosquitto, central's sync worker and the edge's sync link, as tests/sync/test_roundtrip.py runs them.
"""

from __future__ import annotations

import datetime as dt

from central.payroll.compute import compute_payroll
from central.production.normhours import summary
from central.store.engine import create_central_engine
from central.sync.worker import CentralSync
from edge.shopfloor.service import ShopFloor
from edge.store import open_site_database
from edge.sync.client import EdgeSync
from sync.transport import BrokerAddress
from tests.shopfloor.day import Clock, prepare_central, work_the_day
from tests.sync.helpers import central_applied, edge_outbox_seq, ledger, outbox, wait_until


def test_a_day_with_central_down_gives_exact_norm_hours_and_pay(mosquitto, central_url, tmp_path):
    engine = create_central_engine(central_url)
    with engine.begin() as conn:
        plan = prepare_central(conn)
    address = BrokerAddress.parse(mosquitto.url)
    worker = CentralSync(engine, address)
    worker.start()
    path = tmp_path / "S1.db"
    edge = EdgeSync("S1", path, address)
    edge.start()
    try:
        db = open_site_database(path)
        wait_until(
            lambda: db.execute("SELECT count(*) FROM tasks WHERE kind = 'operation'").fetchone()[0] >= 2,
            20,
            "operations",
        )
        worker.stop()  # central goes down for the whole shift

        clock = Clock()
        shop = ShopFloor(db, clock=clock)
        work_the_day(shop, clock, plan)
        newest = edge_outbox_seq(path)
        assert newest == 10  # 2 starts, 2 pauses, 2 resumes, 2 finishes, then op 2 started and finished
        assert central_applied(engine, "S1") == 0

        worker = CentralSync(engine, address)  # central is back
        worker.start()
        wait_until(lambda: central_applied(engine, "S1") == newest, 30, "central to apply the shift")
        assert ledger(engine, "S1") == outbox(path)
    finally:
        edge.stop()
        worker.stop()

    with engine.connect() as conn:
        rows = {r["badge"]: r for r in summary(conn, dt.date(2026, 11, 24), dt.date(2026, 11, 25))}
        pay = {sheet.ref: sheet for sheet in compute_payroll(conn, 2026, 11).sheets}
    piece, hourly = plan["piece"]["badge"], plan["hourly"]["badge"]
    assert (rows[piece]["norm_hours"], rows[piece]["actual_hours"]) == ("7.50", "8.25")
    assert (rows[hourly]["norm_hours"], rows[hourly]["actual_hours"]) == ("3.00", "4.22")
    # 450 norm-min × 455.37 ₽ / 60 = 3 415.275 ₽ → 3 415.28 ₽
    assert pay[piece].total_kop == 341_528
    # 253 min × 383.33 ₽ / 60 = 1 616.3748… ₽ → 1 616.37 ₽
    assert pay[hourly].total_kop == 161_637
