"""Prices service (PRICE-1, PRICE-2): each public function owns its transaction.

Prices are effective-dated rows of ``item_prices``: the price of a day is the row with the latest
``effective_from`` not after it. Only the commercial director sets prices, creates personal lists and assigns a
customer's list; every such change is also written to the audit log with its effective date. A manager's request
for a change enters the register of planned work (``planned_work``) and the director decides it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from central.audit.log import record
from central.auth.staff import User
from central.notifications.inbox import notify
from central.orders.domain import Conflict, NotFound, OrderRefused, rubles
from central.prices.domain import (
    KIND_TITLES,
    STATUS_TITLES,
    check_new_price,
    may_change,
    may_read,
    may_request,
)
from central.store import schema as s

PAGE_LIMIT = 500


@dataclass(frozen=True)
class PriceChange:
    """``PriceChange(price_list_id=2, sku="K-1", price_kop=12_000, effective_from=date(2026, 12, 1))``."""

    price_list_id: int
    sku: str
    price_kop: int
    effective_from: dt.date


@dataclass(frozen=True)
class PriceRequest:
    """A manager's request: the change asked for and why."""

    change: PriceChange
    reason: str


# --- reads -------------------------------------------------------------------------------------------------------


def price_lists(engine: Engine, user: User) -> list[dict[str, Any]]:
    """Every price list with how many customers buy by it: ``price_lists(engine, user)[0]["code"] == "retail"``."""
    may_read(user.role)
    with engine.connect() as conn:
        return _lists(conn)


def _lists(conn: Connection) -> list[dict[str, Any]]:
    buyers = {
        int(list_id): int(n)
        for list_id, n in conn.execute(
            select(s.customers.c.price_list_id, func.count()).group_by(s.customers.c.price_list_id)
        )
    }
    return [
        {
            "id": r.id,
            "code": r.code,
            "name": r.name,
            "kind": r.kind,
            "kind_title": KIND_TITLES.get(r.kind, r.kind),
            "customers": int(buyers.get(r.id, 0)),
        }
        for r in conn.execute(select(s.price_lists).order_by(s.price_lists.c.id))
    ]


def list_prices(engine: Engine, user: User, price_list_id: int, today: dt.date, search: str = "") -> dict[str, Any]:
    """The items of a list with the price effective ``today``, the next planned one and the planned cost.

    An item the list has no price for is sold at the retail price (PRICE-1): ``retail_kop`` shows it.
    """
    may_read(user.role)
    with engine.connect() as conn:
        plist = _price_list(conn, price_list_id)
        current, upcoming = _dated(conn, price_list_id, today)
        retail_id = conn.execute(
            select(s.price_lists.c.id).where(s.price_lists.c.kind == "retail").order_by(s.price_lists.c.id)
        ).scalar()
        retail = current if retail_id in (None, price_list_id) else _dated(conn, retail_id, today)[0]
        query = select(s.items.c.id, s.items.c.sku, s.items.c.name, s.items.c.planned_cost_kop).where(
            s.items.c.id.in_(set(current) | set(upcoming) | set(retail))
        )
        if search.strip():
            pattern = f"%{search.strip()}%"
            query = query.where(s.items.c.sku.ilike(pattern) | s.items.c.name.ilike(pattern))
        items = conn.execute(query.order_by(s.items.c.sku).limit(PAGE_LIMIT)).all()
    return {
        "list": plist,
        "as_of": today.isoformat(),
        "items": [
            {
                "item_id": it.id,
                "sku": it.sku,
                "name": it.name,
                "planned_cost_kop": int(it.planned_cost_kop),
                "price_kop": current[it.id][1] if it.id in current else None,
                "since": current[it.id][0].isoformat() if it.id in current else None,
                "next_price_kop": upcoming[it.id][1] if it.id in upcoming else None,
                "next_from": upcoming[it.id][0].isoformat() if it.id in upcoming else None,
                "retail_kop": None if it.id in current or it.id not in retail else retail[it.id][1],
            }
            for it in items
        ],
    }


def _dated(
    conn: Connection, price_list_id: int, today: dt.date
) -> tuple[dict[int, tuple[dt.date, int]], dict[int, tuple[dt.date, int]]]:
    """Per item of a list: the (date, price) effective ``today`` and the next planned one."""
    current: dict[int, tuple[dt.date, int]] = {}
    upcoming: dict[int, tuple[dt.date, int]] = {}
    ip = s.item_prices.c
    for item_id, price, since in conn.execute(
        select(ip.item_id, ip.price_kop, ip.effective_from).where(ip.price_list_id == price_list_id)
    ):
        if since <= today and (item_id not in current or since > current[item_id][0]):
            current[item_id] = (since, int(price))
        if since > today and (item_id not in upcoming or since < upcoming[item_id][0]):
            upcoming[item_id] = (since, int(price))
    return current, upcoming


def price_history(engine: Engine, user: User, price_list_id: int, sku: str) -> dict[str, Any]:
    """Every price of an item in a list, newest first, with who set it."""
    may_read(user.role)
    with engine.connect() as conn:
        plist = _price_list(conn, price_list_id)
        item = _item(conn, sku)
        rows = conn.execute(
            select(s.item_prices.c.price_kop, s.item_prices.c.effective_from, s.users.c.login, s.users.c.full_name)
            .outerjoin(s.users, s.users.c.id == s.item_prices.c.set_by)
            .where(s.item_prices.c.price_list_id == price_list_id, s.item_prices.c.item_id == item.id)
            .order_by(s.item_prices.c.effective_from.desc())
        ).all()
    return {
        "list": plist,
        "sku": item.sku,
        "name": item.name,
        "planned_cost_kop": int(item.planned_cost_kop),
        "prices": [
            {"price_kop": int(r.price_kop), "effective_from": r.effective_from.isoformat(), "set_by": r.login,
             "set_by_name": r.full_name}
            for r in rows
        ],
    }  # fmt: skip


def customers(engine: Engine, user: User) -> list[dict[str, Any]]:
    """Customers with their price list, for the director's assignment form."""
    may_read(user.role)
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.customers.c.id, s.customers.c.name, s.customers.c.inn, s.customers.c.price_list_id).order_by(
                s.customers.c.name
            )
        ).all()
    return [{"id": r.id, "name": r.name, "inn": r.inn, "price_list_id": r.price_list_id} for r in rows]


def planned_work(engine: Engine, user: User) -> list[dict[str, Any]]:
    """The register of planned work, open requests first; a sales manager sees only their own requests."""
    if user.role not in ("sales_manager",):
        may_read(user.role)
    requester = s.users.alias("requester")
    decider = s.users.alias("decider")
    pw = s.planned_work.c
    query = (
        select(
            s.planned_work,
            s.items.c.sku,
            s.items.c.name.label("item_name"),
            s.items.c.planned_cost_kop,
            s.price_lists.c.name.label("list_name"),
            requester.c.login.label("requester_login"),
            requester.c.full_name.label("requester_name"),
            decider.c.login.label("decider_login"),
        )
        .join(s.items, s.items.c.id == pw.item_id)
        .join(s.price_lists, s.price_lists.c.id == pw.price_list_id)
        .join(requester, requester.c.id == pw.requested_by)
        .outerjoin(decider, decider.c.id == pw.decided_by)
        .order_by((pw.status != "open"), pw.requested_at.desc(), pw.id.desc())
    )
    if user.role == "sales_manager":
        query = query.where(pw.requested_by == user.id)
    with engine.connect() as conn:
        rows = conn.execute(query.limit(PAGE_LIMIT)).all()
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "status": r.status,
            "status_title": STATUS_TITLES.get(r.status, r.status),
            "sku": r.sku,
            "item_name": r.item_name,
            "planned_cost_kop": int(r.planned_cost_kop),
            "price_list_id": r.price_list_id,
            "list_name": r.list_name,
            "price_kop": int(r.price_kop),
            "effective_from": r.effective_from.isoformat(),
            "reason": r.reason,
            "requested_by": r.requester_login,
            "requested_by_name": r.requester_name,
            "requested_at": r.requested_at.isoformat(),
            "decided_by": r.decider_login,
            "decided_at": None if r.decided_at is None else r.decided_at.isoformat(),
            "decision_note": r.decision_note,
        }
        for r in rows
    ]


# --- commands ----------------------------------------------------------------------------------------------------


def set_price(engine: Engine, user: User, change: PriceChange, today: dt.date, now: dt.datetime) -> int:
    """Set a price effective from a date (the director); the ``item_prices`` row id."""
    may_change(user.role)
    with engine.begin() as conn:
        return _set_price(conn, user, change, today, now)


def create_personal_list(engine: Engine, user: User, customer_id: int, now: dt.datetime) -> int:
    """A personal price list for a customer, assigned to them at once; its id."""
    may_change(user.role)
    with engine.begin() as conn:
        customer = _customer(conn, customer_id)
        code = f"personal-c{customer.id}"
        if conn.execute(select(s.price_lists.c.id).where(s.price_lists.c.code == code)).first() is not None:
            raise Conflict(f"У клиента «{customer.name}» уже есть персональный прайс-лист")
        list_id: int = conn.execute(
            insert(s.price_lists)
            .values(code=code, name=f"Персональный: {customer.name}"[:200], kind="personal")
            .returning(s.price_lists.c.id)
        ).scalar_one()
        _assign(conn, user, customer, list_id, now)
    return list_id


def assign_price_list(engine: Engine, user: User, customer_id: int, price_list_id: int, now: dt.datetime) -> None:
    """The customer buys by this list from now on (the director)."""
    may_change(user.role)
    with engine.begin() as conn:
        customer = _customer(conn, customer_id)
        _price_list(conn, price_list_id)
        _assign(conn, user, customer, price_list_id, now)


def request_price(engine: Engine, user: User, request: PriceRequest, today: dt.date, now: dt.datetime) -> int:
    """A manager asks the commercial director for a price change; the register entry's id (PRICE-2)."""
    may_request(user.role)
    reason = request.reason.strip()
    if not reason:
        raise OrderRefused("Укажите причину изменения цены")
    change = request.change
    with engine.begin() as conn:
        plist = _price_list(conn, change.price_list_id)
        item = _item(conn, change.sku)
        check_new_price(item.sku, change.price_kop, int(item.planned_cost_kop), change.effective_from, today)
        entry_id: int = conn.execute(
            insert(s.planned_work)
            .values(
                kind="price_request", requested_by=user.id, requested_at=now, item_id=item.id,
                price_list_id=plist["id"], price_kop=change.price_kop, effective_from=change.effective_from,
                reason=reason, status="open",
            )
            .returning(s.planned_work.c.id)
        ).scalar_one()  # fmt: skip
        notify(
            conn,
            kind="price_request",
            subject=f"Запрос на изменение цены {item.sku} в «{plist['name']}»",
            body=(
                f"{user.full_name} просит установить цену {rubles(change.price_kop)} на {item.sku} «{item.name}» "
                f"в прайс-листе «{plist['name']}» с {change.effective_from:%d.%m.%Y}. Причина: {reason}"
            ),
            link="/planned-work",
            roles=["commercial_director"],
            now=now,
        )
    return entry_id


def approve_request(engine: Engine, user: User, entry_id: int, today: dt.date, now: dt.datetime) -> int:
    """Approve a price request: the price is set from the date asked (today if that has passed); the price row id."""
    may_change(user.role)
    with engine.begin() as conn:
        entry = _open_entry(conn, entry_id)
        sku = conn.execute(select(s.items.c.sku).where(s.items.c.id == entry.item_id)).scalar_one()
        start = max(entry.effective_from, today)
        change = PriceChange(entry.price_list_id, sku, int(entry.price_kop), start)
        price_id = _set_price(conn, user, change, today, now)
        conn.execute(
            update(s.planned_work)
            .where(s.planned_work.c.id == entry.id)
            .values(status="approved", decided_by=user.id, decided_at=now)
        )
        notify(
            conn,
            kind="price_request_decided",
            subject=f"Запрос цены {sku} одобрен",
            body=f"Цена {rubles(int(entry.price_kop))} на {sku} действует с {start:%d.%m.%Y}.",
            link=f"/prices?list={entry.price_list_id}",
            users=[entry.requested_by],
            now=now,
        )
    return price_id


def reject_request(engine: Engine, user: User, entry_id: int, note: str, now: dt.datetime) -> None:
    """Reject a price request with the reason the requester is told."""
    may_change(user.role)
    if not note.strip():
        raise OrderRefused("Укажите причину отказа: менеджер получит её в уведомлении")
    with engine.begin() as conn:
        entry = _open_entry(conn, entry_id)
        sku = conn.execute(select(s.items.c.sku).where(s.items.c.id == entry.item_id)).scalar_one()
        conn.execute(
            update(s.planned_work)
            .where(s.planned_work.c.id == entry.id)
            .values(status="rejected", decided_by=user.id, decided_at=now, decision_note=note.strip())
        )
        notify(
            conn,
            kind="price_request_decided",
            subject=f"Запрос цены {sku} отклонён",
            body=f"Коммерческий директор отклонил запрос цены {rubles(int(entry.price_kop))} на {sku}: {note.strip()}",
            link="/planned-work",
            users=[entry.requested_by],
            now=now,
        )


# --- helpers -----------------------------------------------------------------------------------------------------


def _set_price(conn: Connection, user: User, change: PriceChange, today: dt.date, now: dt.datetime) -> int:
    plist = _price_list(conn, change.price_list_id)
    item = _item(conn, change.sku)
    check_new_price(item.sku, change.price_kop, int(item.planned_cost_kop), change.effective_from, today)
    ip = s.item_prices.c
    same_day = conn.execute(
        select(ip.id, ip.price_kop).where(
            ip.price_list_id == plist["id"], ip.item_id == item.id, ip.effective_from == change.effective_from
        )
    ).first()
    before = None if same_day is None else {"price_kop": int(same_day.price_kop)}
    if same_day is None:
        price_id: int = conn.execute(
            insert(s.item_prices)
            .values(
                price_list_id=plist["id"], item_id=item.id, price_kop=change.price_kop,
                effective_from=change.effective_from, set_by=user.id,
            )
            .returning(ip.id)
        ).scalar_one()  # fmt: skip
    else:
        price_id = int(same_day.id)
        conn.execute(update(s.item_prices).where(ip.id == price_id).values(price_kop=change.price_kop, set_by=user.id))
    record(
        conn,
        user.login,
        "price.set",
        f"прайс-лист {plist['code']}, {item.sku}",
        before=before,
        after={"price_kop": change.price_kop, "effective_from": change.effective_from.isoformat()},
        at=now,
    )
    return price_id


def _assign(conn: Connection, user: User, customer: Any, list_id: int, now: dt.datetime) -> None:
    conn.execute(update(s.customers).where(s.customers.c.id == customer.id).values(price_list_id=list_id))
    record(
        conn,
        user.login,
        "customer.price_list",
        f"клиент {customer.name} (ИНН {customer.inn})",
        before={"price_list_id": customer.price_list_id},
        after={"price_list_id": list_id},
        at=now,
    )


def _price_list(conn: Connection, price_list_id: int) -> dict[str, Any]:
    row = conn.execute(select(s.price_lists).where(s.price_lists.c.id == price_list_id)).first()
    if row is None:
        raise NotFound(f"Прайс-лист №{price_list_id} не найден")
    return {"id": row.id, "code": row.code, "name": row.name, "kind": row.kind,
            "kind_title": KIND_TITLES.get(row.kind, row.kind)}  # fmt: skip


def _item(conn: Connection, sku: str) -> Any:
    row = conn.execute(
        select(s.items.c.id, s.items.c.sku, s.items.c.name, s.items.c.planned_cost_kop).where(
            s.items.c.sku == sku.strip()
        )
    ).first()
    if row is None:
        raise NotFound(f"Артикул {sku.strip()} не найден")
    return row


def _customer(conn: Connection, customer_id: int) -> Any:
    row = conn.execute(
        select(s.customers.c.id, s.customers.c.name, s.customers.c.inn, s.customers.c.price_list_id).where(
            s.customers.c.id == customer_id
        )
    ).first()
    if row is None:
        raise NotFound(f"Клиент №{customer_id} не найден")
    return row


def _open_entry(conn: Connection, entry_id: int) -> Any:
    entry = conn.execute(select(s.planned_work).where(s.planned_work.c.id == entry_id).with_for_update()).first()
    if entry is None:
        raise NotFound(f"Запрос №{entry_id} не найден в плане работ")
    if entry.status != "open":
        raise Conflict(f"Запрос №{entry_id} уже рассмотрен: {STATUS_TITLES.get(entry.status, entry.status).lower()}")
    return entry
