"""Serials in the sync contract (WH-1): v3 events carry them, v1 and v2 events still read, and central's inbox
projects them on SQLite and PostgreSQL (0016_serials)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from central.store import schema as s
from central.sync.inbox import SiteRef, apply_events
from central.warehouse.packages import package_view
from central.warehouse.serials import serial_view
from sync.events import (
    PackageShipped,
    UnitsMoved,
    UnknownSchema,
    WorkStarted,
    read_event,
    version_of,
)
from sync.messages import Event
from tests.dispatch.company import seeded

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
BOX = "046012340000000017"


def test_serial_events_are_version_3_and_older_versions_read_without_serials():
    assert version_of("UnitsMoved") == version_of("PackageShipped") == 3
    assert version_of(WorkStarted.__name__) == 2  # untouched types keep their version
    move = {"sku": "A", "from_cell_id": 1, "to_cell_id": 2, "qty": 1}
    assert read_event("UnitsMoved", 1, move) == UnitsMoved(**move, package=None, serials=[])
    v2 = read_event("UnitsMoved", 2, {**move, "package": BOX})
    assert isinstance(v2, UnitsMoved) and v2.serials == []
    v3 = read_event("UnitsMoved", 3, {**move, "serials": ["S1"]})
    assert isinstance(v3, UnitsMoved) and v3.serials == ["S1"]
    with pytest.raises(UnknownSchema):
        read_event("UnitsMoved", 4, move)
    with pytest.raises(UnknownSchema):
        read_event("PackageShipped", 2, {})  # it never had a version 2
    shipped = read_event(
        "PackageShipped",
        3,
        {"package": BOX, "cell_id": 5, "shipment": "T", "packages": [BOX], "contents": [{"sku": "A", "qty": 2}]},
    )
    assert isinstance(shipped, PackageShipped)


def up(seq: int, kind: str, payload: dict[str, object], version: int = 3) -> Event:
    return Event(
        event_id=f"{os.urandom(8).hex()}{seq:016d}",
        seq=seq,
        type=kind,
        occurred_at=NOW,
        actor="t",
        payload=payload,
        schema_version=version,
    )


def test_central_follows_the_serials_of_a_sites_events(database_url):
    engine = seeded(database_url)
    with engine.begin() as conn:
        site = SiteRef.load(conn, "W1")
        sku = conn.execute(select(s.items.c.sku).where(s.items.c.serialized.is_(True)).order_by(s.items.c.sku)).scalar()
        assert isinstance(sku, str)
        cells = sorted(site.cells)
        a, b = cells[0], cells[1]
        applied = apply_events(
            conn,
            site,
            [
                up(1, "UnitsReceived", {"sku": sku, "cell_id": a, "qty": 2, "receipt": None, "serials": ["S1", "S2"]}),
                up(2, "UnitsMoved", {"sku": sku, "from_cell_id": a, "to_cell_id": b, "qty": 1}, version=2),
                up(3, "UnitsPacked", {"package": BOX, "cell_id": a, "sku": sku, "qty": 1, "serials": ["S1"]}),
                up(
                    4,
                    "PackageClosed",
                    {
                        "package": BOX,
                        "cell_id": a,
                        "kind": "box",
                        "units": [{"sku": sku, "qty": 1}],
                        "children": [],
                        "contents": [{"sku": sku, "qty": 1}],
                    },
                    version=2,
                ),
                up(
                    5,
                    "UnitsShipped",
                    {"sku": sku, "cell_id": a, "qty": 1, "shipment": "T-9", "package": BOX, "serials": ["S1"]},
                ),
                up(
                    6,
                    "PackageShipped",
                    {
                        "package": BOX,
                        "cell_id": a,
                        "shipment": "T-9",
                        "packages": [BOX],
                        "contents": [{"sku": sku, "qty": 1}],
                    },
                ),
                up(7, "UnitsMoved", {"sku": sku, "from_cell_id": a, "to_cell_id": b, "qty": 1, "serials": ["S2"]}),
            ],
            NOW,
        )
        assert applied == 7
        first, second = serial_view(conn, sku, "S1"), serial_view(conn, sku, "S2")
        view = package_view(conn, BOX)
    assert first is not None and second is not None and view is not None
    assert (first["site"], first["cell_id"], first["package"], first["status"], first["seq"]) == (
        "W1",
        a,
        BOX,
        "shipped",
        5,
    )
    assert (second["cell_id"], second["package"], second["status"], second["seq"]) == (b, None, "in_stock", 7)
    assert view["status"] == "shipped"
    with engine.connect() as conn:
        assert serial_view(conn, sku, "S3") is None
