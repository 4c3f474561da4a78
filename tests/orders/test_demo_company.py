"""The orders service on the seeded demo company (scale 1), SQLite and PostgreSQL: figures agree with the tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from central.demo.company import seed_company
from central.orders import service
from central.orders.service import Confirmation, NewOrder
from central.store import schema as s
from central.store.engine import create_central_engine, migrate
from tests.dispatch.company import staff

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def demo(database_url: str) -> Iterator[Engine]:
    engine = create_central_engine(database_url)
    migrate(engine)
    seed_company(engine, scale=1, seed=7, today=TODAY)
    yield engine
    engine.dispose()


def test_availability_create_confirm_and_deficit_on_the_demo_company(demo):
    admin = staff(demo, "admin")
    with demo.connect() as conn:
        # a sellable item with stock at W1, priced in the retail list
        sku, item_id, on_hand = conn.execute(
            select(s.items.c.sku, s.items.c.id, func.sum(s.stock.c.qty).label("qty"))
            .join(s.stock, s.stock.c.item_id == s.items.c.id)
            .where(s.stock.c.site_id == 1, s.items.c.kind == "finished")
            .group_by(s.items.c.sku, s.items.c.id)
            .order_by(func.sum(s.stock.c.qty).desc())
        ).first()
        reserved = conn.execute(
            select(func.coalesce(func.sum(s.reservations.c.qty), 0))
            .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .where(s.reservations.c.item_id == item_id, s.reservations.c.status == "active")
            .where(s.orders.c.status.not_in(("cancelled", "shipped", "completed")))
        ).scalar_one()
        customer, manager_id = conn.execute(
            select(s.customers.c.id, s.customers.c.manager_id).order_by(s.customers.c.id)
        ).first()
        manager = conn.execute(select(s.users.c.login).where(s.users.c.id == manager_id)).scalar_one()
    body = service.availability(demo, admin, sku, TODAY, NOW)
    assert (body["on_hand"], body["reserved"], body["free"]) == (on_hand, reserved, on_hand - reserved)
    want = min(5, body["free"])
    order_id = service.create_order(demo, staff(demo, manager), NewOrder(customer, [(sku, want)]), TODAY, NOW)
    service.confirm_order(demo, staff(demo, manager), order_id, Confirmation("complete"), TODAY, NOW)
    view = service.order_view(demo, admin, order_id, TODAY)
    assert view["status"] == "confirmed" and sum(r["qty"] for r in view["reservations"]) == want
    assert view["lines"][0]["price_kop"] > 0 and view["total_kop"] == want * view["lines"][0]["price_kop"]
    assert service.availability(demo, admin, sku, TODAY, NOW)["free"] == on_hand - reserved - want
    statement = service.deficit_statement(demo, admin, TODAY)
    assert statement["lines"], "the demo's open orders have short lines"
    assert all(line["short"] > 0 for line in statement["lines"])
