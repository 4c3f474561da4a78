"""Hand-built orders on the seeded demo company: complete or not, paid or not, for the board and release tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from central.orders import service
from central.orders.service import Confirmation, NewOrder
from central.payments.invoicing import issue_invoice
from central.store import schema as s
from tests.dispatch.company import TODAY, staff

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def free_skus(engine: Engine, qty: int, count: int = 3) -> list[str]:
    """Sellable items without serials, ``qty`` free units and more in W1's storage cells: ``free_skus(engine, 5)``."""
    with engine.connect() as conn:
        on_hand = (
            select(s.stock.c.item_id, func.sum(s.stock.c.qty).label("qty"))
            .join(s.cells, s.cells.c.id == s.stock.c.cell_id)
            .where(s.stock.c.site_id == 1, s.cells.c.kind == "storage")
            .group_by(s.stock.c.item_id)
            .subquery()
        )
        held = (
            select(s.reservations.c.item_id, func.sum(s.reservations.c.qty).label("qty"))
            .where(s.reservations.c.status == "active", s.reservations.c.source == "stock:W1")
            .group_by(s.reservations.c.item_id)
            .subquery()
        )
        rows = conn.execute(
            select(s.items.c.sku)
            .join(on_hand, on_hand.c.item_id == s.items.c.id)
            .outerjoin(held, held.c.item_id == s.items.c.id)
            .where(s.items.c.kind == "finished", s.items.c.serialized.is_(False))
            .where(on_hand.c.qty - func.coalesce(held.c.qty, 0) >= qty + 50)
            .order_by(s.items.c.sku)
            .limit(count)
        ).all()
    return [r.sku for r in rows]


def short_sku(engine: Engine) -> str:
    """A sellable item nobody holds at any site: ordering it leaves the order short."""
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(s.items.c.sku)
                .where(s.items.c.kind == "finished", s.items.c.id.not_in(select(s.stock.c.item_id)))
                .order_by(s.items.c.sku)
            ).scalar()
            or ""
        )


def customer(engine: Engine) -> int:
    """A demo customer on the first price list."""
    with engine.connect() as conn:
        return int(conn.execute(select(s.customers.c.id).order_by(s.customers.c.id)).scalar() or 0)


def confirmed_order(
    engine: Engine, lines: list[tuple[str, int]], form: str = "prepayment", variant: str = "complete"
) -> tuple[int, str]:
    """Create and confirm an order through the orders service; its id and number."""
    who = staff(engine, "dispatcher")
    order_id = service.create_order(engine, who, NewOrder(customer(engine), lines, payment_form=form), TODAY, NOW)
    service.confirm_order(engine, who, order_id, Confirmation(variant), TODAY, NOW)
    with engine.connect() as conn:
        number = conn.execute(select(s.orders.c.number).where(s.orders.c.id == order_id)).scalar_one()
    return order_id, str(number)


def pay(engine: Engine, order_id: int, share_percent: int = 100) -> None:
    """Invoice the order (the payments module's ``issue_invoice``) and record a payment of ``share_percent`` of it."""
    invoice_id = issue_invoice(engine, staff(engine, "accountant"), order_id, TODAY, vat_percent=20)
    with engine.begin() as conn:
        invoice = conn.execute(select(s.invoices).where(s.invoices.c.id == invoice_id)).one()
        customer_id = conn.execute(select(s.orders.c.customer_id).where(s.orders.c.id == order_id)).scalar_one()
        paid = -(-int(invoice.amount_kop) * share_percent // 100)  # rounded up: «half paid» means at least half
        conn.execute(
            insert(s.payments).values(
                customer_id=customer_id, invoice_id=invoice_id, received_on=TODAY, amount_kop=paid,
                document_number=f"П-{invoice_id}", purpose=f"Оплата по счёту № {invoice.number}",
            )
        )  # fmt: skip
        conn.execute(update(s.invoices).where(s.invoices.c.id == invoice_id).values(paid_kop=paid))


def snapshot(engine: Engine) -> dict[str, Any]:
    """What a release writes, to prove a refusal wrote nothing."""
    with engine.connect() as conn:
        return {
            "tasks": conn.execute(select(func.count()).select_from(s.dispatch_tasks)).scalar_one(),
            "down": conn.execute(select(func.count()).select_from(s.down_log)).scalar_one(),
            "notices": conn.execute(select(func.count()).select_from(s.notifications)).scalar_one(),
            "statuses": dict(conn.execute(select(s.orders.c.number, s.orders.c.status)).all()),
        }
