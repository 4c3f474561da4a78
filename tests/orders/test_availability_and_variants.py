"""Stock check with arrival dates (ORD-2) and the fulfilment variants offered to the customer (ORD-4)."""

from __future__ import annotations

from datetime import date

import pytest

from central.orders.availability import Inbound, ItemSupply, check_line
from central.orders.variants import Shipment, variants

TODAY = date(2026, 11, 23)
PO77 = Inbound("supply_order:77", 40, date(2026, 12, 3))
PT12 = Inbound("production_task:12", 100, date(2026, 12, 10))


def test_free_is_on_hand_minus_reserved():
    line = check_line(30, ItemSupply(on_hand=50, reserved=20), TODAY)
    assert (line.available_now, line.short, line.eta) == (30, 0, None)
    assert line.complete


def test_short_part_gets_the_first_inbound_that_covers_it():
    line = check_line(60, ItemSupply(on_hand=50, reserved=20, inbound=(PT12, PO77)), TODAY)
    assert (line.available_now, line.short) == (30, 30)
    assert (line.eta, line.eta_source) == (date(2026, 12, 3), "supply_order:77")


def test_inbound_promised_to_earlier_orders_is_skipped():
    supply = ItemSupply(on_hand=0, reserved=0, inbound=(PO77, PT12), promised_inbound=35)
    line = check_line(10, supply, TODAY)
    assert (line.eta, line.eta_source) == (date(2026, 12, 10), "production_task:12")


def test_lead_time_when_no_inbound_covers():
    line = check_line(500, ItemSupply(on_hand=0, reserved=0, inbound=(PO77,), lead_time_days=14), TODAY)
    assert (line.eta, line.eta_source) == (date(2026, 12, 7), "lead_time")
    unknown = check_line(500, ItemSupply(on_hand=0, reserved=0), TODAY)
    assert (unknown.eta, unknown.eta_source) == (None, None)


def test_over_reserved_stock_is_never_negative_free():
    assert check_line(1, ItemSupply(on_hand=5, reserved=9), TODAY).available_now == 0


def test_non_positive_request_is_an_error():
    with pytest.raises(ValueError, match="positive"):
        check_line(0, ItemSupply(on_hand=5, reserved=0), TODAY)


def test_everything_available_means_one_complete_variant():
    lines = {"K-40": check_line(10, ItemSupply(on_hand=10, reserved=0), TODAY)}
    [only] = variants(lines, TODAY)
    assert only.kind == "complete"
    assert only.shipments == (Shipment(TODAY, (("K-40", 10),)),)


def test_short_order_offers_wait_partial_and_substitute():
    lines = {
        "K-40": check_line(60, ItemSupply(on_hand=30, reserved=0, inbound=(PO77,)), TODAY),
        "S-16": check_line(5, ItemSupply(on_hand=9, reserved=0), TODAY),
    }
    offered = {v.kind: v for v in variants(lines, TODAY, substitutes={"K-40": ("K-40-Ц", 50)})}
    assert set(offered) == {"wait", "partial", "substitute"}
    assert offered["wait"].shipments == (Shipment(date(2026, 12, 3), (("K-40", 60), ("S-16", 5))),)
    assert offered["wait"].title == "Ожидание полной комплектации: одна отгрузка 03.12.2026"
    assert offered["partial"].shipments == (
        Shipment(TODAY, (("K-40", 30), ("S-16", 5))),
        Shipment(date(2026, 12, 3), (("K-40", 30),)),
    )
    assert offered["substitute"].shipments == (Shipment(TODAY, (("K-40", 30), ("K-40-Ц", 30), ("S-16", 5))),)
    assert offered["partial"].last_date == date(2026, 12, 3)


def test_no_partial_when_nothing_is_here_and_unknown_dates_are_said():
    lines = {"K-40": check_line(5, ItemSupply(on_hand=0, reserved=0), TODAY)}
    offered = variants(lines, TODAY)
    assert [v.kind for v in offered] == ["wait"]
    assert offered[0].title == "Ожидание полной комплектации: одна отгрузка, срок поступления не определён"
    assert offered[0].last_date is None
