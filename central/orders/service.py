"""Orders service (ORD-1..5, PRICE-1): each public function owns its transaction.

``create_order`` prices the lines from the customer's price list and refuses a sale below planned cost;
``confirm_order`` records the customer's fulfilment variant and writes the reservations it implies, under the
items' locks; ``cancel_order`` releases them; ``order_view``, ``availability`` and ``deficit_statement`` read.
Refusals raise ``OrderRefused`` (or a subclass) before anything is written, so nothing is half-done.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from central.auth.staff import User
from central.notifications.inbox import notify
from central.orders.availability import ItemSupply, LineAvailability, check_line
from central.orders.domain import (
    RESERVATION_TERM_DAYS,
    VARIANT_TITLES,
    Conflict,
    Forbidden,
    HeldPortion,
    ItemState,
    NotFound,
    OrderRefused,
    Plan,
    check_order,
    check_price,
    confirmed_line,
    plan_confirmation,
)
from central.orders.reservations import (
    CLOSED_ORDER_STATUSES,
    Expired,
    aware,
    end_of,
    expire_reservations,
    home_warehouse,
    inbound_dates,
    item_states,
    lock_items,
)
from central.orders.stage import order_stages
from central.orders.variants import variants
from central.store import schema as s

ORDER_ROLES = ("sales_manager", "commercial_director", "dispatcher", "admin")
READ_ROLES = (*ORDER_ROLES, "purchasing_manager", "director")  # the deficit statement and availability: purchasing too
FORBIDDEN = "Недостаточно прав: заказами занимаются менеджеры продаж, коммерческий директор, диспетчер и администратор"
FORBIDDEN_READ = (
    "Недостаточно прав: остатки и дефицит видят менеджеры продаж, закупка, диспетчер, коммерческий директор и директор"
)
NOT_YOURS = "Это заказ другого менеджера: работать с ним может ответственный менеджер, диспетчер или директор"
SOURCES = ("manager", "portal", "email")
PAYMENT_FORMS = ("prepayment", "advance", "deferral", "consignment")
RETURN_TERMS = ("full_until_date", "partial", "defects_only", "no_return")
OPEN_STATUSES = ("draft", "confirmed")
VIEW_ROLES = (*ORDER_ROLES, "director")


@dataclass(frozen=True)
class NewOrder:
    """``NewOrder(customer_id=7, lines=[("K-1", 5)], desired_date=date(2026, 12, 1))``."""

    customer_id: int
    lines: Sequence[tuple[str, int]]
    desired_date: dt.date | None = None
    source: str = "manager"
    payment_form: str | None = None  # the customer's payment method when None
    return_terms: str = "full_until_date"


@dataclass(frozen=True)
class Confirmation:
    """The customer's choice: ``Confirmation("substitute", {"K-2": "K-5"})``."""

    variant: str
    substitutes: Mapping[str, str] = field(default_factory=dict)


def may_order(user: User) -> None:
    if user.role not in ORDER_ROLES:
        raise Forbidden(FORBIDDEN)


def may_view(user: User) -> None:
    """Orders are read by the people who work on them and by the director (who changes nothing)."""
    if user.role not in VIEW_ROLES:
        raise Forbidden(FORBIDDEN)


def may_read(user: User) -> None:
    if user.role not in READ_ROLES:
        raise Forbidden(FORBIDDEN_READ)


def _own(user: User, manager_id: int) -> None:
    if user.role == "sales_manager" and manager_id != user.id:
        raise Forbidden(NOT_YOURS)


# --- commands --------------------------------------------------------------------------------------------------


def create_order(engine: Engine, user: User, new: NewOrder, today: dt.date, now: dt.datetime) -> int:
    """Record a draft order with priced lines; its id. The stock check is part of every read of it."""
    may_order(user)
    requested = _merge(new.lines)
    if new.desired_date is not None and new.desired_date < today:
        raise OrderRefused(f"Желаемая дата {new.desired_date:%d.%m.%Y} уже прошла")
    if new.source not in SOURCES:
        raise OrderRefused("Источник заказа: manager, portal или email")
    if new.payment_form is not None and new.payment_form not in PAYMENT_FORMS:
        raise OrderRefused("Форма оплаты: prepayment, advance, deferral или consignment")
    if new.return_terms not in RETURN_TERMS:
        raise OrderRefused("Условия возврата: full_until_date, partial, defects_only или no_return")
    with engine.begin() as conn:
        customer = conn.execute(
            select(
                s.customers.c.id, s.customers.c.manager_id, s.customers.c.price_list_id, s.customers.c.payment_method
            ).where(s.customers.c.id == new.customer_id)
        ).first()
        if customer is None:
            raise OrderRefused(f"Клиент №{new.customer_id} не найден")
        if user.role == "sales_manager" and customer.manager_id != user.id:
            raise Forbidden("Клиент закреплён за другим менеджером: заказ оформляет его ответственный менеджер")
        items = {
            r.sku: r
            for r in conn.execute(
                select(s.items.c.id, s.items.c.sku, s.items.c.planned_cost_kop).where(s.items.c.sku.in_(requested))
            )
        }
        unknown = [sku for sku in requested if sku not in items]
        if unknown:
            raise OrderRefused("Неизвестные артикулы: " + ", ".join(unknown))
        prices = _prices(conn, customer.price_list_id, [r.id for r in items.values()], today)
        priced = {
            sku: check_price(sku, prices.get(items[sku].id), int(items[sku].planned_cost_kop)) for sku in requested
        }
        states = _by_sku(item_states(conn, [r.id for r in items.values()]))
        checks = check_order(requested, states, today)
        deadline = new.desired_date or _complete_date(checks, today)
        order_id: int = conn.execute(
            insert(s.orders)
            .values(
                number="~" + secrets.token_hex(9),
                customer_id=customer.id,
                manager_id=customer.manager_id,
                status="draft",
                source=new.source,
                created_at=now,
                deadline=deadline,
                payment_form=new.payment_form or customer.payment_method,
                return_terms=new.return_terms,
                total_kop=sum(qty * priced[sku] for sku, qty in requested.items()),
            )
            .returning(s.orders.c.id)
        ).scalar_one()
        conn.execute(update(s.orders).where(s.orders.c.id == order_id).values(number=f"З-{order_id:07d}"))
        conn.execute(
            insert(s.order_lines),
            [
                {"order_id": order_id, "item_id": items[sku].id, "qty": qty, "price_kop": priced[sku]}
                for sku, qty in requested.items()
            ],
        )
    return order_id


def confirm_order(
    engine: Engine, user: User, order_id: int, choice: Confirmation, today: dt.date, now: dt.datetime
) -> None:
    """Confirm a draft order with the customer's variant and reserve what it implies (ORD-4, ORD-5)."""
    may_order(user)
    with engine.begin() as conn:
        expire_reservations(conn, now)
        order = _lock_order(conn, order_id)
        _own(user, order.manager_id)
        if order.status != "draft":
            raise Conflict(f"Заказ {order.number} уже {_STATUS_WORDS.get(order.status, order.status)}")
        lines = conn.execute(
            select(
                s.order_lines.c.id,
                s.order_lines.c.item_id,
                s.order_lines.c.qty,
                s.order_lines.c.price_kop,
                s.items.c.sku,
            )
            .join(s.items, s.items.c.id == s.order_lines.c.item_id)
            .where(s.order_lines.c.order_id == order.id)
            .order_by(s.order_lines.c.id)
        ).all()
        analogues = {
            r.sku: r
            for r in conn.execute(
                select(s.items.c.id, s.items.c.sku, s.items.c.planned_cost_kop).where(
                    s.items.c.sku.in_(set(choice.substitutes.values()))
                )
            )
        }
        missing = sorted(set(choice.substitutes.values()) - set(analogues))
        if missing:
            raise OrderRefused("Неизвестные артикулы аналогов: " + ", ".join(missing))
        item_ids = {line.item_id for line in lines} | {r.id for r in analogues.values()}
        lock_items(conn, item_ids)
        states = _by_sku(item_states(conn, item_ids))
        requested = {line.sku: int(line.qty) for line in lines}
        home = home_warehouse(conn)
        plan = plan_confirmation(choice.variant, requested, states, today, home, choice.substitutes)
        line_ids = {line.sku: line.id for line in lines}
        total = sum(int(line.qty) * int(line.price_kop) for line in lines)
        if plan.substitutions:
            customer_list = conn.execute(
                select(s.customers.c.price_list_id).where(s.customers.c.id == order.customer_id)
            ).scalar_one()
            prices = _prices(conn, customer_list, [r.id for r in analogues.values()], today)
            for short_sku, analogue, qty in plan.substitutions:
                a = analogues[analogue]
                price = check_price(analogue, prices.get(a.id), int(a.planned_cost_kop))
                line = next(line for line in lines if line.sku == short_sku)
                left = int(line.qty) - qty
                if left:
                    conn.execute(update(s.order_lines).where(s.order_lines.c.id == line.id).values(qty=left))
                else:
                    conn.execute(s.order_lines.delete().where(s.order_lines.c.id == line.id))
                line_ids[analogue] = conn.execute(
                    insert(s.order_lines)
                    .values(order_id=order.id, item_id=a.id, qty=qty, price_kop=price)
                    .returning(s.order_lines.c.id)
                ).scalar_one()
                total += qty * (price - int(line.price_kop))
        _write_reservations(conn, plan, line_ids, states, now)
        deadline = max(order.deadline, plan.deadline or today)
        conn.execute(
            update(s.orders)
            .where(s.orders.c.id == order.id)
            .values(status="confirmed", deadline=deadline, total_kop=total)
        )
        conn.execute(
            insert(s.order_decisions).values(
                order_id=order.id,
                variant=plan.variant.kind,
                title=plan.variant.title,
                shipments=_shipments_json(plan),
                decided_at=now,
                decided_by=user.id,
            )
        )


def cancel_order(engine: Engine, user: User, order_id: int, now: dt.datetime) -> int:
    """Cancel a draft or confirmed order and release its active reservations; how many were released."""
    may_order(user)
    with engine.begin() as conn:
        order = _lock_order(conn, order_id)
        _own(user, order.manager_id)
        if order.status == "cancelled":
            raise Conflict(f"Заказ {order.number} уже отменён")
        if order.status not in OPEN_STATUSES:
            raise Conflict(
                f"Заказ {order.number} уже {_STATUS_WORDS.get(order.status, order.status)}: "
                "отмену после выдачи задания на отбор решает диспетчер"
            )
        lines = select(s.order_lines.c.id).where(s.order_lines.c.order_id == order.id).scalar_subquery()
        released = conn.execute(
            update(s.reservations)
            .where(s.reservations.c.order_line_id.in_(lines), s.reservations.c.status == "active")
            .values(status="released")
        ).rowcount
        conn.execute(update(s.orders).where(s.orders.c.id == order.id).values(status="cancelled"))
    return int(released or 0)


def expire(engine: Engine, now: dt.datetime) -> list[Expired]:
    """Run the expiry in its own transaction (the timer's endpoint)."""
    with engine.begin() as conn:
        return expire_reservations(conn, now)


# --- reads -------------------------------------------------------------------------------------------------------


def order_view(engine: Engine, user: User, order_id: int, today: dt.date) -> dict[str, Any]:
    """The order as the API shows it: lines with prices, stock check, reservations, variants, deficit."""
    may_view(user)
    with engine.connect() as conn:
        return _order_view(conn, user, order_id, today)


def availability(engine: Engine, user: User, sku: str, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """``on_hand``, ``reserved`` (from stock), ``free`` and ``inbound`` of an item, by warehouse too."""
    may_read(user)
    with engine.begin() as conn:
        expire_reservations(conn, now)
        item_id = conn.execute(select(s.items.c.id).where(s.items.c.sku == sku)).scalar()
        if item_id is None:
            raise NotFound(f"Артикул {sku} не найден")
        state = item_states(conn, [item_id])[item_id]
        promised = _promised(conn, item_id)
        all_inbound = _all_inbound(conn, item_id)
    return {
        "sku": state.sku,
        "name": state.name,
        "on_hand": sum(state.on_hand.values()),
        "reserved": sum(state.reserved.values()),
        "free": state.free,
        "sites": [
            {"site": site, "on_hand": qty, "reserved": state.reserved.get(site, 0), "free": state.free_at(site)}
            for site, qty in sorted(state.on_hand.items())
        ],
        "inbound": [
            {
                "source": source,
                "kind": source.split(":", 1)[0],
                "number": source.split(":", 1)[1],
                "eta": eta.isoformat(),
                "qty": qty,
                "reserved": promised.get(source, 0),
                "free": max(qty - promised.get(source, 0), 0),
            }
            for source, qty, eta in all_inbound
        ],
        "lead_time_days": state.lead_time_days,
        "lead_time_eta": None
        if state.lead_time_days is None
        else (today + dt.timedelta(days=state.lead_time_days)).isoformat(),
    }


def deficit_statement(engine: Engine, user: User, today: dt.date) -> dict[str, Any]:
    """The deficit statement of all open orders (ORD-3), for purchasing and the dispatcher.

    Confirmed orders are short by what is not reserved from stock; their arrival is that of their reservations
    against supplies and production, else the lead time. Draft orders are checked against what is free in the
    order they were created, each counting on inbound after the drafts before it.
    """
    may_read(user)
    with engine.connect() as conn:
        orders = conn.execute(
            select(
                s.orders.c.id,
                s.orders.c.number,
                s.orders.c.status,
                s.orders.c.deadline,
                s.customers.c.name,
                s.users.c.login,
            )
            .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
            .join(s.users, s.users.c.id == s.orders.c.manager_id)
            .where(s.orders.c.status.in_(OPEN_STATUSES))
            .order_by(s.orders.c.created_at, s.orders.c.id)
        ).all()
        lines = conn.execute(
            select(s.order_lines.c.id, s.order_lines.c.order_id, s.order_lines.c.item_id, s.order_lines.c.qty)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .where(s.orders.c.status.in_(OPEN_STATUSES))
            .order_by(s.order_lines.c.id)
        ).all()
        states = item_states(conn, {line.item_id for line in lines})
        held = _held(conn, [line.id for line in lines])
    by_order: dict[int, list[Any]] = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    taken: dict[int, int] = defaultdict(int)
    promised: dict[int, int] = defaultdict(int)
    rows: list[dict[str, Any]] = []
    for order in orders:
        for line in by_order[order.id]:
            state = states[line.item_id]
            if order.status == "confirmed":
                check = confirmed_line(int(line.qty), held.get(line.id, []), state.lead_time_days, today)
            else:
                base = state.supply()
                check = check_line(
                    int(line.qty),
                    ItemSupply(
                        base.on_hand,
                        base.reserved + taken[line.item_id],
                        base.inbound,
                        promised[line.item_id],
                        base.lead_time_days,
                    ),
                    today,
                )
                taken[line.item_id] += check.available_now
                promised[line.item_id] += check.short
            if check.short:
                rows.append(
                    {
                        "order": order.number,
                        "order_id": order.id,
                        "status": order.status,
                        "customer": order.name,
                        "manager": order.login,
                        "deadline": order.deadline.isoformat(),
                        **_short_line(state.sku, state.name, check, state.lead_time_days),
                    }
                )
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        t = totals.setdefault(
            row["sku"],
            {"sku": row["sku"], "name": row["name"], "short": 0, "orders": 0, "without_date": 0, "latest_eta": None},
        )
        t["short"] += row["short"]
        t["orders"] += 1
        if row["eta"] is None:
            t["without_date"] += row["short"]
        elif t["latest_eta"] is None or row["eta"] > t["latest_eta"]:
            t["latest_eta"] = row["eta"]
    return {"as_of": today.isoformat(), "lines": rows, "items": sorted(totals.values(), key=lambda t: t["sku"])}


# --- helpers -----------------------------------------------------------------------------------------------------

_STATUS_WORDS = {
    "draft": "черновик",
    "confirmed": "подтверждён",
    "picking": "в отборе",
    "shipped": "отгружен",
    "completed": "завершён",
    "cancelled": "отменён",
}


def _merge(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    if not lines:
        raise OrderRefused("В заказе нет строк: укажите артикул и количество")
    merged: dict[str, int] = {}
    for sku, qty in lines:
        code = sku.strip()
        if not code:
            raise OrderRefused("Пустой артикул в строке заказа")
        if qty <= 0:
            raise OrderRefused(f"Количество {code} должно быть больше нуля")
        merged[code] = merged.get(code, 0) + qty
    return merged


def _prices(conn: Connection, price_list_id: int, item_ids: Sequence[int], on: dt.date) -> dict[int, int]:
    """Prices effective on ``on`` in the customer's list; items missing from it take the retail list's price."""
    retail = conn.execute(
        select(s.price_lists.c.id).where(s.price_lists.c.kind == "retail").order_by(s.price_lists.c.id)
    ).scalar()
    out: dict[int, int] = {}
    for list_id in (price_list_id, retail):
        wanted = [i for i in item_ids if i not in out]
        if list_id is None or not wanted:
            continue
        latest = (
            select(s.item_prices.c.item_id, func.max(s.item_prices.c.effective_from).label("since"))
            .where(s.item_prices.c.price_list_id == list_id, s.item_prices.c.item_id.in_(wanted))
            .where(s.item_prices.c.effective_from <= on)
            .group_by(s.item_prices.c.item_id)
            .subquery()
        )
        for item_id, price in conn.execute(
            select(s.item_prices.c.item_id, s.item_prices.c.price_kop).join(
                latest,
                and_(
                    latest.c.item_id == s.item_prices.c.item_id,
                    latest.c.since == s.item_prices.c.effective_from,
                    s.item_prices.c.price_list_id == list_id,
                ),
            )
        ):
            out[item_id] = int(price)
    return out


def _by_sku(states: Mapping[int, ItemState]) -> dict[str, ItemState]:
    return {state.sku: state for state in states.values()}


def _complete_date(checks: Mapping[str, LineAvailability], today: dt.date) -> dt.date:
    short = [a.eta for a in checks.values() if a.short]
    if not short:
        return today
    known = [d for d in short if d is not None]
    return max(known) if known else today + dt.timedelta(days=RESERVATION_TERM_DAYS)


def _lock_order(conn: Connection, order_id: int) -> Any:
    order = conn.execute(select(s.orders).where(s.orders.c.id == order_id).with_for_update()).first()
    if order is None:
        raise NotFound(f"Заказ №{order_id} не найден")
    return order


def _write_reservations(
    conn: Connection, plan: Plan, line_ids: Mapping[str, int], states: Mapping[str, ItemState], now: dt.datetime
) -> None:
    sites: dict[str, int] = {row.code: row.id for row in conn.execute(select(s.sites.c.code, s.sites.c.id))}
    rows = [
        {
            "order_line_id": line_ids[r.line_sku],
            "item_id": states[r.sku].item_id,
            "site_id": sites[r.site],
            "qty": r.qty,
            "source": r.source,
            "created_at": now,
            "expires_at": end_of(r.expires_on),
            "status": "active",
        }
        for r in plan.reservations
    ]
    if rows:
        conn.execute(insert(s.reservations), rows)


def _shipments_json(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "on": None if sh.on is None else sh.on.isoformat(),
            "lines": [{"sku": sku, "qty": qty} for sku, qty in sh.lines],
        }
        for sh in plan.variant.shipments
    ]


def _held(conn: Connection, line_ids: Sequence[int]) -> dict[int, list[HeldPortion]]:
    """Active reservations per order line: from stock (no date) or against an inbound with its date."""
    if not line_ids:
        return {}
    rows = conn.execute(
        select(s.reservations.c.order_line_id, s.reservations.c.source, s.reservations.c.qty).where(
            s.reservations.c.order_line_id.in_(line_ids), s.reservations.c.status.in_(("active", "consumed"))
        )
    ).all()
    dates = inbound_dates(conn, {r.source for r in rows if not r.source.startswith("stock:")})
    out: dict[int, list[HeldPortion]] = defaultdict(list)
    for line_id, source, qty in rows:
        # a reservation without a known inbound (a supply since cancelled) holds no date: treat it as no cover
        if source.startswith("stock:"):
            out[line_id].append(HeldPortion(source, int(qty), None))
        elif source in dates:
            out[line_id].append(HeldPortion(source, int(qty), dates[source]))
    return out


def _basis(check: LineAvailability, lead_time_days: int | None) -> str:
    source = check.eta_source
    if source is None:
        return "срок поступления не определён: нет поставок, производства и срока поставщика"
    if source == "lead_time":
        return f"срок поставки поставщика {lead_time_days} дн. от сегодня"
    kind, _, number = source.partition(":")
    return {"supply": f"заказ поставщику {number}", "production": f"задание на производство {number}"}.get(kind, source)


def _short_line(sku: str, name: str, check: LineAvailability, lead_time_days: int | None = None) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": name,
        "requested": check.requested,
        "available_now": check.available_now,
        "short": check.short,
        "eta": None if check.eta is None else check.eta.isoformat(),
        "eta_source": check.eta_source,
        "basis": _basis(check, lead_time_days),
    }


def _check_json(check: LineAvailability, lead_time_days: int | None) -> dict[str, Any]:
    return {
        "available_now": check.available_now,
        "short": check.short,
        "complete": check.complete,
        "eta": None if check.eta is None else check.eta.isoformat(),
        "eta_source": check.eta_source,
        "basis": None if check.complete else _basis(check, lead_time_days),
    }


def _promised(conn: Connection, item_id: int) -> dict[str, int]:
    return {
        source: int(qty)
        for source, qty in conn.execute(
            select(s.reservations.c.source, func.sum(s.reservations.c.qty))
            .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .where(
                s.reservations.c.item_id == item_id,
                s.reservations.c.status == "active",
                s.reservations.c.source.not_like("stock:%"),
                s.orders.c.status.not_in(CLOSED_ORDER_STATUSES),
            )
            .group_by(s.reservations.c.source)
        )
    }


def _all_inbound(conn: Connection, item_id: int) -> list[tuple[str, int, dt.date]]:
    rows = [
        (f"supply:{number}", int(qty), eta)
        for number, qty, eta in conn.execute(
            select(s.supply_orders.c.number, s.supply_order_lines.c.qty, s.supply_orders.c.eta)
            .join(s.supply_orders, s.supply_orders.c.id == s.supply_order_lines.c.supply_order_id)
            .where(s.supply_order_lines.c.item_id == item_id, s.supply_orders.c.status == "open")
        )
    ] + [
        (f"production:{number}", int(qty), due)
        for number, qty, due in conn.execute(
            select(s.production_tasks.c.number, s.production_tasks.c.qty, s.production_tasks.c.due).where(
                s.production_tasks.c.item_id == item_id, s.production_tasks.c.status.in_(("planned", "in_work"))
            )
        )
    ]
    return sorted(rows, key=lambda r: (r[2], r[0]))


def _order_view(conn: Connection, user: User, order_id: int, today: dt.date) -> dict[str, Any]:
    order = conn.execute(
        select(
            s.orders,
            s.customers.c.name.label("customer_name"),
            s.customers.c.inn.label("customer_inn"),
            s.users.c.login.label("manager_login"),
            s.users.c.full_name.label("manager_name"),
        )
        .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
        .join(s.users, s.users.c.id == s.orders.c.manager_id)
        .where(s.orders.c.id == order_id)
    ).first()
    if order is None:
        raise NotFound(f"Заказ №{order_id} не найден")
    _own(user, order.manager_id)
    lines = conn.execute(
        select(
            s.order_lines.c.id,
            s.order_lines.c.item_id,
            s.order_lines.c.qty,
            s.order_lines.c.price_kop,
            s.items.c.sku,
            s.items.c.name,
        )
        .join(s.items, s.items.c.id == s.order_lines.c.item_id)
        .where(s.order_lines.c.order_id == order.id)
        .order_by(s.order_lines.c.id)
    ).all()
    reservations = conn.execute(
        select(s.reservations, s.items.c.sku, s.sites.c.code.label("site"))
        .join(s.items, s.items.c.id == s.reservations.c.item_id)
        .join(s.sites, s.sites.c.id == s.reservations.c.site_id)
        .where(s.reservations.c.order_line_id.in_([line.id for line in lines]))
        .order_by(s.reservations.c.id)
    ).all()
    states = item_states(conn, {line.item_id for line in lines})
    checks: dict[int, LineAvailability] = {}
    offered: list[dict[str, Any]] = []
    if order.status == "draft":
        requested = {line.sku: int(line.qty) for line in lines}
        by_sku = check_order(requested, _by_sku(states), today)
        checks = {line.id: by_sku[line.sku] for line in lines}
        offered = [
            {
                "kind": v.kind,
                "title": v.title,
                "last_date": None if v.last_date is None else v.last_date.isoformat(),
                "shipments": [
                    {
                        "on": None if sh.on is None else sh.on.isoformat(),
                        "lines": [{"sku": sku, "qty": qty} for sku, qty in sh.lines],
                    }
                    for sh in v.shipments
                ],
            }
            for v in variants(by_sku, today)
        ]
    elif order.status in ("confirmed", "picking"):
        held = _held(conn, [line.id for line in lines])
        checks = {
            line.id: confirmed_line(int(line.qty), held.get(line.id, []), states[line.item_id].lead_time_days, today)
            for line in lines
        }
    decision = conn.execute(select(s.order_decisions).where(s.order_decisions.c.order_id == order.id)).first()
    view_lines = []
    deficit = []
    for line in lines:
        check = checks.get(line.id)
        lead = states[line.item_id].lead_time_days
        view_lines.append(
            {
                "id": line.id,
                "sku": line.sku,
                "name": line.name,
                "qty": int(line.qty),
                "price_kop": int(line.price_kop),
                "amount_kop": int(line.qty) * int(line.price_kop),
                "reserved": sum(
                    int(r.qty) for r in reservations if r.order_line_id == line.id and r.status == "active"
                ),
                "check": None if check is None else _check_json(check, lead),
            }
        )
        if check is not None and check.short:
            deficit.append(_short_line(line.sku, line.name, check, lead))
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "status_title": _STATUS_WORDS.get(order.status, order.status),
        "customer": {"id": order.customer_id, "name": order.customer_name, "inn": order.customer_inn},
        "manager": {"id": order.manager_id, "login": order.manager_login, "full_name": order.manager_name},
        "source": order.source,
        "created_at": aware(order.created_at).isoformat(),
        "deadline": order.deadline.isoformat(),
        "payment_form": order.payment_form,
        "return_terms": order.return_terms,
        "total_kop": int(order.total_kop),
        "lines": view_lines,
        "reservations": [
            {
                "id": r.id,
                "line_id": r.order_line_id,
                "sku": r.sku,
                "site": r.site,
                "qty": int(r.qty),
                "source": r.source,
                "created_at": aware(r.created_at).isoformat(),
                "expires_at": aware(r.expires_at).isoformat(),
                "status": r.status,
            }
            for r in reservations
        ],
        "variants": offered,
        "variant": None
        if decision is None
        else {
            "kind": decision.variant,
            "title": decision.title,
            "name": VARIANT_TITLES.get(decision.variant, decision.variant),
            "shipments": decision.shipments,
            "decided_at": aware(decision.decided_at).isoformat(),
            "decided_by": decision.decided_by,
        },
        "deficit": deficit,
    }


# --- the office pages' reads and commands ---------------------------------------------------------------------


def order_list(
    engine: Engine, user: User, status: str | None = None, customer_id: int | None = None, limit: int = 300
) -> list[dict[str, Any]]:
    """Orders newest first with their stage: a manager's own, everyone's for the directors and the dispatcher."""
    may_view(user)
    o = s.orders.c
    query = (
        select(o.id, o.number, o.status, o.created_at, o.deadline, o.total_kop, o.customer_id,
               s.customers.c.name.label("customer"), s.users.c.login.label("manager"))
        .join(s.customers, s.customers.c.id == o.customer_id)
        .join(s.users, s.users.c.id == o.manager_id)
        .order_by(o.created_at.desc(), o.id.desc())
        .limit(limit)
    )  # fmt: skip
    if user.role == "sales_manager":
        query = query.where(o.manager_id == user.id)
    if status:
        query = query.where(o.status == status)
    if customer_id is not None:
        query = query.where(o.customer_id == customer_id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        stages = order_stages(conn, [r.id for r in rows])
    return [
        {
            "id": r.id, "number": r.number, "status": r.status, "status_title": _STATUS_WORDS.get(r.status, r.status),
            "created_at": aware(r.created_at).isoformat(), "deadline": r.deadline.isoformat(),
            "total_kop": int(r.total_kop), "customer_id": r.customer_id, "customer": r.customer, "manager": r.manager,
            "stage": stages[r.id].code if r.id in stages else None,
            "stage_title": stages[r.id].title if r.id in stages else None,
        }
        for r in rows
    ]  # fmt: skip


def customers_for(engine: Engine, user: User) -> list[dict[str, Any]]:
    """The customers a user may order for: a manager's own, all of them for the others who take orders."""
    may_view(user)
    c = s.customers.c
    query = select(c.id, c.name, c.inn, c.payment_method, c.manager_id).order_by(c.name)
    if user.role == "sales_manager":
        query = query.where(c.manager_id == user.id)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def disputes(engine: Engine, user: User, order_id: int) -> list[dict[str, Any]]:
    """The order's disputes, the open one first (ORD-10)."""
    may_view(user)
    d = s.order_disputes.c
    opener, closer = s.users.alias("opener"), s.users.alias("closer")
    with engine.connect() as conn:
        _own(user, _order_manager(conn, order_id))
        rows = conn.execute(
            select(s.order_disputes, opener.c.full_name.label("opened_name"), closer.c.full_name.label("closed_name"))
            .join(opener, opener.c.id == d.opened_by)
            .outerjoin(closer, closer.c.id == d.closed_by)
            .where(d.order_id == order_id)
            .order_by(d.closed_at.is_not(None), d.opened_at.desc())
        ).all()
    return [
        {
            "id": r.id, "reason": r.reason, "opened_at": aware(r.opened_at).isoformat(), "opened_by": r.opened_name,
            "closed_at": None if r.closed_at is None else aware(r.closed_at).isoformat(), "closed_by": r.closed_name,
            "resolution": r.resolution, "open": r.closed_at is None,
        }
        for r in rows
    ]  # fmt: skip


def open_dispute(engine: Engine, user: User, order_id: int, reason: str, now: dt.datetime) -> int:
    """Open a dispute over an order with its reason; the commercial director and the manager are told."""
    may_order(user)
    text = reason.strip()
    if not text:
        raise OrderRefused("Укажите причину спора")
    with engine.begin() as conn:
        order = _lock_order(conn, order_id)
        _own(user, order.manager_id)
        if order.status == "draft":
            raise Conflict(f"Заказ {order.number} ещё черновик: спор открывают по подтверждённому заказу")
        d = s.order_disputes.c
        if conn.execute(select(d.id).where(d.order_id == order.id, d.closed_at.is_(None))).first() is not None:
            raise Conflict(f"По заказу {order.number} уже открыт спор: закройте его, прежде чем открывать новый")
        dispute_id: int = conn.execute(
            insert(s.order_disputes)
            .values(order_id=order.id, reason=text, opened_at=now, opened_by=user.id)
            .returning(d.id)
        ).scalar_one()
        notify(
            conn, kind="dispute", subject=f"Спор по заказу {order.number}", body=text, link=f"/orders/{order.id}",
            users=[order.manager_id], roles=["commercial_director"], now=now,
        )  # fmt: skip
    return dispute_id


def close_dispute(
    engine: Engine, user: User, dispute_id: int, resolution: str, now: dt.datetime, order_id: int | None = None
) -> int:
    """Close an open dispute (of ``order_id`` when given) with its resolution; the order's id."""
    may_order(user)
    text = resolution.strip()
    if not text:
        raise OrderRefused("Укажите, чем закончился спор")
    with engine.begin() as conn:
        d = s.order_disputes.c
        row = conn.execute(select(s.order_disputes).where(d.id == dispute_id).with_for_update()).first()
        if row is None or order_id not in (None, row.order_id):
            raise NotFound(f"Спор №{dispute_id} не найден")
        order = _lock_order(conn, row.order_id)
        _own(user, order.manager_id)
        if row.closed_at is not None:
            raise Conflict(f"Спор №{dispute_id} уже закрыт")
        conn.execute(
            update(s.order_disputes).where(d.id == dispute_id).values(closed_at=now, closed_by=user.id, resolution=text)
        )
    return int(row.order_id)


def send_deficit(engine: Engine, user: User, today: dt.date, now: dt.datetime, order_id: int | None = None) -> int:
    """Send the deficit statement (of all open orders, or of one) to purchasing and the dispatchers (ORD-3).

    Every purchasing manager and dispatcher gets one notice listing the short lines; how many were sent.
    """
    if order_id is None:
        statement = deficit_statement(engine, user, today)
        lines, title, link = statement["lines"], f"Дефицитная ведомость на {today:%d.%m.%Y}", "/orders/deficit"
    else:
        view = order_view(engine, user, order_id, today)
        lines = [{**line, "order": view["number"]} for line in view["deficit"]]
        title, link = f"Дефицит по заказу {view['number']}", f"/orders/{order_id}"
    if not lines:
        raise Conflict("Дефицита нет: отправлять нечего")
    body = "\n".join(_deficit_text(line) for line in lines)
    with engine.begin() as conn:
        sent = notify(
            conn, kind="deficit", subject=title, body=body, link=link,
            roles=["purchasing_manager", "dispatcher"], now=now,
        )  # fmt: skip
    return len(sent)


def _deficit_text(line: Mapping[str, Any]) -> str:
    eta = line["eta"]
    when = "срок не определён" if eta is None else f"поступление {dt.date.fromisoformat(eta):%d.%m.%Y}"
    return f"{line['order']}: {line['sku']} «{line['name']}» — не хватает {line['short']} шт., {when} ({line['basis']})"


def _order_manager(conn: Connection, order_id: int) -> int:
    manager = conn.execute(select(s.orders.c.manager_id).where(s.orders.c.id == order_id)).scalar()
    if manager is None:
        raise NotFound(f"Заказ №{order_id} не найден")
    return int(manager)
