"""Serial number rules without a database (WH-1): what is allowed, what is refused and why."""

from __future__ import annotations

import pytest

from edge.warehouse.domain import (
    AdjustStock,
    Cell,
    CellCounted,
    CountCell,
    Item,
    MoveUnits,
    PickUnits,
    ReceiveUnits,
    Refused,
    SerialUnit,
    ShipUnits,
    StockAdjusted,
    UnitsMoved,
    UnitsReceived,
    decide,
)
from edge.warehouse.packing import Package, PackageShipped, PackUnits, ShipPackage, UnitsPacked, decide_package


class Site:
    """A site holding serialized units of P-1: SN1 and SN2 in A-01 (SN2 packed), SN3 shipped, 1 unit without serial."""

    def __init__(self) -> None:
        self.cells = {
            1: Cell(1, "A-01", "storage"),
            2: Cell(2, "A-02", "storage"),
            8: Cell(8, "RCV-01", "receiving"),
            9: Cell(9, "ASM-01", "assembly"),
        }
        self.items = {"P-1": Item("P-1", "Насос", serialized=True), "K-40": Item("K-40", "Кронштейн")}
        self.stock = {("P-1", 1): 3, ("K-40", 1): 5, ("P-1", 9): 2}
        self.units = {
            "SN1": SerialUnit("SN1", 1, None, "in_stock"),
            "SN2": SerialUnit("SN2", 1, "046012340000000017", "in_stock"),
            "SN3": SerialUnit("SN3", 9, None, "shipped"),
            "SN4": SerialUnit("SN4", 9, "046012340000000024", "in_stock"),
            "SN5": SerialUnit("SN5", 9, "046012340000000024", "in_stock"),
        }
        self.packages = {
            "046012340000000024": Package("046012340000000024", 9, "closed", None, (("P-1", 2),), ()),
            "046012340000000031": Package("046012340000000031", 9, "open", None, (("P-1", 1),), ()),
        }

    def cell(self, cell_id):
        return self.cells.get(cell_id)

    def item(self, sku):
        return self.items.get(sku)

    def qty(self, sku, cell_id):
        return self.stock.get((sku, cell_id), 0)

    def serial(self, sku, serial):
        return self.units.get(serial) if sku == "P-1" else None

    def serials_in(self, sku, cell_id):
        return tuple(sorted(u.serial for u in self.units.values() if u.cell_id == cell_id and u.status == "in_stock"))

    def package(self, sscc):
        return self.packages.get(sscc)

    def unpacked(self, sku, cell_id):
        return self.qty(sku, cell_id)

    def contents(self, sscc):
        return dict(self.packages[sscc].units)


def refusal(command) -> Refused:
    with pytest.raises(Refused) as caught:
        decide(command, Site())
    return caught.value


def test_receiving_new_serials_records_them():
    event = decide(ReceiveUnits("P-1", 8, 2, None, ("SN10", "SN11")), Site())
    assert event == UnitsReceived("P-1", 8, 2, None, ("SN10", "SN11"))


def test_receiving_a_serial_already_in_stock_is_refused_with_its_cell():
    refused = refusal(ReceiveUnits("P-1", 8, 1, None, ("SN1",)))
    assert refused.reason == "serial_in_stock"
    assert refused.message == "Серийный номер SN1 товара P-1 уже на складе в ячейке A-01"


def test_a_shipped_serial_may_come_back():
    event = decide(ReceiveUnits("P-1", 8, 1, None, ("SN3",)), Site())
    assert isinstance(event, UnitsReceived)
    assert event.serials == ("SN3",)


def test_a_serialized_item_needs_one_serial_per_unit_each_once():
    assert refusal(ReceiveUnits("P-1", 8, 2, None, ("SN10",))).reason == "serial_required"
    assert refusal(ReceiveUnits("P-1", 8, 1)).reason == "serial_required"
    assert refusal(ReceiveUnits("P-1", 8, 2, None, ("SN10", "SN10"))).reason == "duplicate_serial"


def test_an_unserialized_item_takes_no_serials():
    refused = refusal(ReceiveUnits("K-40", 8, 1, None, ("X",)))
    assert refused.reason == "not_serialized"


def test_moving_a_serial_from_its_cell():
    assert decide(MoveUnits("P-1", 1, 2, 1, ("SN1",)), Site()) == UnitsMoved("P-1", 1, 2, 1, ("SN1",))


def test_moving_a_serial_from_another_cell_is_refused_with_where_it_is():
    refused = refusal(MoveUnits("P-1", 9, 2, 1, ("SN1",)))
    assert refused.reason == "serial_wrong_cell"
    assert refused.message == "Серийный номер SN1 товара P-1 в ячейке A-01, а не в ASM-01"


def test_a_shipped_serial_cannot_be_picked_or_shipped():
    assert refusal(PickUnits("T-1", "P-1", 1, 9, 1, ("SN3",))).reason == "serial_not_in_stock"
    refused = refusal(ShipUnits("P-1", 9, 1, "T-1", ("SN3",)))
    assert refused.reason == "serial_not_in_stock"
    assert refused.message == "Серийный номер SN3 товара P-1 уже отгружен"


def test_a_packed_serial_moves_only_with_its_package():
    refused = refusal(MoveUnits("P-1", 1, 2, 1, ("SN2",)))
    assert refused.reason == "serial_packed"
    assert "046012340000000017" in refused.message


def test_a_serial_the_site_never_saw_leaves_only_from_units_without_serials():
    # A-01 holds 3 units of P-1 and knows 2 serials: one unit of opening stock has no serial on record yet.
    moved = decide(MoveUnits("P-1", 1, 2, 1, ("NEW1",)), Site())
    assert isinstance(moved, UnitsMoved)
    assert moved.serials == ("NEW1",)
    refused = refusal(MoveUnits("P-1", 1, 2, 2, ("NEW1", "NEW2")))
    assert refused.reason == "serial_not_here"  # two unknown serials, one unit without a serial
    site = Site()
    site.stock[("P-1", 1)] = 2  # every unit there has its serial on record
    with pytest.raises(Refused) as caught:
        decide(MoveUnits("P-1", 1, 2, 1, ("NEW1",)), site)
    assert caught.value.reason == "serial_not_here"
    assert caught.value.message == "Серийный номер NEW1 товара P-1 не числится в ячейке A-01"


def test_counting_a_serialized_item_lists_missing_and_extra_serials():
    event = decide(CountCell("P-1", 1, 2, None, ("SN1", "SN9")), Site())
    assert isinstance(event, CellCounted)
    assert (event.book, event.counted) == (3, 2)
    assert event.serials == ("SN1", "SN9") and event.missing == ("SN2",) and event.extra == ("SN9",)
    assert refusal(CountCell("P-1", 1, 3, None, ("SN1",))).reason == "serial_required"


def test_an_approved_shortage_writes_off_the_serials_the_count_missed():
    event = decide(AdjustStock("ИНВ-1", "P-1", 1, 3, 2, serials=("SN1", "SN9")), Site())
    assert isinstance(event, StockAdjusted)
    assert event.delta == -1 and event.serials == ("SN1",)  # SN9 was extra, not on the book here


def test_packing_a_serial_checks_it_is_loose_here():
    site = Site()
    box = "046012340000000048"
    packed = decide_package(PackUnits(box, 1, "P-1", 1, ("SN1",)), site)
    assert isinstance(packed, UnitsPacked)
    assert packed.serials == ("SN1",)
    with pytest.raises(Refused, match="уже в упаковке"):
        decide_package(PackUnits(box, 1, "P-1", 1, ("SN2",)), site)
    with pytest.raises(Refused, match="не числится в ячейке A-01"):
        decide_package(PackUnits(box, 1, "P-1", 1, ("SN4",)), site)
    with pytest.raises(Refused, match="поштучно"):
        decide_package(PackUnits(box, 1, "P-1", 1), site)


def test_shipping_a_package_whole_is_refused_when_open_elsewhere_or_not_in_the_shipment():
    site = Site()
    closed, open_box = "046012340000000024", "046012340000000031"
    shipped = decide_package(ShipPackage(closed, 9, "T-1", (("P-1", 2),)), site)
    assert isinstance(shipped, PackageShipped)
    assert shipped.contents == [{"sku": "P-1", "qty": 2}]
    with pytest.raises(Refused, match="не закрыта"):
        decide_package(ShipPackage(open_box, 9, "T-1", (("P-1", 5),)), site)
    with pytest.raises(Refused, match="а к отгрузке по T-1 1 шт"):
        decide_package(ShipPackage(closed, 9, "T-1", (("P-1", 1),)), site)
    with pytest.raises(Refused, match="не в ячейке отгрузки A-01"):
        decide_package(ShipPackage(closed, 1, "T-1", (("P-1", 2),)), site)
    site.packages[closed] = Package(closed, 9, "shipped", None, (("P-1", 2),), ())
    with pytest.raises(Refused, match="уже отгружена"):
        decide_package(ShipPackage(closed, 9, "T-1", (("P-1", 2),)), site)
