"""Purchasing work (DISP-3): what purchasing has to do, who does it, and what became of it.

The dispatcher controls the purchasing managers' work: ``purchasing_work(engine, user, today)`` lists the open
supply orders and the deficit lines no inbound covers, each with its assignee, and the purchase requests made from
them. ``request_purchase`` turns a deficit line (or a free quantity of an item) into a purchase request;
``assign_request`` and ``assign_supply_order`` give work to a purchasing manager, who is notified;
``mark_ordered`` links a request to the supply order that covers it; ``close_request`` ends it with a note.
Each command owns its transaction; a refusal raises ``PurchasingRefused`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from central.auth.staff import User
from central.notifications.inbox import notify
from central.orders import service as orders
from central.store import schema as s

READERS = ("purchasing_manager", "dispatcher", "director", "admin")
ASSIGNERS = ("purchasing_manager", "dispatcher", "admin")
CONTROLLERS = ("dispatcher", "admin")  # may act on anybody's request
FORBIDDEN_READ = "Недостаточно прав: работу закупки видят менеджеры по закупке, диспетчер, директор и администратор"
FORBIDDEN_ASSIGN = "Недостаточно прав: работу закупки назначают диспетчер, менеджеры по закупке и администратор"
NOT_YOURS = "Это задача другого менеджера по закупке: её ведёт назначенный менеджер или диспетчер"
UNCOVERED = (None, "lead_time")  # a deficit line no open supply order or production task covers
STATUS_TITLES = {"open": "Открыта", "ordered": "Заказано", "closed": "Закрыта"}


class PurchasingRefused(Exception):
    """A refused purchasing command; ``status`` is the HTTP answer, the message is Russian for the user."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class NewRequest:
    """``NewRequest(sku="ГП-00017", order="З-0000042", assignee="purchaser")``: qty defaults to the line's short."""

    sku: str
    order: str | None = None
    qty: int | None = None
    needed_by: dt.date | None = None
    assignee: str | None = None


def may_read(user: User) -> None:
    """Refuse users who may not see purchasing work: ``may_read(dispatcher)``."""
    if user.role not in READERS:
        raise PurchasingRefused(FORBIDDEN_READ, 403)


def may_assign(user: User) -> None:
    """Refuse users who may not give out purchasing work: ``may_assign(dispatcher)``."""
    if user.role not in ASSIGNERS:
        raise PurchasingRefused(FORBIDDEN_ASSIGN, 403)


# --- reads -------------------------------------------------------------------------------------------------------


def purchasing_work(engine: Engine, user: User, today: dt.date) -> dict[str, Any]:
    """Open supply orders, uncovered deficit lines and purchase requests, with assignees: ``work["requests"]``."""
    may_read(user)
    deficit = _uncovered_deficit(engine, user, today)
    with engine.connect() as conn:
        managers = purchasing_managers(conn)
        requests = _requests(conn)
        supply = _supply_orders(conn)
    taken = {(r["order"], r["sku"]): r for r in requests if r["order"] and r["status"] != "closed"}
    for line in deficit:
        request = taken.get((line["order"], line["sku"]))
        line["request_id"] = None if request is None else request["id"]
        line["assignee"] = None if request is None else request["assignee"]
        line["assignee_name"] = None if request is None else request["assignee_name"]
    mine_requests = [r for r in requests if r["assignee"] == user.login and r["status"] != "closed"]
    mine_supply = [o for o in supply if o["assignee"] == user.login]
    return {
        "as_of": today.isoformat(),
        "managers": managers,
        "mine": {"requests": mine_requests, "supply_orders": mine_supply},
        "requests": requests,
        "deficit": deficit,
        "supply_orders": supply,
    }


def purchasing_managers(conn: Connection) -> list[dict[str, str]]:
    """Active purchasing managers, the people work is assigned to: ``[{"login": "purchaser", "name": "…"}]``."""
    u = s.users.c
    rows = conn.execute(
        select(u.login, u.full_name).where(u.role == "purchasing_manager", u.active.is_(True)).order_by(u.full_name)
    )
    return [{"login": r.login, "name": r.full_name} for r in rows]


def _uncovered_deficit(engine: Engine, user: User, today: dt.date) -> list[dict[str, Any]]:
    statement = orders.deficit_statement(engine, user, today)
    lines = [dict(line) for line in statement["lines"] if line["eta_source"] in UNCOVERED]
    return sorted(lines, key=lambda line: (line["deadline"], line["order"], line["sku"]))


def _requests(conn: Connection) -> list[dict[str, Any]]:
    r = s.purchase_requests.c
    assignee = s.users.alias("assignee")
    rows = conn.execute(
        select(
            r.id, r.qty, r.needed_by, r.status, r.note, r.created_at, r.closed_at,
            s.items.c.sku, s.items.c.name, s.orders.c.number.label("order"),
            assignee.c.login.label("assignee"), assignee.c.full_name.label("assignee_name"),
            s.supply_orders.c.number.label("supply_order"),
        )
        .join(s.items, s.items.c.id == r.item_id)
        .outerjoin(s.orders, s.orders.c.id == r.order_id)
        .outerjoin(assignee, assignee.c.id == r.assignee_id)
        .outerjoin(s.supply_orders, s.supply_orders.c.id == r.supply_order_id)
        .order_by(r.status == "closed", r.needed_by, r.id)
    ).all()  # fmt: skip
    return [
        {
            "id": row.id, "sku": row.sku, "name": row.name, "qty": row.qty, "order": row.order,
            "needed_by": None if row.needed_by is None else row.needed_by.isoformat(),
            "status": row.status, "status_title": STATUS_TITLES[row.status], "assignee": row.assignee,
            "assignee_name": row.assignee_name, "supply_order": row.supply_order, "note": row.note,
            "created_at": row.created_at.isoformat(),
            "closed_at": None if row.closed_at is None else row.closed_at.isoformat(),
        }
        for row in rows
    ]  # fmt: skip


def _supply_orders(conn: Connection) -> list[dict[str, Any]]:
    so = s.supply_orders.c
    assignee = s.users.alias("assignee")
    orders_ = conn.execute(
        select(
            so.id, so.number, so.ordered_on, so.eta, s.suppliers.c.name.label("supplier"),
            assignee.c.login.label("assignee"), assignee.c.full_name.label("assignee_name"),
        )
        .join(s.suppliers, s.suppliers.c.id == so.supplier_id)
        .outerjoin(assignee, assignee.c.id == so.assignee_id)
        .where(so.status == "open")
        .order_by(so.eta, so.number)
    ).all()  # fmt: skip
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    sl = s.supply_order_lines.c
    for row in conn.execute(
        select(sl.supply_order_id, sl.qty, sl.price_kop, s.items.c.sku, s.items.c.name)
        .join(s.items, s.items.c.id == sl.item_id)
        .where(sl.supply_order_id.in_([o.id for o in orders_]))
        .order_by(sl.supply_order_id, s.items.c.sku)
    ):
        line = {"sku": row.sku, "name": row.name, "qty": row.qty, "price_kop": row.price_kop}
        lines[row.supply_order_id].append(line)
    return [
        {
            "number": o.number, "supplier": o.supplier, "ordered_on": o.ordered_on.isoformat(),
            "eta": o.eta.isoformat(), "assignee": o.assignee, "assignee_name": o.assignee_name,
            "lines": lines[o.id],
        }
        for o in orders_
    ]  # fmt: skip


# --- commands ----------------------------------------------------------------------------------------------------


def request_purchase(engine: Engine, user: User, new: NewRequest, today: dt.date, now: dt.datetime) -> int:
    """Record a purchase request, from a deficit line when ``order`` is given; its id."""
    may_assign(user)
    line = _deficit_line(engine, user, new, today) if new.order else None
    qty = new.qty if new.qty is not None else (None if line is None else int(line["short"]))
    if qty is None or qty <= 0:
        raise PurchasingRefused("Укажите количество больше нуля")
    needed_by = new.needed_by or (None if line is None else dt.date.fromisoformat(line["deadline"]))
    with engine.begin() as conn:
        item_id = conn.execute(select(s.items.c.id).where(s.items.c.sku == new.sku)).scalar()
        if item_id is None:
            raise PurchasingRefused(f"Артикул {new.sku} не найден", 404)
        order_id = None
        if new.order:
            order_id = conn.execute(select(s.orders.c.id).where(s.orders.c.number == new.order)).scalar_one()
            taken = conn.execute(
                select(s.purchase_requests.c.id).where(
                    s.purchase_requests.c.order_id == order_id,
                    s.purchase_requests.c.item_id == item_id,
                    s.purchase_requests.c.status != "closed",
                )
            ).scalar()
            if taken is not None:
                raise PurchasingRefused(f"По строке {new.sku} заказа {new.order} уже есть заявка №{taken}", 409)
        assignee = _assignee(conn, user, new.assignee)
        request_id = int(
            conn.execute(
                insert(s.purchase_requests)
                .values(
                    item_id=item_id, qty=qty, needed_by=needed_by, order_id=order_id, assignee_id=assignee,
                    status="open", created_at=now, created_by=user.id,
                )
                .returning(s.purchase_requests.c.id)
            ).scalar_one()
        )  # fmt: skip
        if assignee is not None:
            _tell_assignee(conn, user, assignee, request_id, now)
    return request_id


def assign_request(engine: Engine, user: User, request_id: int, login: str, now: dt.datetime) -> None:
    """Give a request to a purchasing manager, who is notified: ``assign_request(e, u, 7, "purchaser", now)``."""
    may_assign(user)
    with engine.begin() as conn:
        request = _lock_request(conn, request_id)
        if request.status == "closed":
            raise PurchasingRefused(f"Заявка №{request_id} уже закрыта", 409)
        _may_take(user, request.assignee_id)
        assignee = _assignee(conn, user, login)
        if assignee == request.assignee_id:
            return
        conn.execute(
            update(s.purchase_requests).where(s.purchase_requests.c.id == request_id).values(assignee_id=assignee)
        )
        if assignee is not None:
            _tell_assignee(conn, user, assignee, request_id, now)


def assign_supply_order(engine: Engine, user: User, number: str, login: str, now: dt.datetime) -> None:
    """Give an open supply order to a purchasing manager to follow: ``assign_supply_order(e, u, "ПЗ-00001", …)``."""
    may_assign(user)
    so = s.supply_orders.c
    with engine.begin() as conn:
        order = conn.execute(
            select(so.id, so.status, so.assignee_id, so.eta, s.suppliers.c.name.label("supplier"))
            .join(s.suppliers, s.suppliers.c.id == so.supplier_id)
            .where(so.number == number)
            .with_for_update(of=s.supply_orders)
        ).first()
        if order is None:
            raise PurchasingRefused(f"Заказ поставщику {number} не найден", 404)
        if order.status != "open":
            raise PurchasingRefused(f"Заказ поставщику {number} уже закрыт: назначать нечего", 409)
        _may_take(user, order.assignee_id)
        assignee = _assignee(conn, user, login)
        if assignee == order.assignee_id:
            return
        conn.execute(update(s.supply_orders).where(so.id == order.id).values(assignee_id=assignee))
        if assignee is not None:
            notify(
                conn, users=[assignee], kind="purchase_assigned", now=now, link="/purchasing",
                subject=f"Вам назначен заказ поставщику {number}",
                body=f"{user.full_name} поручил(а) вам заказ поставщику {number} ({order.supplier}), "
                f"ожидается {order.eta:%d.%m.%Y}: проконтролируйте счёт, поставку и приёмку.",
            )  # fmt: skip


def mark_ordered(engine: Engine, user: User, request_id: int, supply_order: str) -> None:
    """Mark a request ordered under the supply order that covers it: ``mark_ordered(e, u, 7, "ПЗ-00031")``."""
    may_assign(user)
    with engine.begin() as conn:
        request = _lock_request(conn, request_id)
        _may_take(user, request.assignee_id)
        if request.status != "open":
            raise PurchasingRefused(f"Заявка №{request_id} уже {STATUS_TITLES[request.status].lower()}", 409)
        so = conn.execute(
            select(s.supply_orders.c.id, s.supply_orders.c.status).where(s.supply_orders.c.number == supply_order)
        ).first()
        if so is None:
            raise PurchasingRefused(f"Заказ поставщику {supply_order} не найден", 404)
        if so.status == "cancelled":
            raise PurchasingRefused(f"Заказ поставщику {supply_order} отменён", 409)
        conn.execute(
            update(s.purchase_requests)
            .where(s.purchase_requests.c.id == request_id)
            .values(status="ordered", supply_order_id=so.id, assignee_id=request.assignee_id or _taker(user))
        )


def close_request(engine: Engine, user: User, request_id: int, note: str, now: dt.datetime) -> None:
    """Close a request with a note saying why: ``close_request(e, u, 7, "Поставщик привёз", now)``."""
    may_assign(user)
    if not note.strip():
        raise PurchasingRefused("Напишите, почему заявка закрывается")
    with engine.begin() as conn:
        request = _lock_request(conn, request_id)
        _may_take(user, request.assignee_id)
        if request.status == "closed":
            raise PurchasingRefused(f"Заявка №{request_id} уже закрыта", 409)
        conn.execute(
            update(s.purchase_requests)
            .where(s.purchase_requests.c.id == request_id)
            .values(status="closed", note=note.strip(), closed_at=now)
        )


# --- helpers -----------------------------------------------------------------------------------------------------


def _taker(user: User) -> int | None:
    """Who takes work by acting on it: a purchasing manager; the dispatcher acts without taking it."""
    return user.id if user.role == "purchasing_manager" else None


def _deficit_line(engine: Engine, user: User, new: NewRequest, today: dt.date) -> dict[str, Any]:
    for line in orders.deficit_statement(engine, user, today)["lines"]:
        if line["order"] == new.order and line["sku"] == new.sku:
            return dict(line)
    raise PurchasingRefused(f"В дефицитной ведомости нет строки {new.sku} заказа {new.order}", 409)


def _lock_request(conn: Connection, request_id: int) -> Any:
    r = s.purchase_requests.c
    row = conn.execute(select(r.id, r.status, r.assignee_id).where(r.id == request_id).with_for_update()).first()
    if row is None:
        raise PurchasingRefused(f"Заявка на закупку №{request_id} не найдена", 404)
    return row


def _may_take(user: User, assignee_id: int | None) -> None:
    """A purchasing manager works on what is theirs or nobody's; the dispatcher on everything."""
    if user.role == "purchasing_manager" and assignee_id not in (None, user.id):
        raise PurchasingRefused(NOT_YOURS, 403)


def _assignee(conn: Connection, user: User, login: str | None) -> int | None:
    if not login:
        return _taker(user)
    u = s.users.c
    row = conn.execute(select(u.id, u.role, u.active).where(u.login == login.strip())).first()
    if row is None or not row.active:
        raise PurchasingRefused(f"Сотрудник {login} не найден")
    if row.role != "purchasing_manager":
        raise PurchasingRefused(f"{login} не менеджер по закупке: закупку поручают менеджерам по закупке")
    if user.role == "purchasing_manager" and row.id != user.id:
        raise PurchasingRefused("Менеджер по закупке берёт работу себе; поручить другому может диспетчер", 403)
    return int(row.id)


def _tell_assignee(conn: Connection, user: User, assignee: int, request_id: int, now: dt.datetime) -> None:
    r = s.purchase_requests.c
    row = conn.execute(
        select(r.qty, r.needed_by, s.items.c.sku, s.items.c.name, s.orders.c.number)
        .join(s.items, s.items.c.id == r.item_id)
        .outerjoin(s.orders, s.orders.c.id == r.order_id)
        .where(r.id == request_id)
    ).one()
    if assignee == user.id:
        return  # who takes work themselves needs no notice of it
    needed = "" if row.needed_by is None else f", нужно к {row.needed_by:%d.%m.%Y}"
    for_order = "" if row.number is None else f" для заказа {row.number}"
    notify(
        conn, users=[assignee], kind="purchase_assigned", now=now, link="/purchasing",
        subject=f"Вам назначена закупка {row.sku}{for_order}",
        body=f"{user.full_name} поручил(а) вам заявку на закупку №{request_id}: {row.qty} шт. {row.sku} "
        f"«{row.name}»{for_order}{needed}.",
    )  # fmt: skip
