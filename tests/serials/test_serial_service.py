"""Serials on a real site database (WH-1): written with the stock change and its event, refused without a trace;
site-issued SSCCs never repeat; packages shipped whole (WH-6); a package's gross weight (DEV-2)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import cast

import pytest

from edge.store import open_site_database
from edge.warehouse.domain import CellCounted, CountCell, MoveUnits, PickUnits, ReceiveUnits, Refused, ShipUnits
from edge.warehouse.packing import ClosePackage, PackageShipped, PackUnits, ShipPackage
from edge.warehouse.service import (
    apply_adjustments,
    handle,
    open_new_package,
    package_view,
    package_weight_g,
    restore_serials,
    serial_rows,
)
from tests.serials.site import PUMP, load_serial_site

PREFIX = "4601234"


@pytest.fixture
def db(tmp_path):
    site = open_site_database(tmp_path / "W1.db")
    load_serial_site(site)
    yield site
    site.conn.close()


def where(db, serial: str) -> tuple[object, ...]:
    row = db.execute(
        "SELECT cell_id, package, status, seq FROM serials WHERE sku = ? AND serial = ?", [PUMP, serial]
    ).fetchone()
    return cast("tuple[object, ...]", row)


def outbox(db) -> list[tuple[str, dict[str, object], int]]:
    return [
        (t, json.loads(p), v) for t, p, v in db.execute("SELECT type, payload, schema_version FROM outbox ORDER BY seq")
    ]


def test_received_serials_are_written_with_the_stock_and_the_event(db):
    seq, _ = handle(db, ReceiveUnits(PUMP, 900, 2, None, ("SN1", "SN2")), actor="t")
    assert where(db, "SN1") == (900, None, "in_stock", seq)
    assert outbox(db) == [
        ("UnitsReceived", {"sku": PUMP, "cell_id": 900, "qty": 2, "receipt": None, "serials": ["SN1", "SN2"]}, 3)
    ]
    with pytest.raises(Refused, match="Серийный номер SN2 товара P-1 уже на складе в ячейке RCV-01"):
        handle(db, ReceiveUnits(PUMP, 101, 1, None, ("SN2",)), actor="t")
    assert len(outbox(db)) == 1 and where(db, "SN2")[0] == 900
    assert db.execute("SELECT qty FROM stock WHERE sku = ?", [PUMP]).fetchall() == [(2,)]


def test_an_unserialized_items_event_carries_no_serial_field(db):
    handle(db, ReceiveUnits("K-40", 900, 3), actor="t")
    assert outbox(db)[0][1] == {"sku": "K-40", "cell_id": 900, "qty": 3, "receipt": None}


def test_move_pick_and_ship_follow_the_serial_and_refuse_it_elsewhere(db):
    handle(db, ReceiveUnits(PUMP, 900, 2, None, ("SN1", "SN2")), actor="t")
    moved, _ = handle(db, MoveUnits(PUMP, 900, 101, 1, ("SN1",)), actor="t")
    assert where(db, "SN1") == (101, None, "in_stock", moved)
    with pytest.raises(Refused, match="Серийный номер SN2 товара P-1 в ячейке RCV-01, а не в A-01-01-01"):
        handle(db, MoveUnits(PUMP, 101, 102, 1, ("SN2",)), actor="t")
    picked, _ = handle(db, PickUnits("23-1", PUMP, 101, 950, 1, ("SN1",)), actor="t")
    assert where(db, "SN1") == (950, None, "in_stock", picked)
    shipped, _ = handle(db, ShipUnits(PUMP, 950, 1, "23-1", ("SN1",)), actor="t")
    assert where(db, "SN1") == (950, None, "shipped", shipped)
    with pytest.raises(Refused, match="уже отгружен"):
        handle(db, MoveUnits(PUMP, 900, 101, 1, ("SN1",)), actor="t")
    assert [row["status"] for row in serial_rows(db, PUMP)] == ["shipped", "in_stock"]


def test_count_lists_missing_and_extra_and_the_approved_shortage_writes_off_the_missing(db):
    handle(db, ReceiveUnits(PUMP, 101, 3, None, ("SN1", "SN2", "SN3")), actor="t")
    count_seq, counted = handle(db, CountCell(PUMP, 101, 2, None, ("SN1", "SN3")), actor="t")
    assert isinstance(counted, CellCounted)
    assert (counted.missing, counted.extra) == (("SN2",), ())
    lines = [{"sku": PUMP, "cell_id": 101, "book": 3, "counted": 2, "count_seq": count_seq}]
    db.table("tasks").insert(
        {"id": "ИНВ-1", "kind": "adjustment", "payload": json.dumps({"lines": lines}), "status": "new",
         "down_seq": 1, "received_at": "2026-11-25T10:00:00+00:00"}
    )  # fmt: skip
    [seq] = apply_adjustments(db)
    assert where(db, "SN2") == (101, None, "written_off", seq)
    assert where(db, "SN1")[2] == "in_stock"
    assert outbox(db)[-1][1]["serials"] == ["SN2"]


def test_site_issued_ssccs_continue_after_a_restart_and_a_killed_process(tmp_path):
    path = tmp_path / "W1.db"
    db = open_site_database(path)
    load_serial_site(db)
    first = open_new_package(db, 950, PREFIX, 0, actor="t")
    second = open_new_package(db, 950, PREFIX, 0, actor="t")
    assert (first, second) == ("046012340000000017", "046012340000000024")
    opened = package_view(db, first)
    assert opened is not None and opened["status"] == "open"
    assert outbox(db)[-1] == ("PackageOpened", {"package": second, "cell_id": 950}, 3)
    db.conn.close()
    # Another process issues one and is killed without closing anything.
    script = (
        "import os, sys; from pathlib import Path; from edge.store import open_site_database;"
        " from edge.warehouse.service import open_new_package;"
        f" db = open_site_database(Path({str(path)!r}));"
        " print(open_new_package(db, 950, '4601234', 0, actor='t'), flush=True); os._exit(9)"
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert killed.returncode == 9 and killed.stdout.strip() == "046012340000000031"
    db = open_site_database(path)
    assert open_new_package(db, 950, PREFIX, 0, actor="t") == "046012340000000048"
    with pytest.raises(Refused, match="Ячейка 4242"):
        open_new_package(db, 4242, PREFIX, 0, actor="t")
    assert open_new_package(db, 950, PREFIX, 0, actor="t") == "046012340000000055"  # the refusal used no number
    db.conn.close()


def test_a_rebuilt_edge_continues_after_the_packages_it_took_from_the_snapshot(db):
    db.execute(
        "INSERT INTO packages (sscc, cell_id, status, opened_at) VALUES ('046012340000000413', 950, 'closed', 'x')"
    )
    assert open_new_package(db, 950, PREFIX, 0, actor="t") == "046012340000000420"


def pick_into_a_box(db) -> str:
    """Two pumps and 4 K-40 picked for task 23-1 into ASM-01 and packed in a site-numbered box, closed."""
    handle(db, ReceiveUnits(PUMP, 101, 3, None, ("SN1", "SN2", "SN3")), actor="t")
    handle(db, ReceiveUnits("K-40", 101, 4), actor="t")
    handle(db, PickUnits("23-1", PUMP, 101, 950, 2, ("SN1", "SN2")), actor="t")
    handle(db, PickUnits("23-1", "K-40", 101, 950, 4), actor="t")
    box = open_new_package(db, 950, PREFIX, 0, actor="t")
    handle(db, PackUnits(box, 950, PUMP, 1, ("SN1",)), actor="t")
    handle(db, PackUnits(box, 950, PUMP, 1, ("SN2",)), actor="t")
    handle(db, PackUnits(box, 950, "K-40", 4), actor="t")
    return box


def test_shipping_a_box_by_sscc_ships_its_whole_content_in_one_transaction(db):
    box = pick_into_a_box(db)
    with pytest.raises(Refused, match="не закрыта"):
        handle(db, ShipPackage(box, 950, "23-1"), actor="t")
    handle(db, ClosePackage(box), actor="t")
    assert where(db, "SN1")[1] == box
    before = len(outbox(db))
    seq, shipped = handle(db, ShipPackage(box, 950, "23-1"), actor="t")
    assert isinstance(shipped, PackageShipped)
    assert shipped.packages == [box] and seq == before + 3
    facts = outbox(db)[before:]
    assert [t for t, _, _ in facts] == ["UnitsShipped", "UnitsShipped", "PackageShipped"]
    assert facts[0][1] == {"sku": "K-40", "cell_id": 950, "qty": 4, "shipment": "23-1", "package": box}
    assert facts[1][1]["serials"] == ["SN1", "SN2"] and facts[1][1]["package"] == box
    assert facts[2][1] == {
        "package": box, "cell_id": 950, "shipment": "23-1", "packages": [box],
        "contents": [{"sku": "K-40", "qty": 4}, {"sku": PUMP, "qty": 2}],
    }  # fmt: skip
    assert db.execute("SELECT sku, qty FROM stock WHERE cell_id = 950").fetchall() == []
    assert where(db, "SN1")[2] == "shipped" and where(db, "SN3")[2] == "in_stock"
    view = package_view(db, box)
    assert view is not None and view["status"] == "shipped"
    with pytest.raises(Refused, match="уже отгружена"):
        handle(db, ShipPackage(box, 950, "23-1"), actor="t")


def test_a_package_holding_more_than_the_task_picked_is_refused(db):
    box = pick_into_a_box(db)
    handle(db, ClosePackage(box), actor="t")
    with pytest.raises(Refused, match="к отгрузке по 23-2 0 шт"):
        handle(db, ShipPackage(box, 950, "23-2"), actor="t")
    assert db.execute("SELECT SUM(qty) FROM stock WHERE cell_id = 950").fetchone()[0] == 6


def test_the_gross_weight_is_the_contents_plus_the_tare(db):
    box = pick_into_a_box(db)
    assert package_weight_g(db, box, box_tare_g=300, pallet_tare_g=25000) == 2 * 12500 + 4 * 150 + 300
    db.execute("UPDATE items SET weight_g = NULL WHERE sku = 'K-40'")
    assert package_weight_g(db, box, 300, 25000) is None


def test_a_snapshot_brings_serials_and_shipped_packages(db):
    db.execute(
        "INSERT INTO packages (sscc, cell_id, status, opened_at) VALUES ('046012340000000017', 950, 'closed', 'x')"
    )
    picture = {
        "packages": [{"sscc": "046012340000000017", "shipment": "23-1"}],
        "serials": [
            {"sku": PUMP, "serial": "SN7", "cell_id": 101, "package": None, "status": "in_stock", "seq": 12},
            {
                "sku": PUMP,
                "serial": "SN8",
                "cell_id": 950,
                "package": "046012340000000017",
                "status": "shipped",
                "seq": 14,
            },
        ],
    }
    restore_serials(db, picture)
    assert where(db, "SN7") == (101, None, "in_stock", 12)
    view = package_view(db, "046012340000000017")
    assert view is not None and view["status"] == "shipped"
    with pytest.raises(Refused, match="уже на складе в ячейке A-01-01-01"):
        handle(db, ReceiveUnits(PUMP, 900, 1, None, ("SN7",)), actor="t")
