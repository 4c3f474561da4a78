"""The stage of an order (ORD-10) follows its facts: invoice, payments, pick progress, shipment, documents, dispute."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, select, update

from central.orders import service
from central.orders.service import Confirmation, NewOrder
from central.orders.stage import order_stage, order_stages, payment_ok
from central.store import schema as s
from devices.barcodes import company_code
from tests.orders.shop import C1, C2, NOW, TODAY, build, user


@pytest.mark.parametrize(
    ("form", "paid", "ok"),
    [
        ("prepayment", 999_99, False),
        ("prepayment", 1000_00, True),
        ("advance", 499_99, False),
        ("advance", 500_00, True),
        ("deferral", 0, True),
        ("consignment", 0, True),
    ],
)
def test_payment_status_by_payment_form(form, paid, ok):
    assert payment_ok(form, 1000_00, paid) is ok


@pytest.fixture
def shop(database_url: str) -> Engine:
    return build(database_url)


def _order(engine: Engine, lines: list[tuple[str, int]], form: str = "prepayment", customer: int = C1) -> int:
    login = "mgr1" if customer == C1 else "mgr2"
    order_id = service.create_order(engine, user(login), NewOrder(customer, lines, payment_form=form), TODAY, NOW)
    service.confirm_order(engine, user(login), order_id, Confirmation("complete"), TODAY, NOW)
    return order_id


def test_a_confirmed_order_covered_by_stock_is_complete_at_its_site(shop):
    order_id = _order(shop, [("K-1", 2), ("K-5", 3)])
    with shop.connect() as conn:
        stage = order_stage(conn, order_id)
    assert (stage.code, stage.title, stage.complete, stage.site) == ("confirmed", "Подтверждён", True, "W1")
    assert (stage.payment_ok, stage.invoiced_kop, stage.paid_kop) == (False, 0, 0)


def test_an_order_waiting_for_supply_is_not_complete(shop):
    service_user = user("mgr1")
    order_id = service.create_order(shop, service_user, NewOrder(C1, [("K-2", 5)]), TODAY, NOW)
    service.confirm_order(shop, service_user, order_id, Confirmation("wait"), TODAY, NOW)
    with shop.connect() as conn:
        stage = order_stage(conn, order_id)
    assert (stage.complete, stage.site) == (False, None)


def test_the_stage_walks_from_invoice_to_documents_received(shop):
    order_id = _order(shop, [("K-1", 2), ("K-5", 2)])
    with shop.connect() as conn:
        total = conn.execute(select(s.orders.c.total_kop).where(s.orders.c.id == order_id)).scalar_one()

    def stage() -> tuple[str, str, bool]:
        with shop.connect() as conn:
            found = order_stage(conn, order_id)
        return found.code, found.title, found.payment_ok

    with shop.begin() as conn:
        invoice = conn.execute(
            insert(s.invoices)
            .values(number="С-1", order_id=order_id, issued_on=TODAY, amount_kop=total, vat_kop=0, paid_kop=0)
            .returning(s.invoices.c.id)
        ).scalar_one()
    assert stage() == ("invoiced", "Счёт выставлен", False)
    with shop.begin() as conn:
        conn.execute(update(s.invoices).where(s.invoices.c.id == invoice).values(paid_kop=total - 1))
    assert stage() == ("invoiced", "Счёт выставлен", False)
    with shop.begin() as conn:
        conn.execute(update(s.invoices).where(s.invoices.c.id == invoice).values(paid_kop=total))
    assert stage() == ("paid", "Оплачен", True)

    with shop.begin() as conn:
        task = conn.execute(
            insert(s.dispatch_tasks)
            .values(kind="pick", order_id=order_id, site_id=1, status="in_work", created_at=NOW)
            .returning(s.dispatch_tasks.c.id)
        ).scalar_one()
        conn.execute(insert(s.picked).values(site_id=1, task=company_code("task", task), item_id=1, qty=1))
    assert stage() == ("picking", "Собирается, 25 %", True)
    with shop.begin() as conn:
        conn.execute(insert(s.picked).values(site_id=1, task=company_code("task", task), item_id=5, qty=2))
        conn.execute(update(s.dispatch_tasks).where(s.dispatch_tasks.c.id == task).values(status="done"))
    assert stage() == ("ready", "Готов к отгрузке", True)
    with shop.connect() as conn:
        assert order_stage(conn, order_id).assembled_percent == 75

    shipped = NOW + dt.timedelta(hours=3)
    with shop.begin() as conn:
        shipment = conn.execute(
            insert(s.shipments)
            .values(order_id=order_id, site_id=1, task_received_at=NOW, shipped_at=shipped)
            .returning(s.shipments.c.id)
        ).scalar_one()
    assert stage()[:2] == ("shipped", "Отгружен")
    with shop.connect() as conn:
        assert order_stage(conn, order_id).shipped_at == shipped

    with shop.begin() as conn:
        conn.execute(update(s.shipments).where(s.shipments.c.id == shipment).values(documents_returned_at=shipped))
    assert stage()[:2] == ("documents_received", "Документы получены")

    with shop.begin() as conn:
        conn.execute(
            insert(s.order_disputes).values(order_id=order_id, reason="Брак в партии", opened_at=shipped, opened_by=2)
        )
    with shop.connect() as conn:
        disputed = order_stage(conn, order_id)
    assert (disputed.code, disputed.title, disputed.dispute) == ("dispute", "Спор", "Брак в партии")
    with shop.begin() as conn:
        conn.execute(update(s.order_disputes).values(closed_at=shipped, closed_by=2, resolution="Замена"))
    assert stage()[0] == "documents_received"


def test_many_orders_at_once_and_a_cancelled_one(shop):
    first = _order(shop, [("K-1", 1)], form="deferral")
    second = _order(shop, [("K-5", 1)], form="advance", customer=C2)
    service.cancel_order(shop, user("mgr2"), second, NOW)
    with shop.connect() as conn:
        stages = order_stages(conn, [first, second, first])
    assert (stages[first].code, stages[first].payment_ok) == ("confirmed", True)
    assert (stages[second].code, stages[second].complete) == ("cancelled", False)
    with shop.connect() as conn:
        assert order_stages(conn, []) == {}
