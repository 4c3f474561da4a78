"""A supply's arrival turns the reservations held against it into reservations from stock (ORD-5)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from central.notifications.inbox import inbox
from central.orders import service
from central.orders.service import Confirmation, NewOrder
from central.store import schema as s
from central.warehouse.receipts import send_expected_receipt
from tests.orders.shop import C1, NOW, TODAY, build, user
from tests.warehouse.test_registers_api import site_events


@pytest.fixture
def shop(database_url: str) -> Engine:
    return build(database_url)


def _reserves(engine: Engine, order_id: int) -> list[tuple[str, int, str]]:
    r = s.reservations.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.source, r.qty, r.status)
            .join(s.order_lines, s.order_lines.c.id == r.order_line_id)
            .where(s.order_lines.c.order_id == order_id)
            .order_by(r.source, r.qty)
        )
        return [(str(a), int(b), str(c)) for a, b, c in rows]


def _receive(engine: Engine, supply: str, received: int, defective: int) -> None:
    with engine.begin() as conn:
        code = send_expected_receipt(conn, supply, "W1", NOW)
    lines = [{"sku": "K-2", "expected": 5, "received": received, "defective": defective}]
    site_events(engine, ("ReceiptClosed", {"receipt": code, "supply_order": supply, "lines": lines}))


def test_a_full_arrival_holds_the_order_from_stock(shop):
    order_id = service.create_order(shop, user("mgr1"), NewOrder(C1, [("K-2", 8)]), TODAY, NOW)
    service.confirm_order(shop, user("mgr1"), order_id, Confirmation("wait"), TODAY, NOW)
    assert _reserves(shop, order_id) == [("stock:W1", 3, "active"), ("supply:ПЗ-00001", 5, "active")]
    _receive(shop, "ПЗ-00001", received=5, defective=0)
    assert _reserves(shop, order_id) == [("stock:W1", 3, "active"), ("stock:W1", 5, "active")]
    with shop.connect() as conn:
        assert inbox(conn, user("mgr1").id) == []


def test_a_short_arrival_keeps_the_rest_on_the_supply_and_tells_the_manager(shop):
    order_id = service.create_order(shop, user("mgr1"), NewOrder(C1, [("K-2", 8)]), TODAY, NOW)
    service.confirm_order(shop, user("mgr1"), order_id, Confirmation("wait"), TODAY, NOW)
    _receive(shop, "ПЗ-00001", received=4, defective=1)
    assert _reserves(shop, order_id) == [
        ("stock:W1", 3, "active"),
        ("stock:W1", 3, "active"),
        ("supply:ПЗ-00001", 2, "active"),
    ]
    with shop.connect() as conn:
        (notice,) = inbox(conn, user("mgr1").id)
    assert notice.kind == "supply_short" and "ПЗ-00001 пришла не полностью" in notice.subject
    assert "K-2: не пришло 2 шт." in notice.body
