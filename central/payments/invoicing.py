"""Issuing the invoice for a confirmed order (ORD-8): the next number, the order's total, VAT inside it.

``issue_invoice(engine, user, order_id, today)`` owns its transaction. An order has one invoice: a second
call is refused with the number already issued.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from central.auth.staff import User
from central.documents.money import vat_included
from central.documents.settings import DocumentSettings
from central.orders.domain import Conflict, Forbidden, NotFound
from central.store import schema as s

ISSUERS = ("sales_manager", "accountant", "commercial_director", "director", "admin")
INVOICEABLE = ("confirmed", "picking", "shipped", "completed")
NUMBER_WIDTH = 7  # the demo company numbers invoices «0000001», «0000002», …
_ATTEMPTS = 8  # invoices issued at once may draw the same number: each loser retries with the next one


def issue_invoice(engine: Engine, user: User, order_id: int, today: dt.date, vat_percent: int | None = None) -> int:
    """Issue the invoice of a confirmed order, its id: ``issue_invoice(engine, manager, 1042, dt.date.today())``."""
    if user.role not in ISSUERS:
        raise Forbidden("Счёт выставляют менеджер по продажам, бухгалтер, коммерческий директор и директор")
    rate = DocumentSettings().vat_percent if vat_percent is None else vat_percent
    for attempt in range(_ATTEMPTS):
        try:
            with engine.begin() as conn:
                return _issue(conn, user, order_id, today, rate)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _issue(conn: Connection, user: User, order_id: int, today: dt.date, rate: int) -> int:
    order = conn.execute(
        select(s.orders.c.id, s.orders.c.number, s.orders.c.status, s.orders.c.manager_id, s.orders.c.total_kop)
        .where(s.orders.c.id == order_id)
        .with_for_update()
    ).first()
    if order is None:
        raise NotFound(f"Заказ №{order_id} не найден")
    if user.role == "sales_manager" and order.manager_id != user.id:
        raise Forbidden(f"Заказ {order.number} ведёт другой менеджер: счёт выставляет его ответственный менеджер")
    if order.status not in INVOICEABLE:
        state = "черновик" if order.status == "draft" else "отменён"
        raise Conflict(f"Заказ {order.number} — {state}: счёт выставляется на подтверждённый заказ")
    issued = conn.execute(select(s.invoices.c.number).where(s.invoices.c.order_id == order_id)).scalar()
    if issued is not None:
        raise Conflict(f"Счёт уже выставлен: № {issued}")
    if order.total_kop <= 0:
        raise Conflict(f"Сумма заказа {order.number} нулевая: счёт не выставляется")
    return int(
        conn.execute(
            insert(s.invoices)
            .values(
                number=next_invoice_number(conn),
                order_id=order_id,
                issued_on=today,
                amount_kop=order.total_kop,
                vat_kop=vat_included(order.total_kop, rate),
                paid_kop=0,
            )
            .returning(s.invoices.c.id)
        ).scalar_one()
    )


def next_invoice_number(conn: Connection) -> str:
    """The number after the highest numeric one issued: ``next_invoice_number(conn) == "0002401"``."""
    number = s.invoices.c.number
    # Numbers are text; among the numeric ones the longest, then the greatest, is the highest.
    candidates = conn.execute(
        select(number)
        .where(func.length(number) >= NUMBER_WIDTH, func.substr(number, 1, 1).in_(list("0123456789")))
        .order_by(func.length(number).desc(), number.desc())
        .limit(50)
    ).scalars()
    highest = next((int(n) for n in candidates if n.isdigit()), 0)
    return f"{highest + 1:0{NUMBER_WIDTH}d}"
