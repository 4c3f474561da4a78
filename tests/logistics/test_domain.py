"""The rules without a database: what leaves after a short pick, a van's load."""

from __future__ import annotations

from central.logistics.domain import Line, shipped, van_overload


def test_picked_units_are_spread_over_the_orders_lines_of_the_sku_in_order():
    lines = [
        Line("A", "Стеллаж", "шт", 5, 100, 1_000),
        Line("B", "Полка", "шт", 2, 50, 500),
        Line("A", "Стеллаж", "шт", 3, 90, 1_000),
    ]
    assert shipped(lines, None) == lines
    out = shipped(lines, {"A": 6, "B": 0})
    assert [(x.sku, x.qty, x.price_kop) for x in out] == [("A", 5, 100), ("A", 1, 90)]


def test_a_van_takes_a_load_up_to_its_weight_and_volume():
    assert van_overload("А001АА77", "25.11.2026", 1_000, 9_000, 400_000, 0, 600_000, 9_000_000) is None
    assert "по весу" in str(van_overload("А001АА77", "25.11.2026", 1_000, 9_000, 400_001, 0, 600_000, 0))
    assert van_overload("А001АА77", "25.11.2026", 1_000, 9_000, 0, 8_000_000, 0, 1_001_000) == (
        "Машина А001АА77 на 25.11.2026 перегружена по объёму: 9,001 м³ при вместимости 9,000 м³"
    )
