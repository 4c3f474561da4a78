"""Package rules on a real site database: packing only unpacked stock, moving a package moves its content,
packed units never leave loose, stock never negative (WH-2)."""

from __future__ import annotations

import json

import pytest

from devices.labels.sscc import sscc
from edge.store import open_site_database
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from edge.warehouse.domain import MoveUnits, ReceiveUnits, Refused, ShipUnits
from edge.warehouse.packing import ClosePackage, MovePackage, NestPackage, PackUnits
from edge.warehouse.service import handle, package_view
from tests.edge.site_data import BADGE, ITEMS, PIN, cell_code, load_site

BOX = sscc("4601234", 1)
BOX2 = sscc("4601234", 2)
PALLET = sscc("4601234", 3, extension=3)


@pytest.fixture
def db(tmp_path):
    site = open_site_database(tmp_path / "W1.db")
    load_site(site)
    handle(site, ReceiveUnits("K-40", 101, 10), actor="t")
    handle(site, ReceiveUnits("S-16", 101, 4), actor="t")
    yield site
    site.conn.close()


def stock(db) -> dict[tuple[str, int], int]:
    return {(sku, cell): qty for sku, cell, qty in db.execute("SELECT sku, cell_id, qty FROM stock")}


def test_packing_beyond_the_unpacked_stock_is_refused(db):
    handle(db, PackUnits(BOX, 101, "K-40", 6), actor="t")
    with pytest.raises(Refused, match=r"неупакованных K-40 .* 4 шт"):
        handle(db, PackUnits(BOX2, 101, "K-40", 5), actor="t")
    handle(db, PackUnits(BOX2, 101, "K-40", 4), actor="t")
    with pytest.raises(Refused, match="неупакованных"):
        handle(db, PackUnits(BOX2, 101, "K-40", 1), actor="t")
    with pytest.raises(Refused, match="неупакованных"):
        handle(db, PackUnits(PALLET, 102, "K-40", 1), actor="t")  # nothing there at all
    with pytest.raises(Refused, match="другой ячейке"):
        handle(db, PackUnits(BOX, 102, "K-40", 1), actor="t")
    assert stock(db)[("K-40", 101)] == 10  # packing moves no stock


def test_packed_units_do_not_leave_loose(db):
    handle(db, PackUnits(BOX, 101, "K-40", 8), actor="t")
    handle(db, MoveUnits("K-40", 101, 102, 2), actor="t")  # the two unpacked ones may go
    with pytest.raises(Refused, match="упаковк"):
        handle(db, MoveUnits("K-40", 101, 102, 1), actor="t")
    assert stock(db)[("K-40", 101)] == 8


def test_moving_a_package_moves_its_content_and_its_children(db):
    handle(db, PackUnits(BOX, 101, "K-40", 6), actor="t")
    handle(db, PackUnits(BOX, 101, "S-16", 1), actor="t")
    with pytest.raises(Refused, match="не закрыта"):
        handle(db, MovePackage(BOX, 101, 950), actor="t")
    with pytest.raises(Refused, match="не закрыта"):
        handle(db, NestPackage(PALLET, BOX, 101), actor="t")
    handle(db, ClosePackage(BOX), actor="t")
    with pytest.raises(Refused, match="уже закрыта"):
        handle(db, PackUnits(BOX, 101, "K-40", 1), actor="t")
    handle(db, PackUnits(BOX2, 101, "K-40", 3), actor="t")
    handle(db, ClosePackage(BOX2), actor="t")
    handle(db, NestPackage(PALLET, BOX, 101), actor="t")
    handle(db, NestPackage(PALLET, BOX2, 101), actor="t")
    with pytest.raises(Refused, match="уже лежит"):
        handle(db, NestPackage(sscc("4601234", 9), BOX, 101), actor="t")
    _, closed = handle(db, ClosePackage(PALLET), actor="t")
    assert closed.kind == "pallet" and closed.children == [BOX, BOX2]  # type: ignore[union-attr]
    with pytest.raises(Refused, match="на паллете"):
        handle(db, MovePackage(BOX, 101, 950), actor="t")
    with pytest.raises(Refused, match="а не в"):
        handle(db, MovePackage(PALLET, 102, 950), actor="t")

    before = db.execute("SELECT MAX(seq) FROM outbox").fetchone()[0]
    handle(db, MovePackage(PALLET, 101, 950), actor="t")
    assert stock(db) == {("K-40", 101): 1, ("K-40", 950): 9, ("S-16", 101): 3, ("S-16", 950): 1}
    written = db.execute("SELECT type, payload FROM outbox WHERE seq > ? ORDER BY seq", [before]).fetchall()
    assert [t for t, _ in written] == ["UnitsMoved", "UnitsMoved", "PackageMoved"]
    assert all(json.loads(p)["package"] == PALLET for _, p in written)
    view = package_view(db, PALLET)
    assert view is not None and view["cell"] == "ASM-01"
    assert view["contents"] == [{"sku": "K-40", "qty": 9}, {"sku": "S-16", "qty": 1}]
    children = view["children"]
    assert isinstance(children, list) and {child["cell"] for child in children} == {"ASM-01"}
    # Loose moves out of the pallet are refused; stock never negative.
    with pytest.raises(Refused, match="упаковк"):
        handle(db, MoveUnits("K-40", 950, 102, 1), actor="t")
    with pytest.raises(Refused):
        handle(db, ShipUnits("K-40", 950, 10, "T-1"), actor="t")
    # Shipping from the cell takes the units out of its packages: the boxes went out with the shipment.
    before = db.execute("SELECT MAX(seq) FROM outbox").fetchone()[0]
    handle(db, ShipUnits("K-40", 950, 4, "T-1"), actor="t")
    written = db.execute("SELECT type, payload FROM outbox WHERE seq > ? ORDER BY seq", [before]).fetchall()
    assert [t for t, _ in written] == ["UnitsShipped", "UnitsUnpacked"]
    assert json.loads(written[1][1]) == {"package": BOX, "cell_id": 950, "sku": "K-40", "qty": 4, "reason": "shipped"}
    assert stock(db)[("K-40", 950)] == 5
    shipped = package_view(db, PALLET)
    assert shipped is not None and shipped["contents"] == [{"sku": "K-40", "qty": 5}, {"sku": "S-16", "qty": 1}]
    assert min(stock(db).values()) > 0


def test_the_handheld_packs_closes_and_moves_a_box(db):
    terminals = Terminals(db, resolve)
    assert terminals.login("ТСД-1", BADGE, PIN).ok
    assert terminals.choose_mode("ТСД-1", "pack").ok
    k40 = ITEMS["K-40"][1]
    assert terminals.scan("ТСД-1", cell_code(101)).ok
    assert terminals.scan("ТСД-1", BOX).ok
    assert terminals.scan("ТСД-1", k40).ok
    assert terminals.typed("ТСД-1", 10).ok
    refused = terminals.scan("ТСД-1", k40)
    assert not refused.ok and "неупакованных" in refused.message
    closed = terminals.finish("ТСД-1")
    assert closed.ok and "закрыта: 10 шт." in closed.message
    assert terminals.choose_mode("ТСД-1", "move").ok
    assert terminals.scan("ТСД-1", cell_code(101)).ok
    assert terminals.scan("ТСД-1", "00" + BOX).ok  # the GS1-128 label reads as (00) + SSCC
    moved = terminals.scan("ТСД-1", cell_code(102))
    assert moved.ok and len(moved.event_seqs) == 1
    assert stock(db) == {("K-40", 102): 10, ("S-16", 101): 4}
    view = package_view(db, BOX)
    assert view is not None and view["cell"] == "A-01-01-02" and view["status"] == "closed"


def test_the_edge_api_shows_a_package_and_the_page_offers_pack_mode(tmp_path):
    from fastapi.testclient import TestClient

    from edge.app import create_app
    from edge.settings import EdgeSettings

    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    site = app.state.db
    load_site(site)
    handle(site, ReceiveUnits("K-40", 101, 3), actor="t")
    handle(site, PackUnits(BOX, 101, "K-40", 2), actor="t")
    client = TestClient(app)
    shown = client.get(f"/api/v1/packages/{BOX}").json()
    assert shown["status"] == "open" and shown["cell"] == "A-01-01-01" and shown["units"] == [{"sku": "K-40", "qty": 2}]
    missing = client.get(f"/api/v1/packages/{BOX2}")
    assert missing.status_code == 404 and "не найдена" in missing.json()["detail"]
    page = client.get("/").text
    assert 'data-mode="pack"' in page and "Упаковка" in page and 'id="label"' in page
