"""The dispatcher's board (DISP-1): every open order with its stage, and releasing orders to the warehouse.

``board(conn, BoardQuery(ready_only=True))`` lists the orders sorted by deadline with the two conditions of DISP-1
— «комплект» (every line covered by active stock reservations at one site) and «оплата OK» — taken from the
order's stage (``central.orders.stage``). ``release_order(engine, user, "З-0000042", version, now)`` hands one
complete, paid order to the site that holds its reservations as a pick task (WH-3), in its own transaction, and
tells the warehouse managers; ``release_orders`` does that for several orders, one transaction each. The board
shows each order's ``version`` (a digest of what the release depends on): a release against an older version is
refused, because the dispatcher decided on data that has since changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from central.auth.staff import User
from central.dispatch.pick_tasks import PickTaskRefused, issue_pick_task
from central.notifications.inbox import notify
from central.orders.domain import rubles
from central.orders.stage import TITLES, OrderStage, order_stages
from central.store import schema as s

READERS = ("dispatcher", "commercial_director", "director", "admin")
RELEASERS = ("dispatcher", "admin")
FORBIDDEN_READ = "Недостаточно прав: доску диспетчера видят диспетчер, коммерческий директор, директор и администратор"
FORBIDDEN_RELEASE = "Недостаточно прав: выпускает заказы на склад диспетчер (или администратор)"
OPEN_STATUSES = ("confirmed", "picking", "shipped")  # confirmed and later, not yet completed or cancelled
FINISHED_STATUSES = ("completed", "cancelled")
RELEASABLE_STAGES = ("confirmed", "invoiced", "paid")  # no pick task yet, nothing shipped, no dispute
PER_PAGE = 50
PAYMENT_FORMS = {"prepayment": "предоплата", "advance": "аванс", "deferral": "отсрочка", "consignment": "реализация"}


class ReleaseRefused(Exception):
    """The order cannot go to the warehouse now; the message says why, in Russian, and nothing was written."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class BoardQuery:
    """What the dispatcher asked to see: ``BoardQuery(stage="paid", ready_only=True, page=2)``."""

    stage: str | None = None
    ready_only: bool = False
    finished: bool = False
    search: str = ""
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class BoardRow:
    """One order on the board."""

    order_id: int
    number: str
    customer: str
    manager: str
    deadline: dt.date
    total_kop: int
    payment_form: str
    stage: OrderStage
    releasable: bool
    version: str

    def as_json(self) -> dict[str, Any]:
        """The row as the API answers it."""
        st = self.stage
        return {
            "order": self.number, "customer": self.customer, "manager": self.manager,
            "deadline": self.deadline.isoformat(), "total_kop": self.total_kop, "payment_form": self.payment_form,
            "stage": st.code, "stage_title": st.title, "complete": st.complete, "site": st.site,
            "payment_ok": st.payment_ok, "invoiced_kop": st.invoiced_kop, "paid_kop": st.paid_kop,
            "assembled_percent": st.assembled_percent, "ready": st.ready, "dispute": st.dispute,
            "releasable": self.releasable, "version": self.version,
        }  # fmt: skip


@dataclass(frozen=True)
class Board:
    """A page of the board and what the filters matched: ``board.total``, ``board.counts["paid"]``."""

    rows: list[BoardRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]
    ready: int


@dataclass(frozen=True)
class Released:
    """An order handed to the warehouse: its pick task's barcode, the site and the number of lines."""

    order: str
    task: str
    site: str
    lines: int


def may_read(user: User) -> None:
    """Refuse users who may not see the board: ``may_read(dispatcher)``."""
    if user.role not in READERS:
        raise ReleaseRefused(FORBIDDEN_READ, 403)


def may_release(user: User) -> None:
    """Refuse users who may not release orders: ``may_release(dispatcher)``."""
    if user.role not in RELEASERS:
        raise ReleaseRefused(FORBIDDEN_RELEASE, 403)


def releasable(status: str, stage: OrderStage) -> bool:
    """DISP-1: a confirmed order not yet released, complete at one site and with its payment OK."""
    return status == "confirmed" and stage.code in RELEASABLE_STAGES and stage.complete and stage.payment_ok


# --- the board ---------------------------------------------------------------------------------------------------


def board(conn: Connection, query: BoardQuery) -> Board:
    """The board's page for ``query``: open orders (or also finished ones) by deadline, filtered by stage/ready."""
    o = s.orders.c
    statuses = OPEN_STATUSES + (FINISHED_STATUSES if query.finished else ())
    wanted = (
        select(
            o.id, o.number, o.status, o.deadline, o.total_kop, o.payment_form,
            s.customers.c.name.label("customer"), s.users.c.full_name.label("manager"),
        )
        .join(s.customers, s.customers.c.id == o.customer_id)
        .join(s.users, s.users.c.id == o.manager_id)
        .where(o.status.in_(statuses))
        .order_by(o.deadline, o.id)
    )  # fmt: skip
    if query.search.strip():
        pattern = f"%{query.search.strip()}%"
        wanted = wanted.where(or_(o.number.ilike(pattern), s.customers.c.name.ilike(pattern)))
    orders = conn.execute(wanted).all()
    stages = order_stages(conn, [order.id for order in orders])
    counts: dict[str, int] = defaultdict(int)
    matched = []
    ready = 0
    for order in orders:
        stage = stages[order.id]
        counts[stage.code] += 1
        is_ready = releasable(order.status, stage)
        ready += is_ready
        if (query.stage and stage.code != query.stage) or (query.ready_only and not is_ready):
            continue
        matched.append((order, stage, is_ready))
    per_page = max(1, query.per_page)
    pages = max(1, -(-len(matched) // per_page))
    page = min(max(1, query.page), pages)
    shown = matched[(page - 1) * per_page : page * per_page]
    versions = order_versions(conn, [order.id for order, _, _ in shown])
    rows = [
        BoardRow(
            order_id=order.id, number=order.number, customer=order.customer, manager=order.manager,
            deadline=order.deadline, total_kop=int(order.total_kop), payment_form=order.payment_form, stage=stage,
            releasable=is_ready, version=versions[order.id],
        )
        for order, stage, is_ready in shown
    ]  # fmt: skip
    return Board(rows, len(matched), page, pages, dict(counts), ready)


def order_versions(conn: Connection, order_ids: Collection[int]) -> dict[int, str]:
    """A digest per order of what a release depends on: its status, lines, reservations, invoices and tasks."""
    ids = sorted(set(order_ids))
    facts: dict[int, list[str]] = {order_id: [] for order_id in ids}
    if not ids:
        return {}
    o, ol, r, i, t = s.orders.c, s.order_lines.c, s.reservations.c, s.invoices.c, s.dispatch_tasks.c
    queries = (
        select(o.id, o.status, o.total_kop, o.deadline, o.payment_form).where(o.id.in_(ids)),
        select(ol.order_id, ol.id, ol.item_id, ol.qty).where(ol.order_id.in_(ids)),
        select(ol.order_id, r.id, r.site_id, r.qty, r.source, r.status)
        .join(s.order_lines, ol.id == r.order_line_id)
        .where(ol.order_id.in_(ids)),
        select(i.order_id, i.id, i.amount_kop, i.paid_kop).where(i.order_id.in_(ids)),
        select(t.order_id, t.id, t.status).where(t.order_id.in_(ids), t.kind == "pick"),
    )
    for n, query in enumerate(queries):
        for row in conn.execute(query):
            facts[row[0]].append(f"{n}:" + "|".join(str(value) for value in row[1:]))
    return {
        order_id: hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:16]
        for order_id, lines in facts.items()
    }


# --- releasing ---------------------------------------------------------------------------------------------------


def release_order(engine: Engine, user: User, number: str, version: str | None, now: dt.datetime) -> Released:
    """Hand one order to the warehouse as a pick task, in its own transaction; ``ReleaseRefused`` says why not."""
    may_release(user)
    with engine.begin() as conn:
        return _release(conn, user, number.strip(), version, now)


def release_orders(
    engine: Engine, user: User, numbers: Sequence[str], versions: Mapping[str, str], now: dt.datetime
) -> list[dict[str, Any]]:
    """Release several orders, each in its own transaction: one result per order, released or refused with why."""
    may_release(user)
    if not numbers:
        raise ReleaseRefused("Не выбрано ни одного заказа", 422)
    results: list[dict[str, Any]] = []
    for number in dict.fromkeys(n.strip() for n in numbers):
        try:
            done = release_order(engine, user, number, versions.get(number), now)
        except ReleaseRefused as refused:
            results.append({"order": number, "released": False, "status": refused.status, "reason": refused.message})
        else:
            results.append(
                {"order": number, "released": True, "task": done.task, "site": done.site, "lines": done.lines}
            )
    return results


def _release(conn: Connection, user: User, number: str, version: str | None, now: dt.datetime) -> Released:
    o = s.orders.c
    # The order's row lock serialises two dispatchers releasing the same order (SQLite: BEGIN IMMEDIATE does).
    order = conn.execute(
        select(o.id, o.status, o.payment_form, o.total_kop, o.deadline, s.customers.c.name.label("customer"))
        .join(s.customers, s.customers.c.id == o.customer_id)
        .where(o.number == number)
        .with_for_update(of=s.orders)
    ).first()
    if order is None:
        raise ReleaseRefused(f"Заказ {number} не найден", 404)
    stage = order_stages(conn, [order.id])[order.id]
    _check_state(number, order.status, stage)
    if version is not None and version != order_versions(conn, [order.id])[order.id]:
        raise ReleaseRefused(
            f"Заказ {number} изменился после того, как была открыта доска: обновите страницу и проверьте его снова"
        )
    if not stage.complete or stage.site is None:
        raise ReleaseRefused(f"Заказ {number} не комплектен: {_short_lines(conn, order.id)}")
    if not stage.payment_ok:
        form = PAYMENT_FORMS.get(order.payment_form, order.payment_form)
        raise ReleaseRefused(
            f"Оплата заказа {number} не в порядке ({form}): оплачено {rubles(stage.paid_kop)} "
            f"из {rubles(int(order.total_kop))}"
        )
    try:
        issued = issue_pick_task(conn, number, stage.site, now)
    except PickTaskRefused as refused:
        raise ReleaseRefused(str(refused)) from refused
    notify(
        conn, roles=["warehouse_manager"], kind="pick_task_issued", now=now,
        subject=f"Задание на сборку заказа {number} (склад {stage.site})",
        body=f"Диспетчер {user.full_name} выпустил на склад {stage.site} заказ {number} ({order.customer}): "
        f"{issued.lines} строк отбора, срок {order.deadline:%d.%m.%Y}. Задание {issued.code} уже на терминалах склада.",
    )  # fmt: skip
    return Released(number, issued.code, stage.site, issued.lines)


def _check_state(number: str, status: str, stage: OrderStage) -> None:
    if status == "cancelled":
        raise ReleaseRefused(f"Заказ {number} отменён")
    if status == "draft":
        raise ReleaseRefused(f"Заказ {number} — черновик: выпускают только подтверждённые заказы")
    if status != "confirmed" or stage.code not in RELEASABLE_STAGES:
        if stage.code == "dispute":
            raise ReleaseRefused(f"По заказу {number} открыт спор: {stage.dispute}")
        raise ReleaseRefused(f"Заказ {number} уже выпущен на склад (стадия «{TITLES.get(stage.code, stage.code)}»)")


def _short_lines(conn: Connection, order_id: int) -> str:
    """Which lines the stock reservations do not cover, for the refusal: «ГП-00017: 3 из 10 шт.»."""
    r, ol = s.reservations.c, s.order_lines.c
    held = (
        select(r.order_line_id, func.sum(r.qty).label("qty"))
        .where(r.status == "active", r.source.like("stock:%"))
        .group_by(r.order_line_id)
        .subquery()
    )
    rows = conn.execute(
        select(s.items.c.sku, ol.qty, func.coalesce(held.c.qty, 0))
        .join(s.items, s.items.c.id == ol.item_id)
        .outerjoin(held, held.c.order_line_id == ol.id)
        .where(ol.order_id == order_id)
        .order_by(s.items.c.sku)
    ).all()
    short = [f"{sku}: {int(have)} из {int(qty)} шт." for sku, qty, have in rows if int(have) < int(qty)]
    if short:
        return "на складе зарезервировано " + "; ".join(short)
    return "строки зарезервированы на разных складах — отбор идёт с одного склада"
