"""The inbox on SQLite and PostgreSQL: applied once, in order, projected into stock, duplicates no-ops."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert, select

from central.store import schema as s
from central.store.engine import create_central_engine, migrate
from central.sync.inbox import SiteRef, apply_events, site_stock
from sync.messages import Event

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def event(seq: int, kind: str, **payload: object) -> Event:
    return Event(
        event_id=f"{seq:032x}", seq=seq, type=kind, occurred_at=T0 + dt.timedelta(seconds=seq), actor="t",
        payload={"package": None, **payload}, schema_version=2,
    )  # fmt: skip


def test_apply_project_and_ignore_duplicates(database_url):
    engine = create_central_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(insert(s.sites).values(id=1, code="W1", name="Склад", kind="warehouse"))
        conn.execute(
            insert(s.cells),
            [
                {"id": 10, "site_id": 1, "address": "ПРМ-01", "barcode": "2100000000107", "kind": "receiving"},
                {"id": 11, "site_id": 1, "address": "A-01", "barcode": "2100000000114", "kind": "storage"},
            ],
        )
        conn.execute(
            insert(s.items).values(
                id=1, sku="K-40", name="Кронштейн", kind="component", uom="шт", ean13="4601234567892",
                weight_g=100, volume_cm3=50, planned_cost_kop=1000,
            )
        )  # fmt: skip
    events = [
        event(1, "UnitsReceived", sku="K-40", cell_id=10, qty=10, receipt=None),
        event(2, "UnitsMoved", sku="K-40", from_cell_id=10, to_cell_id=11, qty=4),
        event(3, "UnitsMoved", sku="K-40", from_cell_id=10, to_cell_id=11, qty=6),
    ]
    with engine.begin() as conn:
        ref = SiteRef.load(conn, "W1")
        assert apply_events(conn, ref, events[:2]) == 2
    with engine.begin() as conn:
        assert apply_events(conn, ref, events) == 3  # 1 and 2 again: no-ops
    with engine.connect() as conn:
        assert site_stock(conn, "W1") == [{"sku": "K-40", "cell": "A-01", "qty": 10}]
        rows = conn.execute(
            select(s.inbox.c.seq, s.inbox.c.occurred_at, s.inbox.c.payload).order_by(s.inbox.c.seq)
        ).all()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[1].occurred_at.replace(tzinfo=dt.UTC) == T0 + dt.timedelta(seconds=2)
    assert json.loads(rows[0].payload)["qty"] == 10
