"""Production queue and delivery route proposals on the seeded demo company, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, update

from central.dispatch import production, proposals, routing
from central.dispatch.calendar import MOSCOW, SHIFTS, WorkCalendar
from central.store import schema as s
from optimizer.production import check_schedule
from optimizer.routes.company import check_plan
from tests.dispatch.company import TODAY, count, seeded, staff

NOW = dt.datetime.combine(TODAY, dt.time(9, 30), tzinfo=MOSCOW).astimezone(dt.UTC)  # Monday morning


@pytest.fixture
def company(database_url: str) -> Any:
    engine = seeded(database_url)
    yield engine
    engine.dispose()


def stored(engine: Engine, proposal_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(s.proposals).where(s.proposals.c.id == proposal_id)).one()


def plan_counts(engine: Engine) -> tuple[int, ...]:
    return tuple(
        count(engine, t)
        for t in (
            s.production_plan_tasks,
            s.production_plan_ops,
            s.route_plans,
            s.route_stops,
            s.route_carrier_shipments,
            s.dispatch_tasks,
        )
    )


def in_shift(moment: dt.datetime) -> bool:
    local = moment.astimezone(MOSCOW)
    return local.weekday() < 5 and any(a <= local.time() <= b for a, b in SHIFTS)


def test_production_run_accept_queue_and_warm_start(company):
    engine = company
    user = staff(engine, "dispatcher")
    with engine.begin() as conn:  # tie an open order to task ПР-00102 (in work): a reservation held against it
        task = conn.execute(select(s.production_tasks.c.number).where(s.production_tasks.c.status == "in_work")).first()
        line = conn.execute(
            select(s.order_lines.c.id, s.order_lines.c.item_id, s.orders.c.number)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .where(s.orders.c.status == "confirmed")
            .order_by(s.order_lines.c.id)
        ).first()
        conn.execute(
            insert(s.reservations).values(
                order_line_id=line.id,
                item_id=line.item_id,
                site_id=1,
                qty=1,
                source=f"production:{task.number}",
                created_at=NOW,
                expires_at=NOW + dt.timedelta(days=30),
                status="active",
            )
        )
    proposal_id = production.run_production(engine, "S1", NOW, user, time_limit=2)
    row = stored(engine, proposal_id)
    assert (row.kind, row.status) == ("production", "proposed")
    figures, result = row.figures, row.result
    assert figures["tasks_planned"] == len(result["tasks"]) > 0
    assert figures["tasks_open"] == 20 and figures["tasks_skipped"] == figures["tasks_open"] - figures["tasks_planned"]
    assert row.explanation[0].startswith("Цель: сначала как можно меньше опозданий")
    assert any("не планируется: нет комплекта" in line for line in row.explanation)
    assert {d["change"] for d in row.diff} == {"new"}
    # the stored schedule passes the optimizer's independent checker on the stored input
    problem, _jobs = production.problem_from_snapshot(row.snapshot)
    assert check_schedule(problem, production.schedule_from_result(result)) == []
    # and every operation starts and ends inside the company's shifts, consistent with the working-minute axis
    cal = WorkCalendar(dt.datetime.fromisoformat(row.snapshot["origin"]))
    for op in result["ops"]:
        start, end = dt.datetime.fromisoformat(op["start_at"]), dt.datetime.fromisoformat(op["end_at"])
        assert in_shift(start) and in_shift(end)
        assert (cal.minute(start), cal.minute(end)) == (op["start"], op["end"])
    linked = next(t for t in result["tasks"] if t["task"] == task.number)
    assert linked["orders"] == [line.number] and linked["weight"] == production.ORDER_WEIGHT

    decision = proposals.accept(engine, proposal_id, user, TODAY)
    assert (decision.status, decision.tasks) == ("accepted", 1)
    assert count(engine, s.production_plan_tasks) == figures["tasks_planned"]
    assert count(engine, s.production_plan_ops) == figures["operations"]
    with engine.connect() as conn:
        queue = production.current_queue(conn, "S1")
        tasks = conn.execute(select(s.dispatch_tasks.c.kind, s.dispatch_tasks.c.order_id)).all()
        order_id = conn.execute(select(s.orders.c.id).where(s.orders.c.number == line.number)).scalar_one()
    assert len(queue) == figures["operations"]
    assert [q["start_at"] for q in queue] == sorted(q["start_at"] for q in queue)
    assert queue[0]["proposal_id"] == proposal_id and queue[0]["work_center"].startswith("WC")
    assert tasks == [("production", order_id)]

    # a re-run starts from the accepted plan: the diff compares with it, and a later accept replaces it
    second = production.run_production(engine, "S1", NOW + dt.timedelta(minutes=5), user, time_limit=2)
    again = stored(engine, second)
    assert again.figures["warm_start_from"] == proposal_id
    assert "new" not in {d["change"] for d in again.diff}
    assert any("Расчёт начат с текущего принятого плана" in line for line in again.explanation)
    assert proposals.accept(engine, second, user, TODAY).status == "accepted"
    with engine.connect() as conn:
        assert production.current_queue(conn, "S1")[0]["proposal_id"] == second
        statuses = sorted(conn.execute(select(s.dispatch_tasks.c.status)).scalars())
    assert statuses == ["cancelled", "new"]  # the first plan's task gave way to the second's


def test_production_stale_when_a_task_is_done_and_nothing_changes(company):
    engine = company
    user = staff(engine, "dispatcher")
    proposal_id = production.run_production(engine, "S1", NOW, user, time_limit=2)
    task = stored(engine, proposal_id).result["tasks"][0]["task"]
    with engine.begin() as conn:
        conn.execute(update(s.production_tasks).where(s.production_tasks.c.number == task).values(status="done"))
    before = plan_counts(engine)
    decision = proposals.accept(engine, proposal_id, user, TODAY)
    assert decision.status == "stale"
    assert f"Задание {task} уже выполнено." in (decision.reason or "")
    assert plan_counts(engine) == before
    assert stored(engine, proposal_id).decision_reason == decision.reason
    with pytest.raises(proposals.AlreadyDecided):
        proposals.accept(engine, proposal_id, user, TODAY)


def test_production_stale_when_a_routing_changes(company):
    engine = company
    user = staff(engine, "dispatcher")
    proposal_id = production.run_production(engine, "S1", NOW, user, time_limit=2)
    first = stored(engine, proposal_id).result["ops"][0]
    with engine.begin() as conn:
        conn.execute(
            update(s.routing_operations)
            .where(s.routing_operations.c.id == first["routing_id"])
            .values(norm_minutes_per_unit=s.routing_operations.c.norm_minutes_per_unit + 1)
        )
    decision = proposals.accept(engine, proposal_id, user, TODAY)
    assert decision.status == "stale" and "изменился после расчёта" in (decision.reason or "")
    assert count(engine, s.production_plan_tasks) == 0


def test_routes_run_accept_with_carrier_and_stale(company):
    engine = company
    user = staff(engine, "logistician")
    with engine.begin() as conn:  # small vans: the heavy orders have to go by carrier
        conn.execute(update(s.vehicles).values(capacity_kg=600))
    proposal_id = routing.run_routes(engine, "W1", TODAY, user, time_limit=2)
    row = stored(engine, proposal_id)
    figures, result = row.figures, row.result
    assert (row.kind, row.status) == ("routes", "proposed")
    assert figures["orders"] == figures["orders_on_vans"] + figures["orders_by_carrier"] > 0
    assert figures["orders_on_vans"] > 0 and figures["orders_by_carrier"] > 0
    assert figures["total_cost_kop"] == figures["own_cost_kop"] + figures["carrier_cost_kop"]
    assert row.explanation[0].startswith("Цель: доставить готовые заказы")
    assert any("едет транспортной компанией" in line for line in row.explanation)
    assert any(line.startswith("Машина ") and "грузить первым" in line for line in row.explanation)
    # independent check of the stored routes on the stored input: capacity, windows, shifts, loading order
    assert check_plan(routing.problem_from_snapshot(row.snapshot), routing.plan_from_result(result)) == []
    for r in result["routes"]:
        assert [x["load_position"] for x in r["stops"]] == list(range(len(r["stops"]), 0, -1))
        for x in r["stops"]:
            eta = dt.datetime.fromisoformat(x["eta_at"]).astimezone(MOSCOW)
            assert x["window"][0] <= eta.hour * 60 + eta.minute <= x["window"][1]

    decision = proposals.accept(engine, proposal_id, user, TODAY)
    assert (decision.status, decision.tasks) == ("accepted", figures["orders"])
    assert count(engine, s.route_plans) == figures["vans_used"]
    assert count(engine, s.route_stops) == figures["orders_on_vans"]
    assert count(engine, s.route_carrier_shipments) == figures["orders_by_carrier"]
    with engine.connect() as conn:
        kinds = set(conn.execute(select(s.dispatch_tasks.c.kind)).scalars())
        current = routing.current_routes(conn, "W1", TODAY)
    assert kinds == {"route"}
    assert current is not None and current["proposal_id"] == proposal_id
    assert len(current["orders"]) == figures["orders"]

    # the next run for the day compares with the accepted plan; an order cancelled since makes it stale
    second = routing.run_routes(engine, "W1", TODAY, user, time_limit=2)
    assert {d["change"] for d in stored(engine, second).diff} <= {"same", "moved", "reordered"}
    cancelled = stored(engine, second).snapshot["deliveries"][0]["order"]
    with engine.begin() as conn:
        conn.execute(update(s.orders).where(s.orders.c.number == cancelled).values(status="cancelled"))
    before = plan_counts(engine)
    decision = proposals.accept(engine, second, user, TODAY)
    assert decision.status == "stale"
    assert f"Заказ {cancelled} уже отменён." in (decision.reason or "")
    assert plan_counts(engine) == before


def test_routes_reject_and_a_past_day_is_stale(company):
    engine = company
    user = staff(engine, "dispatcher")
    first = routing.run_routes(engine, "W1", TODAY, user, time_limit=1)
    assert proposals.reject(engine, first, user, "Машины в ремонте").status == "rejected"
    assert stored(engine, first).decision_reason == "Машины в ремонте"
    second = routing.run_routes(engine, "W1", TODAY, user, time_limit=1)
    decision = proposals.accept(engine, second, user, TODAY + dt.timedelta(days=1))
    assert decision.status == "stale" and "уже прошёл" in (decision.reason or "")
    with pytest.raises(proposals.UnknownSite):
        routing.run_routes(engine, "W9", TODAY, user)
    with pytest.raises(proposals.CheckerRejected, match="нет заказов"):
        routing.run_routes(engine, "W1", TODAY - dt.timedelta(days=400), user)
