"""Warehouse rules, without a database: what is allowed, what is refused and why."""

from __future__ import annotations

import pytest

from edge.warehouse.domain import (
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
    UnitsMoved,
    UnitsPicked,
    UnitsReceived,
    decide,
    stock_changes,
)


class Site:
    def __init__(self) -> None:
        self.cells = {
            1: Cell(1, "A-01-01-01", "storage"),
            2: Cell(2, "A-01-01-02", "storage"),
            8: Cell(8, "RCV-01", "receiving"),
            9: Cell(9, "ASM-01", "assembly"),
        }
        self.items = {"K-40": Item("K-40", "Кронштейн стальной 40×40")}
        self.stock = {("K-40", 1): 5}

    def cell(self, cell_id):
        return self.cells.get(cell_id)

    def item(self, sku):
        return self.items.get(sku)

    def qty(self, sku, cell_id):
        return self.stock.get((sku, cell_id), 0)

    def serial(self, sku: str, serial: str) -> SerialUnit | None:
        return None  # no serialized item on this site

    def serials_in(self, sku: str, cell_id: int) -> tuple[str, ...]:
        return ()


def refusal(command) -> Refused:
    with pytest.raises(Refused) as caught:
        decide(command, Site())
    return caught.value


def test_receive_into_a_receiving_cell():
    assert decide(ReceiveUnits("K-40", 8, 10, "PO-77"), Site()) == UnitsReceived("K-40", 8, 10, "PO-77")


def test_move_within_stock():
    event = decide(MoveUnits("K-40", 1, 2, 5), Site())
    assert event == UnitsMoved("K-40", 1, 2, 5)
    assert stock_changes(event) == [("K-40", 1, -5), ("K-40", 2, 5)]


def test_move_more_than_the_cell_holds_is_refused_with_the_figures():
    refused = refusal(MoveUnits("K-40", 1, 2, 6))
    assert refused.reason == "not_enough_stock"
    assert refused.message == "В ячейке A-01-01-01 только 5 шт. K-40, запрошено 6"


def test_wrong_cell_names_the_item():
    refused = refusal(MoveUnits("K-40", 2, 1, 1))
    assert refused.reason == "wrong_cell"
    assert "нет товара K-40 «Кронштейн стальной 40×40»" in refused.message


def test_unknown_item_and_cell():
    assert refusal(MoveUnits("NOPE", 1, 2, 1)).reason == "unknown_item"
    assert refusal(MoveUnits("K-40", 1, 77, 1)).reason == "unknown_cell"


@pytest.mark.parametrize("qty", [0, -3])
def test_quantity_must_be_positive(qty):
    assert refusal(ReceiveUnits("K-40", 8, qty)).reason == "bad_quantity"


def test_picking_goes_to_the_assembly_cell_only():
    assert decide(PickUnits("T-1", "K-40", 1, 9, 2), Site()) == UnitsPicked("T-1", "K-40", 1, 9, 2)
    assert refusal(PickUnits("T-1", "K-40", 1, 2, 2)).reason == "wrong_cell"


def test_ship_only_from_assembly_or_shipping():
    assert refusal(ShipUnits("K-40", 1, 1, "SH-1")).reason == "wrong_cell"


def test_a_count_records_book_and_counted_without_changing_stock():
    event = decide(CountCell("K-40", 1, 4, "INV-3"), Site())
    assert event == CellCounted("K-40", 1, 5, 4, "INV-3")
    assert stock_changes(event) == []
