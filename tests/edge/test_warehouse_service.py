"""Each warehouse command commits its stock change and its outbox event together, or nothing at all."""

from __future__ import annotations

import json

import pytest

from edge.store import open_site_database
from edge.warehouse.domain import MoveUnits, ReceiveUnits, Refused
from edge.warehouse.service import handle, stock_rows


@pytest.fixture
def db(tmp_path):
    db = open_site_database(tmp_path / "W1.db")
    db.table("items").insert(
        {"sku": "K-40", "name": "Кронштейн", "ean13": "4601234567894", "uom": "шт", "serialized": 0, "lot_tracked": 0}
    )
    db.table("cells").insert_all(
        [
            {"id": 1, "address": "A-01-01-01", "barcode": "2100000000015", "kind": "storage"},
            {"id": 2, "address": "A-01-01-02", "barcode": "2100000000022", "kind": "storage"},
            {"id": 8, "address": "RCV-01", "barcode": "2100000000084", "kind": "receiving"},
        ]
    )
    return db


def outbox(db):
    return [(r[0], r[1], json.loads(r[2])) for r in db.execute("SELECT seq, type, payload FROM outbox ORDER BY seq")]


def test_commands_change_stock_and_write_events_in_order(db):
    assert handle(db, ReceiveUnits("K-40", 8, 10, "PO-77"), actor="badge:2200000000013")[0] == 1
    assert handle(db, MoveUnits("K-40", 8, 1, 7), actor="badge:2200000000013")[0] == 2
    assert stock_rows(db) == [
        {"sku": "K-40", "cell": "A-01-01-01", "qty": 7},
        {"sku": "K-40", "cell": "RCV-01", "qty": 3},
    ]
    assert outbox(db) == [
        (1, "UnitsReceived", {"sku": "K-40", "cell_id": 8, "qty": 10, "receipt": "PO-77"}),
        (2, "UnitsMoved", {"sku": "K-40", "from_cell_id": 8, "to_cell_id": 1, "qty": 7}),
    ]


def test_a_refusal_writes_nothing(db):
    handle(db, ReceiveUnits("K-40", 8, 2), actor="a")
    with pytest.raises(Refused):
        handle(db, MoveUnits("K-40", 8, 1, 3), actor="a")
    assert len(outbox(db)) == 1
    assert stock_rows(db) == [{"sku": "K-40", "cell": "RCV-01", "qty": 2}]


def test_emptied_cells_leave_the_stock_list(db):
    handle(db, ReceiveUnits("K-40", 8, 2), actor="a")
    handle(db, MoveUnits("K-40", 8, 2, 2), actor="a")
    assert stock_rows(db) == [{"sku": "K-40", "cell": "A-01-01-02", "qty": 2}]
