"""Production queue proposals (DISP-2, OPT-2, PROD-4): build the shop's job shop, solve, store, accept, read the queue.

The input is every open production task (planned or in work) with its item's routing: each operation goes to one
of the work centres of its routing group, for norm minutes × quantity. Times run on the company's working-minute
axis (``central.dispatch.calendar``). A planned task is released when its kit is complete: BOM components free on
hand at the shop and the warehouses, otherwise the ETA of open supply orders (``optimizer.production.kits``, the
most urgent task gets scarce components first); a task already in work has its kit. A task whose kit cannot be
completed by any open supply is left out of the plan and named in the explanation. Tasks tied to a customer order
(an active reservation held against the task) weigh twice as much in the lateness objective.

Accepting writes the production queue (``production_plan_tasks``, ``production_plan_ops``), which becomes the
site's current plan: the latest accepted production proposal of the site. ``current_queue`` lists its operations
in order for the shop-floor terminal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from central.dispatch import proposals as p
from central.dispatch.calendar import MOSCOW, SHIFT_TEXT, WorkCalendar
from central.store import schema as s
from optimizer.borrowing.explain import ru_date
from optimizer.production import (
    Job,
    KitComponent,
    KitRequest,
    Operation,
    ScheduledOp,
    ShopProblem,
    WorkCentre,
    check_schedule,
    kit_releases,
    solve_shop,
)

OPEN_TASK_STATUSES = ("planned", "in_work")
TASK_STATUS_TITLES = {"planned": "запланировано", "in_work": "в работе", "done": "выполнено", "cancelled": "отменено"}
ORDER_WEIGHT = 2  # a task tied to a customer order counts twice in weighted lateness
STALE_AFTER = dt.timedelta(hours=12)

Json = dict[str, Any]


def run_production(
    engine: Engine,
    site: str,
    now: dt.datetime,
    user: p.Actor,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
) -> int:
    """Plan the open production tasks for the shop ``site`` from ``now``, check, store; returns the proposal id.

    ``run_production(engine, "S1", datetime.now(UTC), user)``; raises ``UnknownSite`` for a code that is not a
    site, ``CheckerRejected`` (nothing stored) when no schedule was found or the independent checker refuses it.
    """
    with engine.begin() as conn:
        site_id = p._site_id(conn, site)
        snap = production_snapshot(conn, site_id, now)
        current_id, hint_rows = _current_plan(conn, site_id)
    problem, jobs = problem_from_snapshot(snap)
    cal = WorkCalendar(dt.datetime.fromisoformat(snap["origin"]))
    hint = _hint(problem, jobs, snap, hint_rows, cal)
    if not problem.jobs:
        raise p.CheckerRejected("Нет открытых производственных заданий, которые можно запланировать")
    solved = solve_shop(problem, time_limit=time_limit, num_workers=2, seed=seed, hint=hint)
    if not solved.schedule:
        raise p.CheckerRejected(
            f"Оптимизатор не нашёл расписания за {time_limit:g} с (статус {solved.status}); попробуйте ещё раз"
        )
    errors = check_schedule(problem, solved.schedule)
    if errors:
        raise p.CheckerRejected("Независимая проверка отвергла расписание, оно не сохранено: " + "; ".join(errors[:3]))
    result = _result(snap, jobs, solved.schedule, cal)
    figures = _figures(snap, result, solved.status, solved.wall_seconds, solved.makespan_lower_bound, current_id)
    with engine.begin() as conn:
        old = _plan_rows(conn, current_id) if current_id else {}
        return p.store_proposal(
            conn,
            "production",
            site_id,
            user,
            snapshot=snap,
            result=result,
            figures=figures,
            explanation=_explanation(snap, result, figures),
            diff=_diff(result, old),
        )


def production_snapshot(conn: Connection, site_id: int, now: dt.datetime) -> Json:
    """The input as stored with the proposal: tasks with routings and kit release, work centres, calendar."""
    cal = WorkCalendar(now)
    machines = [
        {"id": r.id, "code": r.code, "name": r.name, "group_id": r.group_id}
        for r in conn.execute(
            select(
                s.work_centers.c.id, s.work_centers.c.code, s.work_centers.c.name, s.work_centers.c.group_id
            ).order_by(s.work_centers.c.code)
        )
    ]
    tasks = conn.execute(
        select(
            s.production_tasks.c.id,
            s.production_tasks.c.number,
            s.production_tasks.c.item_id,
            s.items.c.sku,
            s.items.c.name,
            s.production_tasks.c.qty,
            s.production_tasks.c.due,
            s.production_tasks.c.status,
        )
        .join(s.items, s.items.c.id == s.production_tasks.c.item_id)
        .where(s.production_tasks.c.status.in_(OPEN_TASK_STATUSES))
        .order_by(s.production_tasks.c.number)
    ).all()
    item_ids = {t.item_id for t in tasks}
    routings: dict[int, list[Json]] = defaultdict(list)
    for r in conn.execute(
        select(
            s.routing_operations.c.id,
            s.routing_operations.c.item_id,
            s.routing_operations.c.seq,
            s.routing_operations.c.name,
            s.routing_operations.c.group_id,
            s.routing_operations.c.norm_minutes_per_unit,
        )
        .where(s.routing_operations.c.item_id.in_(item_ids))
        .order_by(s.routing_operations.c.item_id, s.routing_operations.c.seq)
    ):
        routings[r.item_id].append(
            {"routing_id": r.id, "seq": r.seq, "name": r.name, "group_id": r.group_id, "norm": r.norm_minutes_per_unit}
        )
    orders = _linked_orders(conn, [t.number for t in tasks])
    releases, notes = _kit_releases(conn, site_id, tasks, cal)
    return {
        "now": now.astimezone(dt.UTC).isoformat(),
        "origin": cal.origin.isoformat(),
        "calendar": SHIFT_TEXT,
        "machines": machines,
        "tasks": [
            {
                "id": t.id,
                "number": t.number,
                "item": t.sku,
                "item_name": t.name,
                "qty": t.qty,
                "due": t.due.isoformat(),
                "due_minute": cal.day_end(t.due),
                "status": t.status,
                "weight": ORDER_WEIGHT if orders.get(t.number) else 1,
                "orders": orders.get(t.number, []),
                "release": releases[t.number],
                "release_note": notes[t.number],
                "ops": [{**op, "minutes": max(1, op["norm"] * t.qty)} for op in routings.get(t.item_id, [])],
            }
            for t in tasks
        ],
    }


def problem_from_snapshot(snap: Mapping[str, Any]) -> tuple[ShopProblem, list[Json]]:
    """The job shop of a stored snapshot and the tasks that became its jobs (same order).

    Tasks without a complete kit, without a routing or with a routing group that has no work centre are not jobs.
    """
    machines = snap["machines"]
    by_group: dict[int, list[int]] = defaultdict(list)
    for k, m in enumerate(machines):
        by_group[m["group_id"]].append(k)
    jobs: list[Job] = []
    planned: list[Json] = []
    for task in snap["tasks"]:
        if task["release"] is None or not task["ops"] or any(not by_group[op["group_id"]] for op in task["ops"]):
            continue
        operations = tuple(
            Operation(tuple((k, op["minutes"]) for k in by_group[op["group_id"]]), op["name"]) for op in task["ops"]
        )
        jobs.append(Job(operations, task["release"], task["due_minute"], task["weight"], task["number"]))
        planned.append(task)
    return ShopProblem(tuple(jobs), tuple(WorkCentre(m["code"]) for m in machines), "production"), planned


def schedule_from_result(result: Mapping[str, Any]) -> list[ScheduledOp]:
    """The stored schedule back as the optimizer's rows, for the checker."""
    return [ScheduledOp(o["job"], o["op"], o["machine_index"], o["start"], o["end"]) for o in result["ops"]]


def accept_production(conn: Connection, proposal_id: int, row: Any, site: Any, now: dt.datetime) -> p.Decision:
    """Re-check a claimed production proposal against the current state, then write the queue (or mark stale).

    Runs inside ``proposals.accept``'s transaction after the proposal was claimed.
    """
    reasons = stale_reasons(conn, proposal_id, row, now)
    if reasons:
        reason = " ".join(reasons)
        conn.execute(
            update(s.proposals).where(s.proposals.c.id == proposal_id).values(status="stale", decision_reason=reason)
        )
        return p.Decision(proposal_id, "stale", reason)
    tasks = _apply(conn, proposal_id, site.id, row.snapshot, row.result, now)
    return p.Decision(proposal_id, "accepted", tasks=tasks)


def stale_reasons(conn: Connection, proposal_id: int, row: Any, now: dt.datetime) -> list[str]:
    """Why a stored production proposal no longer fits the database, in Russian; empty means it may be applied."""
    snap, result = row.snapshot, row.result
    reasons: list[str] = []
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    if now - created > STALE_AFTER:
        reasons.append(
            f"План рассчитан {created.astimezone(MOSCOW):%d.%m.%Y %H:%M}, с тех пор прошло больше 12 часов: "
            "запустите расчёт заново."
        )
    newer = conn.execute(
        select(func.max(s.proposals.c.id)).where(
            s.proposals.c.kind == "production",
            s.proposals.c.site_id == row.site_id,
            s.proposals.c.status == "accepted",
            s.proposals.c.id > proposal_id,
        )
    ).scalar_one()
    if newer is not None:
        reasons.append(f"После этого расчёта уже принят более новый план производства (предложение {newer}).")
    planned = {t["number"]: t for t in snap["tasks"] if t["number"] in {x["task"] for x in result["tasks"]}}
    current = {
        r.number: r
        for r in conn.execute(
            select(
                s.production_tasks.c.number,
                s.production_tasks.c.status,
                s.production_tasks.c.qty,
                s.production_tasks.c.item_id,
            ).where(s.production_tasks.c.number.in_(planned))
        )
    }
    item_ids = {r.item_id for r in current.values()}
    routing: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for r in conn.execute(
        select(
            s.routing_operations.c.item_id,
            s.routing_operations.c.id,
            s.routing_operations.c.seq,
            s.routing_operations.c.group_id,
            s.routing_operations.c.norm_minutes_per_unit,
        )
        .where(s.routing_operations.c.item_id.in_(item_ids))
        .order_by(s.routing_operations.c.seq)
    ):
        routing[r.item_id].append((r.id, r.seq, r.group_id, r.norm_minutes_per_unit))
    for number, task in sorted(planned.items()):
        now_row = current.get(number)
        if now_row is None:
            reasons.append(f"Задание {number} удалено.")
            continue
        if now_row.status not in OPEN_TASK_STATUSES:
            reasons.append(f"Задание {number} уже {TASK_STATUS_TITLES.get(now_row.status, now_row.status)}.")
            continue
        if now_row.qty != task["qty"]:
            reasons.append(f"Количество по заданию {number} изменилось: было {task['qty']}, сейчас {now_row.qty}.")
        stored = [(op["routing_id"], op["seq"], op["group_id"], op["norm"]) for op in task["ops"]]
        if routing[now_row.item_id] != stored:
            reasons.append(f"Маршрут изготовления «{task['item']}» (задание {number}) изменился после расчёта.")
    centres = {(r.id, r.group_id) for r in conn.execute(select(s.work_centers.c.id, s.work_centers.c.group_id))}
    used = {(o["machine_id"], o["group_id"]) for o in result["ops"]}
    for machine_id, _group in sorted(used - centres):
        code = next(m["code"] for m in snap["machines"] if m["id"] == machine_id)
        reasons.append(f"Рабочий центр {code} больше не входит в свою группу или удалён.")
    if not reasons:
        problem, _ = problem_from_snapshot(snap)
        errors = check_schedule(problem, schedule_from_result(result))
        if errors:
            reasons.append("Независимая проверка расписания не пройдена: " + "; ".join(errors[:3]) + ".")
    return reasons


def current_queue(conn: Connection, site: str) -> list[Json]:
    """Operations of the site's current accepted plan whose task is still open, in order of planned start.

    ``current_queue(conn, "S1")[0]`` → ``{"task": "ПР-00101", "item": …, "seq": 1, "operation": …,
    "work_center": "WC11", "start_at": datetime, "end_at": datetime, "proposal_id": …}``; empty without a plan.
    """
    site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar_one_or_none()
    if site_id is None:
        return []
    current_id, _ = _current_plan(conn, site_id, with_rows=False)
    if current_id is None:
        return []
    rows = conn.execute(
        select(
            s.production_tasks.c.number.label("task"),
            s.items.c.sku.label("item"),
            s.production_tasks.c.qty,
            s.production_plan_ops.c.seq,
            s.routing_operations.c.name.label("operation"),
            s.work_centers.c.code.label("work_center"),
            s.production_plan_ops.c.start_at,
            s.production_plan_ops.c.end_at,
            s.production_plan_tasks.c.position,
        )
        .join(s.production_plan_tasks, s.production_plan_tasks.c.id == s.production_plan_ops.c.plan_task_id)
        .join(s.production_tasks, s.production_tasks.c.id == s.production_plan_tasks.c.task_id)
        .join(s.items, s.items.c.id == s.production_tasks.c.item_id)
        .join(s.routing_operations, s.routing_operations.c.id == s.production_plan_ops.c.routing_operation_id)
        .join(s.work_centers, s.work_centers.c.id == s.production_plan_ops.c.work_center_id)
        .where(
            s.production_plan_tasks.c.proposal_id == current_id,
            s.production_tasks.c.status.in_(OPEN_TASK_STATUSES),
        )
        .order_by(s.production_plan_ops.c.start_at, s.work_centers.c.code)
    ).all()
    return [{**dict(r._mapping), "start_at": _aware(r.start_at), "end_at": _aware(r.end_at), "proposal_id": current_id}
            for r in rows]  # fmt: skip


# --- reading the database -------------------------------------------------------------------------------------


def _linked_orders(conn: Connection, numbers: Sequence[str]) -> dict[str, list[str]]:
    """Open orders holding an active reservation against each task (source ``production:ПР-…``)."""
    sources = {f"production:{n}": n for n in numbers}
    out: dict[str, set[str]] = defaultdict(set)
    for source, order in conn.execute(
        select(s.reservations.c.source, s.orders.c.number)
        .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
        .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
        .where(
            s.reservations.c.status == "active",
            s.reservations.c.source.in_(sources),
            s.orders.c.status.not_in(("cancelled", "shipped", "completed")),
        )
    ):
        out[sources[source]].add(order)
    return {k: sorted(v) for k, v in out.items()}


def _kit_releases(
    conn: Connection, site_id: int, tasks: Sequence[Any], cal: WorkCalendar
) -> tuple[dict[str, int | None], dict[str, str]]:
    """Release minute per task from kit completeness, and a Russian note on where the kit comes from."""
    bom: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for item_id, sku, per_unit in conn.execute(
        select(s.bom_lines.c.item_id, s.items.c.sku, s.bom_lines.c.qty_per_unit)
        .join(s.items, s.items.c.id == s.bom_lines.c.component_id)
        .where(s.bom_lines.c.item_id.in_({t.item_id for t in tasks}))
        .order_by(s.items.c.sku)
    ):
        bom[item_id].append((sku, per_unit))
    needed = {sku for lines in bom.values() for sku, _ in lines}
    on_hand: dict[str, int] = defaultdict(int)
    for sku, qty in conn.execute(
        select(s.items.c.sku, func.sum(s.stock.c.qty))
        .join(s.items, s.items.c.id == s.stock.c.item_id)
        .where(s.items.c.sku.in_(needed))
        .group_by(s.items.c.sku)
    ):
        on_hand[sku] += int(qty)
    for sku, qty in conn.execute(
        select(s.items.c.sku, func.sum(s.reservations.c.qty))
        .join(s.items, s.items.c.id == s.reservations.c.item_id)
        .where(s.reservations.c.status == "active", s.items.c.sku.in_(needed), s.reservations.c.source.like("stock:%"))
        .group_by(s.items.c.sku)
    ):
        on_hand[sku] = max(0, on_hand[sku] - int(qty))  # units reserved for orders are not free for kits
    arrivals: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for sku, qty, eta in conn.execute(
        select(s.items.c.sku, s.supply_order_lines.c.qty, s.supply_orders.c.eta)
        .join(s.supply_order_lines, s.supply_order_lines.c.supply_order_id == s.supply_orders.c.id)
        .join(s.items, s.items.c.id == s.supply_order_lines.c.item_id)
        .where(and_(s.supply_orders.c.status == "open", s.items.c.sku.in_(needed)))
    ):
        arrivals[sku].append((cal.day_start(eta), int(qty)))
    requests = [
        KitRequest(t.number, cal.day_end(t.due), tuple(KitComponent(sku, per * t.qty) for sku, per in bom[t.item_id]))
        for t in tasks
        if t.status == "planned"
    ]
    released = kit_releases(requests, dict(on_hand), arrivals)
    releases: dict[str, int | None] = {}
    notes: dict[str, str] = {}
    for t in tasks:
        if t.status == "in_work":
            releases[t.number], notes[t.number] = 0, "в работе: комплект выдан"
            continue
        release = released.get(t.number, 0)
        releases[t.number] = release
        if not bom[t.item_id]:
            notes[t.number] = "без комплектующих по спецификации"
        elif release == 0:
            notes[t.number] = "комплект на складе"
        elif release is not None:
            notes[t.number] = f"комплект будет полным с поставкой к {cal.moment(release):%d.%m.%Y}"
        else:
            short = [
                sku
                for sku, per in bom[t.item_id]
                if on_hand.get(sku, 0) + sum(q for _, q in arrivals.get(sku, ())) < per * t.qty
            ]
            named = ", ".join(f"«{x}»" for x in short[:5]) or "компонентов (их забирают более срочные задания)"
            notes[t.number] = f"нет комплекта: не хватает {named}, открытых поставок недостаточно"
    return releases, notes


def _current_plan(conn: Connection, site_id: int, *, with_rows: bool = True) -> tuple[int | None, list[Any]]:
    """The site's current plan: the latest accepted production proposal, and its operation rows."""
    current_id = conn.execute(
        select(func.max(s.proposals.c.id)).where(
            s.proposals.c.kind == "production", s.proposals.c.site_id == site_id, s.proposals.c.status == "accepted"
        )
    ).scalar_one()
    if current_id is None or not with_rows:
        return current_id, []
    rows = conn.execute(
        select(
            s.production_plan_tasks.c.task_id,
            s.production_plan_ops.c.seq,
            s.production_plan_ops.c.work_center_id,
            s.production_plan_ops.c.start_at,
        )
        .join(s.production_plan_tasks, s.production_plan_tasks.c.id == s.production_plan_ops.c.plan_task_id)
        .where(s.production_plan_tasks.c.proposal_id == current_id)
    ).all()
    return current_id, list(rows)


def _plan_rows(conn: Connection, proposal_id: int) -> dict[str, Json]:
    """The accepted plan of ``proposal_id`` per task number: start, end and work centre per operation."""
    out: dict[str, Json] = {}
    for r in conn.execute(
        select(
            s.production_tasks.c.number,
            s.production_plan_tasks.c.start_at,
            s.production_plan_tasks.c.end_at,
            s.production_plan_ops.c.seq,
            s.work_centers.c.code,
        )
        .join(s.production_plan_tasks, s.production_plan_tasks.c.task_id == s.production_tasks.c.id)
        .join(s.production_plan_ops, s.production_plan_ops.c.plan_task_id == s.production_plan_tasks.c.id)
        .join(s.work_centers, s.work_centers.c.id == s.production_plan_ops.c.work_center_id)
        .where(s.production_plan_tasks.c.proposal_id == proposal_id)
    ):
        task = out.setdefault(
            r.number,
            {"start_at": _aware(r.start_at).isoformat(), "end_at": _aware(r.end_at).isoformat(), "machines": {}},
        )
        task["machines"][str(r.seq)] = r.code
    return out


def _hint(
    problem: ShopProblem, jobs: list[Json], snap: Mapping[str, Any], rows: Sequence[Any], cal: WorkCalendar
) -> list[ScheduledOp]:
    """The accepted plan as the solver's warm start: same task, operation and work centre where they still exist."""
    job_of = {t["id"]: k for k, t in enumerate(jobs)}
    machine_of = {m["id"]: k for k, m in enumerate(snap["machines"])}
    hint: list[ScheduledOp] = []
    for r in rows:
        j = job_of.get(r.task_id)
        m = machine_of.get(r.work_center_id)
        if j is None or m is None:
            continue
        o = next((k for k, op in enumerate(jobs[j]["ops"]) if op["seq"] == r.seq), None)
        if o is None:
            continue
        duration = problem.jobs[j].operations[o].duration_on(m)
        if duration is None:
            continue
        start = cal.minute(_aware(r.start_at))
        hint.append(ScheduledOp(j, o, m, start, start + duration))
    return hint


# --- what is stored ---------------------------------------------------------------------------------------------


def _result(snap: Mapping[str, Any], jobs: list[Json], schedule: Sequence[ScheduledOp], cal: WorkCalendar) -> Json:
    machines = snap["machines"]
    ops = []
    for row in sorted(schedule, key=lambda r: (r.start, r.machine)):
        task = jobs[row.job]
        op = task["ops"][row.op]
        ops.append(
            {
                "task": task["number"],
                "job": row.job,
                "op": row.op,
                "seq": op["seq"],
                "routing_id": op["routing_id"],
                "name": op["name"],
                "group_id": op["group_id"],
                "machine_index": row.machine,
                "machine_id": machines[row.machine]["id"],
                "machine": machines[row.machine]["code"],
                "start": row.start,
                "end": row.end,
                "start_at": cal.moment(row.start).isoformat(),
                "end_at": cal.moment(row.end, end=True).isoformat(),
            }
        )
    tasks = []
    for k, task in enumerate(jobs):
        mine = [o for o in ops if o["job"] == k]
        start = min(o["start"] for o in mine)
        end = max(o["end"] for o in mine)
        end_at = cal.moment(end, end=True)
        due = dt.date.fromisoformat(task["due"])
        tardiness = max(0, end - task["due_minute"])
        tasks.append(
            {
                "task": task["number"],
                "item": task["item"],
                "qty": task["qty"],
                "due": task["due"],
                "weight": task["weight"],
                "orders": task["orders"],
                "release": task["release"],
                "release_note": task["release_note"],
                "start": start,
                "end": end,
                "start_at": cal.moment(start).isoformat(),
                "end_at": end_at.isoformat(),
                "tardiness_min": tardiness,
                "late_days": max(0, (end_at.astimezone(MOSCOW).date() - due).days) if tardiness else 0,
            }
        )
    tasks.sort(key=lambda t: (t["start"], t["task"]))
    skipped = [
        {"task": t["number"], "item": t["item"], "note": t["release_note"] if t["release"] is None else "нет маршрута"}
        for t in snap["tasks"]
        if t["number"] not in {j["number"] for j in jobs}
    ]
    return {"ops": ops, "tasks": tasks, "skipped": skipped}


def _figures(
    snap: Mapping[str, Any],
    result: Mapping[str, Any],
    status: str,
    seconds: float,
    lower_bound: int | None,
    current_id: int | None,
) -> Json:
    tasks = result["tasks"]
    makespan = max((t["end"] for t in tasks), default=0)
    return {
        "tasks_planned": len(tasks),
        "tasks_open": len(snap["tasks"]),
        "tasks_skipped": len(result["skipped"]),
        "operations": len(result["ops"]),
        "tasks_late": sum(1 for t in tasks if t["tardiness_min"] > 0),
        "weighted_tardiness_min": sum(t["weight"] * t["tardiness_min"] for t in tasks),
        "makespan_min": makespan,
        "finish_at": max((t["end_at"] for t in tasks), default=None),
        "makespan_lower_bound_min": lower_bound,
        "solver_status": status,
        "solve_seconds": round(seconds, 3),
        "warm_start_from": current_id,
        "calendar": snap["calendar"],
    }


def _explanation(snap: Mapping[str, Any], result: Mapping[str, Any], figures: Mapping[str, Any]) -> list[str]:
    lines = [
        "Цель: сначала как можно меньше опозданий к срокам заданий (задание под заказ клиента весит вдвое), "
        f"затем как можно раньше закончить всё. Рабочее время: {figures['calendar']}; операция, не уместившаяся "
        "в смену, продолжается в следующую.",
    ]
    finish = _local(figures["finish_at"]) if figures["finish_at"] else "—"
    lines.append(
        f"Заданий в плане: {figures['tasks_planned']} из {figures['tasks_open']} открытых, операций: "
        f"{figures['operations']}; всё будет закончено {finish} (через {_hours(figures['makespan_min'])} "
        f"рабочего времени); опаздывают: {figures['tasks_late']}."
    )
    if figures["warm_start_from"]:
        lines.append(
            f"Расчёт начат с текущего принятого плана (предложение {figures['warm_start_from']}), поэтому задания "
            "переставлены только там, где это уменьшает опоздания или общий срок."
        )
    for t in result["tasks"]:
        if t["tardiness_min"] > 0:
            due = dt.date.fromisoformat(t["due"])
            if t["release"] and t["start"] == t["release"]:
                why = f"комплект будет полным только {_local(t['start_at'])}"
            elif due < dt.datetime.fromisoformat(snap["now"]).astimezone(MOSCOW).date():
                why = "срок уже прошёл"
            else:
                why = "рабочие центры заняты более срочными заданиями"
            lines.append(
                f"Задание {t['task']} («{t['item']}», {t['qty']} шт.) закончится {_local(t['end_at'])} — позже срока "
                f"{ru_date(due)}: {why}." + (f" Ждут заказы: {', '.join(t['orders'])}." if t["orders"] else "")
            )
        elif t["release"]:
            lines.append(
                f"Задание {t['task']} начнётся не раньше {_local(t['start_at'])}: {t['release_note']}; "
                f"успевает к сроку {ru_date(dt.date.fromisoformat(t['due']))}."
            )
    for x in result["skipped"]:
        lines.append(f"Задание {x['task']} («{x['item']}») не планируется: {x['note']}.")
    status = "оптимальное" if figures["solver_status"] == "optimal" else "лучшее найденное за отведённое время"
    lines.append(f"Решение {status} ({figures['solve_seconds']} с).")
    return lines


def _diff(result: Mapping[str, Any], old: Mapping[str, Json]) -> list[Json]:
    """Per task: where it was in the current plan and where it goes now; work centres that change."""
    rows: list[Json] = []
    new_machines: dict[str, dict[str, str]] = defaultdict(dict)
    for o in result["ops"]:
        new_machines[o["task"]][str(o["seq"])] = o["machine"]
    for t in result["tasks"]:
        before = old.get(t["task"])
        row: Json = {
            "task": t["task"],
            "before_start": None,
            "before_end": None,
            "after_start": t["start_at"],
            "after_end": t["end_at"],
            "change": "new",
            "hours": 0.0,
            "machines": [],
        }
        if before is None:
            row["note"] = "нового задания не было в текущем плане"
        else:
            shift = dt.datetime.fromisoformat(t["end_at"]) - dt.datetime.fromisoformat(before["end_at"])
            hours = round(shift.total_seconds() / 3600, 1)
            row.update(
                before_start=before["start_at"],
                before_end=before["end_at"],
                hours=hours,
                change="earlier" if hours < 0 else "later" if hours > 0 else "same",
            )
            changed = [
                [seq, before["machines"].get(seq), code]
                for seq, code in sorted(new_machines[t["task"]].items(), key=lambda x: int(x[0]))
                if before["machines"].get(seq) not in (None, code)
            ]
            row["machines"] = changed
            parts = []
            if hours:
                parts.append(f"окончание {'раньше' if hours < 0 else 'позже'} на {abs(hours):g} ч")
            parts.extend(f"операция {seq}: {a} → {b}" for seq, a, b in changed)
            row["note"] = "; ".join(parts) or "без изменений"
        rows.append(row)
    gone = sorted(set(old) - {t["task"] for t in result["tasks"]})
    rows.extend(
        {
            "task": number,
            "before_start": old[number]["start_at"],
            "before_end": old[number]["end_at"],
            "after_start": None,
            "after_end": None,
            "change": "removed",
            "hours": 0.0,
            "machines": [],
            "note": "выходит из плана: выполнено, отменено или нет комплекта",
        }
        for number in gone
    )
    return rows


# --- accepting --------------------------------------------------------------------------------------------------


def _apply(
    conn: Connection,
    proposal_id: int,
    site_id: int,
    snap: Mapping[str, Any],
    result: Mapping[str, Any],
    now: dt.datetime,
) -> int:
    """Write the queue; cancel the previous plan's untouched production tasks; one dispatch task per linked order."""
    ids = {t["number"]: t["id"] for t in snap["tasks"]}
    plan_ids: dict[str, int] = {}
    for position, t in enumerate(result["tasks"], start=1):
        plan_ids[t["task"]] = conn.execute(
            insert(s.production_plan_tasks)
            .values(
                proposal_id=proposal_id,
                site_id=site_id,
                task_id=ids[t["task"]],
                position=position,
                start_at=dt.datetime.fromisoformat(t["start_at"]),
                end_at=dt.datetime.fromisoformat(t["end_at"]),
            )
            .returning(s.production_plan_tasks.c.id)
        ).scalar_one()
    if result["ops"]:
        conn.execute(
            insert(s.production_plan_ops),
            [
                {
                    "plan_task_id": plan_ids[o["task"]],
                    "routing_operation_id": o["routing_id"],
                    "seq": o["seq"],
                    "work_center_id": o["machine_id"],
                    "start_at": dt.datetime.fromisoformat(o["start_at"]),
                    "end_at": dt.datetime.fromisoformat(o["end_at"]),
                }
                for o in result["ops"]
            ],
        )
    earlier = select(s.proposals.c.id).where(
        s.proposals.c.kind == "production", s.proposals.c.site_id == site_id, s.proposals.c.id != proposal_id
    )
    conn.execute(
        update(s.dispatch_tasks)
        .where(
            s.dispatch_tasks.c.kind == "production",
            s.dispatch_tasks.c.status == "new",
            s.dispatch_tasks.c.proposal_id.in_(earlier),
        )
        .values(status="cancelled")
    )
    linked = _linked_orders(conn, [t["task"] for t in result["tasks"]])
    numbers = sorted({n for orders in linked.values() for n in orders})
    order_ids = {
        r.number: r.id
        for r in conn.execute(select(s.orders.c.number, s.orders.c.id).where(s.orders.c.number.in_(numbers)))
    }
    rows = [
        {
            "kind": "production",
            "order_id": order_ids[number],
            "site_id": site_id,
            "proposal_id": proposal_id,
            "status": "new",
            "created_at": now,
        }
        for number in numbers
    ]
    if rows:
        conn.execute(insert(s.dispatch_tasks), rows)
    return len(rows)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _local(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} ч".replace(".", ",")
