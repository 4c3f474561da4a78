"""After picking, from the site's real facts through central's inbox (WH-4, WH-6, LOG-2): the dispatcher and the
logisticians are told, the dispatch keeps when the task was received, the shipment is logged once and the order's
stock reservations at the site are consumed."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import Engine, func, select, update

from central.dispatch.pick_tasks import PickTaskRefused, issue_pick_task
from central.logistics.service import lines_of
from central.store import schema as s
from central.sync.inbox import SiteRef, apply_events, sync_state
from sync.events import Fact, PickedLine, PickTaskCompleted, PickTaskReceived, UnitsPicked, UnitsShipped, version_of
from sync.messages import Event
from tests.dispatch.company import seeded

ISSUED = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


class Site:
    """W1 reporting facts to central in order, as its sync thread would."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.begin() as conn:
            self.ref = SiteRef.load(conn, "W1")
            self.seq = sync_state(conn, self.ref.id)

    def report(self, at: dt.datetime, *facts: Fact) -> None:
        events = []
        for fact in facts:
            self.seq += 1
            kind = type(fact).__name__
            events.append(
                Event(event_id=uuid.uuid4().hex, seq=self.seq, type=kind, occurred_at=at, actor="picker01",
                      payload=fact.model_dump(mode="json"), schema_version=version_of(kind))
            )  # fmt: skip
        with self.engine.begin() as conn:
            assert apply_events(conn, self.ref, events, now=at) == self.seq


def issue(engine: Engine) -> tuple[str, str, list[dict[str, object]], int]:
    """The first confirmed demo order whose reserve W1's storage covers, issued: (order, code, lines, cell)."""
    with engine.connect() as conn:
        numbers = conn.execute(
            select(s.orders.c.number).where(s.orders.c.status == "confirmed").order_by(s.orders.c.number)
        ).scalars()
        candidates = list(numbers)
    for number in candidates:
        try:
            with engine.begin() as conn:
                issued = issue_pick_task(conn, number, "W1", ISSUED)
                payload = json.loads(
                    conn.execute(
                        select(s.down_log.c.payload)
                        .where(s.down_log.c.kind == "task")
                        .order_by(s.down_log.c.seq.desc())
                        .limit(1)
                    ).scalar_one()
                )
        except PickTaskRefused:
            continue
        return number, issued.code, payload["lines"], payload["assembly_cell_id"]
    raise AssertionError("no pickable order in the demo company")


def inbox_of(engine: Engine, kind: str) -> dict[str, list[tuple[str, str, str | None]]]:
    """Per login, the notices of a kind: (subject, body, link)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.users.c.login, s.notifications.c.subject, s.notifications.c.body, s.notifications.c.link)
            .join(s.users, s.users.c.id == s.notifications.c.user_id)
            .where(s.notifications.c.kind == kind)
        ).all()
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for login, subject, body, link in rows:
        out.setdefault(login, []).append((subject, body, link))
    return out


def test_picked_order_is_announced_and_its_shipment_logged_once_with_reservations_consumed(database_url):
    engine = seeded(database_url)
    order, code, lines, assembly = issue(engine)
    site = Site(engine)
    with engine.connect() as conn:
        order_id = conn.execute(select(s.orders.c.id).where(s.orders.c.number == order)).scalar_one()
        assert conn.execute(select(s.orders.c.status).where(s.orders.c.id == order_id)).scalar_one() == "picking"

    received = ISSUED + dt.timedelta(minutes=5)
    site.report(received, PickTaskReceived(task=code))
    with engine.connect() as conn:
        dispatch = conn.execute(select(s.dispatches).where(s.dispatches.c.order_id == order_id)).one()
    assert dispatch.task_received_at == received and dispatch.picked_at is None
    assert inbox_of(engine, "pick_completed") == {}

    # every line picked into the assembly cell, the first one short by a unit
    first = lines[0]
    picked = [
        UnitsPicked(task=code, sku=str(x["sku"]), from_cell_id=int(str(x["cell_id"])), to_cell_id=assembly,
                    qty=int(str(x["qty"])) - (1 if x is first and int(str(x["qty"])) > 1 else 0))
        for x in lines
    ]  # fmt: skip
    asked: dict[str, int] = {}
    for x in lines:
        asked[str(x["sku"])] = asked.get(str(x["sku"]), 0) + int(str(x["qty"]))
    got: dict[str, int] = {}
    for p in picked:
        got[p.sku] = got.get(p.sku, 0) + p.qty
    done = ISSUED + dt.timedelta(minutes=40)
    site.report(
        done,
        *picked,
        PickTaskCompleted(task=code, lines=[PickedLine(sku=k, ordered=v, picked=got[k]) for k, v in asked.items()]),
    )
    notices = inbox_of(engine, "pick_completed")
    with engine.connect() as conn:
        wanted = set(
            conn.execute(
                select(s.users.c.login).where(
                    s.users.c.role.in_(("dispatcher", "logistician")), s.users.c.active.is_(True)
                )
            ).scalars()
        )
        dispatch = conn.execute(select(s.dispatches).where(s.dispatches.c.order_id == order_id)).one()
    assert set(notices) == wanted and all(len(v) == 1 for v in notices.values())
    subject, body, link = notices["logistician"][0]
    short = [k for k, v in asked.items() if got[k] < v]
    assert link == f"/logistics#dispatch-{dispatch.id}"
    assert short  # the demo's first pickable line has 10 units: one was left behind
    assert subject == f"Заказ {order} собран с недостачей"
    assert f"{short[0]}: {got[short[0]]} из {asked[short[0]]}" in body and dispatch.short_lines
    assert f"Заказ {order}" in body and "W1" in body
    assert dispatch.picked_at == done and dispatch.picked == got
    with engine.connect() as conn:  # the documents and the load count what was picked, not what was ordered
        assert {x.sku: x.qty for x in lines_of(conn, order_id, dispatch.picked)} == {k: v for k, v in got.items() if v}

    def reserved(status: str) -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(s.reservations)
                    .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
                    .where(
                        s.order_lines.c.order_id == order_id,
                        s.reservations.c.status == status,
                        s.reservations.c.source.like("stock:%"),
                        s.reservations.c.site_id == site.ref.id,
                    )
                ).scalar_one()
            )

    active_before = reserved("active")
    assert active_before > 0 and reserved("consumed") == 0
    # The received time survives without the dispatch's copy: the ledger's row is found by the task, decoded.
    with engine.begin() as conn:
        conn.execute(update(s.dispatches).where(s.dispatches.c.id == dispatch.id).values(task_received_at=None))
    shipped = ISSUED + dt.timedelta(hours=2)
    site.report(shipped, UnitsShipped(sku=picked[0].sku, cell_id=assembly, qty=picked[0].qty, shipment=code))
    site.report(
        shipped + dt.timedelta(minutes=3),
        *[UnitsShipped(sku=p.sku, cell_id=assembly, qty=p.qty, shipment=code) for p in picked[1:]],
    )
    with engine.connect() as conn:
        logged = conn.execute(select(s.shipments).where(s.shipments.c.order_id == order_id)).all()
        status = conn.execute(select(s.orders.c.status).where(s.orders.c.id == order_id)).scalar_one()
        after = conn.execute(select(s.dispatches).where(s.dispatches.c.id == dispatch.id)).one()
    assert len(logged) == 1
    assert (logged[0].task_received_at, logged[0].shipped_at) == (received, shipped)
    assert status == "shipped" and after.shipped_at == shipped and after.shipped_by is None
    assert reserved("active") == 0 and reserved("consumed") == active_before


def test_a_transfer_task_has_no_dispatch_and_tells_nobody(database_url):
    """Picks of a task that belongs to no order (a transfer's) leave logistics alone."""
    engine = seeded(database_url)
    site = Site(engine)
    with engine.begin() as conn:
        order_id = conn.execute(select(s.orders.c.id).order_by(s.orders.c.id).limit(1)).scalar_one()
        task_id = conn.execute(
            s.dispatch_tasks.insert()
            .values(kind="route", order_id=order_id, site_id=site.ref.id, status="new", created_at=ISSUED)
            .returning(s.dispatch_tasks.c.id)
        ).scalar_one()
    from devices.barcodes import company_code

    code = company_code("task", task_id)
    site.report(ISSUED, PickTaskReceived(task=code), PickTaskCompleted(task=code, lines=[]))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.dispatches)).scalar_one() == 0
    assert inbox_of(engine, "pick_completed") == {}
