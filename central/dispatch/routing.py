"""Delivery route proposals (DISP-2, OPT-3, LOG-1): the day's orders ready to ship on own vans or by carrier.

An order is *ready to ship* from a warehouse when it is confirmed (or already being picked), every line is fully
covered by active reservations at that warehouse, it has not shipped, and its deadline is no later than the
delivery day plus ``HORIZON_DAYS`` (overdue orders included). Its load is the items' weight and volume × quantity;
its place and time window are the customer's. The own vans are the ``vehicles`` table (capacity kg and m³) with the
driver's shift ``DRIVER_SHIFT``; the carrier's price of a shipment is the cheapest ``carrier_tariffs`` row (base +
per kg + per km from the warehouse). ``optimizer.routes.plan_deliveries`` decides, per shipment, van or carrier,
whichever is cheaper for the whole day. Sites have no coordinates in the database yet: the warehouse's place is
``DEPOTS`` (the demo's W1 in Moscow).

Accepting writes ``route_plans`` (one per van), ``route_stops`` (driving order, ETA, window, loading position)
and ``route_carrier_shipments``, and a dispatch task of kind "route" per order; the day's current plan is the one
of its latest accepted routes proposal.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, union, update

from central.dispatch import proposals as p
from central.dispatch.calendar import MOSCOW
from central.store import schema as s
from optimizer.borrowing.explain import ru_date, rubles
from optimizer.routes.company import (
    Delivery,
    DeliveryPlan,
    DeliveryProblem,
    Stop,
    Van,
    VanRoute,
    check_plan,
    matrices,
    plan_deliveries,
)
from optimizer.routes.distance import Place

READY_STATUSES = ("confirmed", "picking")
ORDER_STATUS_TITLES = {
    "draft": "черновик",
    "confirmed": "подтверждён",
    "picking": "на сборке",
    "shipped": "отгружен",
    "completed": "выполнен",
    "cancelled": "отменён",
}
HORIZON_DAYS = 3
DRIVER_SHIFT = (8 * 60, 18 * 60)  # 08:00–18:00 Moscow time, also the warehouse's dispatch hours
SERVICE_MIN = 20  # unloading at a customer
VAN_DAY_COST_KOP = 0  # a van's cost is its kilometres; a driver's day is paid anyway
DEPOTS = {"W1": Place(55.7558, 37.6173)}
DEFAULT_DEPOT = Place(55.7558, 37.6173)

Json = dict[str, Any]


def run_routes(
    engine: Engine,
    site: str,
    day: dt.date,
    user: p.Actor,
    *,
    time_limit: float = 10.0,
) -> int:
    """Plan the deliveries of ``day`` from warehouse ``site``, check, store; returns the proposal id.

    ``run_routes(engine, "W1", date(2026, 11, 24), user)``; raises ``UnknownSite``, or ``CheckerRejected`` (nothing
    stored) when there is nothing ready to ship or the independent checker refuses the plan.
    """
    with engine.begin() as conn:
        site_id = p._site_id(conn, site)
        snap = routes_snapshot(conn, site_id, site, day)
        current_id = _current_plan_id(conn, site_id, day)
        old = _plan_rows(conn, current_id) if current_id else {}
    if not snap["deliveries"]:
        raise p.CheckerRejected(f"На {day:%d.%m.%Y} нет заказов, готовых к отгрузке со склада {site}")
    problem = problem_from_snapshot(snap)
    plan = plan_deliveries(problem, time_limit=time_limit, workers=1)
    errors = check_plan(problem, plan)
    if errors:
        raise p.CheckerRejected("Независимая проверка отвергла маршруты, они не сохранены: " + "; ".join(errors[:3]))
    result = _result(snap, problem, plan)
    figures = _figures(snap, result, plan, current_id)
    with engine.begin() as conn:
        return p.store_proposal(
            conn,
            "routes",
            site_id,
            user,
            snapshot=snap,
            result=result,
            figures=figures,
            explanation=_explanation(snap, result, figures),
            diff=_diff(result, old),
        )


def routes_snapshot(conn: Connection, site_id: int, site: str, day: dt.date) -> Json:
    """The input as stored with the proposal: depot, vans, and every order ready to ship with its load and price."""
    depot = DEPOTS.get(site, DEFAULT_DEPOT)
    vans = [
        {
            "vehicle_id": r.id,
            "plate": r.plate,
            "model": r.model,
            "capacity_kg": r.capacity_kg,
            "capacity_m3": r.capacity_m3_milli / 1000,
            "cost_per_km_kop": r.cost_per_km_kop,
            "shift": list(DRIVER_SHIFT),
        }
        for r in conn.execute(select(s.vehicles).order_by(s.vehicles.c.id))
    ]
    candidates = [
        r.id
        for r in conn.execute(
            select(s.orders.c.id).where(
                s.orders.c.status.in_(READY_STATUSES), s.orders.c.deadline <= day + dt.timedelta(days=HORIZON_DAYS)
            )
        )
    ]
    state = order_state(conn, site_id, candidates)
    tariffs = conn.execute(select(s.carrier_tariffs).order_by(s.carrier_tariffs.c.id)).all()
    road_factor = 1.3
    deliveries = []
    for order_id in sorted(state, key=lambda k: state[k]["order"]):
        o = state[order_id]
        if not o["ready"]:
            continue
        km = _haversine_km(depot, Place(o["lat"], o["lon"])) * road_factor
        kg = o["weight_kg"]
        prices = [(t.base_kop + t.per_kg_kop * math.ceil(kg) + t.per_km_kop * math.ceil(km), t) for t in tariffs]
        price, tariff = min(prices, key=lambda x: (x[0], x[1].id)) if prices else (0, None)
        deliveries.append(
            {
                **{k: o[k] for k in ("order", "order_id", "customer", "customer_id", "lat", "lon", "window", "lines")},
                "weight_kg": kg,
                "volume_m3": o["volume_m3"],
                "deadline": o["deadline"],
                "service_min": SERVICE_MIN,
                "carrier_tariff": price,
                "tariff_id": None if tariff is None else tariff.id,
                "carrier": None if tariff is None else tariff.carrier,
            }
        )
    rates = [v["cost_per_km_kop"] for v in vans]
    return {
        "day": day.isoformat(),
        "site": site,
        "depot": [depot.lat, depot.lon],
        "depot_window": list(DRIVER_SHIFT),
        "cost_per_km": round(sum(rates) / len(rates)) if rates else 3000,
        "road_factor": road_factor,
        "speed_kmh": 35.0,
        "horizon_days": HORIZON_DAYS,
        "vans": vans,
        "deliveries": deliveries,
    }


def order_state(conn: Connection, site_id: int, order_ids: Sequence[int]) -> dict[int, Json]:
    """Per order: status, whether it is ready to ship from the site, its lines, load, customer place and window."""
    if not order_ids:
        return {}
    reserved: dict[int, int] = {
        line_id: int(qty)
        for line_id, qty in conn.execute(
            select(s.reservations.c.order_line_id, func.sum(s.reservations.c.qty))
            .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
            .where(
                s.order_lines.c.order_id.in_(order_ids),
                s.reservations.c.status == "active",
                s.reservations.c.site_id == site_id,
            )
            .group_by(s.reservations.c.order_line_id)
        )
    }
    shipped = set(conn.execute(select(s.shipments.c.order_id).where(s.shipments.c.order_id.in_(order_ids))).scalars())
    lines: dict[int, list[Any]] = defaultdict(list)
    for r in conn.execute(
        select(
            s.order_lines.c.id,
            s.order_lines.c.order_id,
            s.order_lines.c.qty,
            s.items.c.sku,
            s.items.c.weight_g,
            s.items.c.volume_cm3,
        )
        .join(s.items, s.items.c.id == s.order_lines.c.item_id)
        .where(s.order_lines.c.order_id.in_(order_ids))
        .order_by(s.order_lines.c.id)
    ):
        lines[r.order_id].append(r)
    out: dict[int, Json] = {}
    for o in conn.execute(
        select(
            s.orders.c.id,
            s.orders.c.number,
            s.orders.c.status,
            s.orders.c.deadline,
            s.customers.c.id.label("customer_id"),
            s.customers.c.name,
            s.customers.c.lat,
            s.customers.c.lon,
            s.customers.c.window_from_min,
            s.customers.c.window_to_min,
        )
        .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
        .where(s.orders.c.id.in_(order_ids))
    ):
        mine = lines[o.id]
        covered = bool(mine) and all(reserved.get(x.id, 0) >= x.qty for x in mine)
        out[o.id] = {
            "order": o.number,
            "order_id": o.id,
            "status": o.status,
            "shipped": o.id in shipped,
            "covered": covered,
            "ready": o.status in READY_STATUSES and covered and o.id not in shipped,
            "deadline": o.deadline.isoformat(),
            "customer": o.name,
            "customer_id": o.customer_id,
            "lat": o.lat,
            "lon": o.lon,
            "window": [o.window_from_min, o.window_to_min],
            "lines": [[x.sku, x.qty] for x in mine],
            "weight_kg": round(sum(x.qty * x.weight_g for x in mine) / 1000, 3),
            "volume_m3": round(sum(x.qty * x.volume_cm3 for x in mine) / 1_000_000, 4),
        }
    return out


def problem_from_snapshot(snap: Mapping[str, Any]) -> DeliveryProblem:
    """The optimizer's input of a stored snapshot: ``problem_from_snapshot(snapshot)``."""
    return DeliveryProblem(
        depot=Place(*snap["depot"]),
        depot_window=(snap["depot_window"][0], snap["depot_window"][1]),
        vans=tuple(
            Van(v["plate"], v["capacity_kg"], v["capacity_m3"], (v["shift"][0], v["shift"][1]), VAN_DAY_COST_KOP)
            for v in snap["vans"]
        ),
        deliveries=tuple(
            Delivery(
                d["order"],
                d["customer"],
                Place(d["lat"], d["lon"]),
                d["weight_kg"],
                d["volume_m3"],
                (d["window"][0], d["window"][1]),
                d["service_min"],
                d["carrier_tariff"],
            )
            for d in snap["deliveries"]
        ),
        cost_per_km=snap["cost_per_km"],
        road_factor=snap["road_factor"],
        speed_kmh=snap["speed_kmh"],
    )


def plan_from_result(result: Mapping[str, Any]) -> DeliveryPlan:
    """The stored routes back as the optimizer's plan, for the checker."""
    routes = tuple(
        VanRoute(
            r["plate"],
            tuple(Stop(x["order"], x["arrival_min"], x["start_min"]) for x in r["stops"]),
            tuple(r["loading_order"]),
            r["km"],
            r["weight_kg"],
            r["volume_m3"],
            r["cost_kop"],
        )
        for r in result["routes"]
    )
    carrier = tuple(c["order"] for c in result["carrier"])
    return DeliveryPlan(routes, carrier, sum(r.cost for r in routes), sum(c["cost_kop"] for c in result["carrier"]))


def accept_routes(
    conn: Connection, proposal_id: int, row: Any, site: Any, today: dt.date, now: dt.datetime
) -> p.Decision:
    """Re-check a claimed routes proposal against the current state, then write the plan (or mark it stale)."""
    reasons = stale_reasons(conn, proposal_id, row, today)
    if reasons:
        reason = " ".join(reasons)
        conn.execute(
            update(s.proposals).where(s.proposals.c.id == proposal_id).values(status="stale", decision_reason=reason)
        )
        return p.Decision(proposal_id, "stale", reason)
    tasks = _apply(conn, proposal_id, site.id, row.snapshot, row.result, now)
    return p.Decision(proposal_id, "accepted", tasks=tasks)


def stale_reasons(conn: Connection, proposal_id: int, row: Any, today: dt.date) -> list[str]:
    """Why a stored routes proposal no longer fits the database, in Russian; empty means it may be applied."""
    snap, result = row.snapshot, row.result
    day = dt.date.fromisoformat(snap["day"])
    reasons: list[str] = []
    if day < today:
        reasons.append(f"День доставки {day:%d.%m.%Y} уже прошёл.")
    newer = conn.execute(
        select(func.max(s.proposals.c.id)).where(
            s.proposals.c.id.in_(_proposals_of_day(row.site_id, day)),
            s.proposals.c.status == "accepted",
            s.proposals.c.id > proposal_id,
        )
    ).scalar_one()
    if newer is not None:
        reasons.append(f"После этого расчёта уже приняты более новые маршруты на этот день (предложение {newer}).")
    stored = {d["order_id"]: d for d in snap["deliveries"]}
    state = order_state(conn, row.site_id, list(stored))
    for order_id, d in sorted(stored.items(), key=lambda x: x[1]["order"]):
        now = state.get(order_id)
        number = d["order"]
        if now is None:
            reasons.append(f"Заказ {number} удалён.")
        elif now["status"] not in READY_STATUSES:
            reasons.append(f"Заказ {number} уже {ORDER_STATUS_TITLES.get(now['status'], now['status'])}.")
        elif now["shipped"]:
            reasons.append(f"Заказ {number} уже отгружен.")
        elif now["lines"] != d["lines"]:
            reasons.append(f"Состав заказа {number} изменился после расчёта.")
        elif not now["covered"]:
            reasons.append(f"Заказ {number} больше не готов к отгрузке: товар зарезервирован не полностью.")
        elif (now["lat"], now["lon"], now["window"]) != (d["lat"], d["lon"], d["window"]):
            reasons.append(f"Адрес или окно доставки клиента «{d['customer']}» (заказ {number}) изменились.")
    vans = {r.id: r for r in conn.execute(select(s.vehicles))}
    for v in snap["vans"]:
        if not any(r["vehicle_id"] == v["vehicle_id"] for r in result["routes"]):
            continue
        now_van = vans.get(v["vehicle_id"])
        if now_van is None:
            reasons.append(f"Машины {v['plate']} больше нет в парке.")
        elif (now_van.capacity_kg, now_van.capacity_m3_milli / 1000) != (v["capacity_kg"], v["capacity_m3"]):
            reasons.append(f"Вместимость машины {v['plate']} изменилась.")
    if not reasons:
        errors = check_plan(problem_from_snapshot(snap), plan_from_result(result))
        if errors:
            reasons.append("Независимая проверка маршрутов не пройдена: " + "; ".join(errors[:3]) + ".")
    return reasons


def current_routes(conn: Connection, site: str, day: dt.date) -> Json | None:
    """The accepted plan of ``day`` for warehouse ``site``: its proposal, vans with stops, carrier shipments."""
    site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar_one_or_none()
    if site_id is None:
        return None
    current_id = _current_plan_id(conn, site_id, day)
    if current_id is None:
        return None
    return {"proposal_id": current_id, "orders": _plan_rows(conn, current_id)}


# --- reading the database -------------------------------------------------------------------------------------


def _proposals_of_day(site_id: int, day: dt.date) -> Any:
    return union(
        select(s.route_plans.c.proposal_id).where(s.route_plans.c.site_id == site_id, s.route_plans.c.day == day),
        select(s.route_carrier_shipments.c.proposal_id).where(
            s.route_carrier_shipments.c.site_id == site_id, s.route_carrier_shipments.c.day == day
        ),
    )


def _current_plan_id(conn: Connection, site_id: int, day: dt.date) -> int | None:
    """The latest accepted routes proposal of the day (its rows exist only once accepted)."""
    found = conn.execute(
        select(func.max(s.proposals.c.id)).where(
            s.proposals.c.id.in_(_proposals_of_day(site_id, day)), s.proposals.c.status == "accepted"
        )
    ).scalar_one()
    return None if found is None else int(found)


def _plan_rows(conn: Connection, proposal_id: int) -> dict[str, Json]:
    """Per order number of an accepted plan: the van and stop, or the carrier."""
    out: dict[str, Json] = {}
    for r in conn.execute(
        select(s.orders.c.number, s.vehicles.c.plate, s.route_stops.c.seq, s.route_stops.c.eta)
        .join(s.route_stops, s.route_stops.c.order_id == s.orders.c.id)
        .join(s.route_plans, s.route_plans.c.id == s.route_stops.c.route_plan_id)
        .join(s.vehicles, s.vehicles.c.id == s.route_plans.c.vehicle_id)
        .where(s.route_plans.c.proposal_id == proposal_id)
    ):
        eta = r.eta if r.eta.tzinfo else r.eta.replace(tzinfo=dt.UTC)
        out[r.number] = {"van": r.plate, "seq": r.seq, "eta": eta.isoformat()}
    for c in conn.execute(
        select(s.orders.c.number, s.carrier_tariffs.c.carrier, s.route_carrier_shipments.c.cost_kop)
        .join(s.route_carrier_shipments, s.route_carrier_shipments.c.order_id == s.orders.c.id)
        .join(s.carrier_tariffs, s.carrier_tariffs.c.id == s.route_carrier_shipments.c.carrier_tariff_id)
        .where(s.route_carrier_shipments.c.proposal_id == proposal_id)
    ):
        out[c.number] = {"van": None, "carrier": c.carrier, "cost_kop": c.cost_kop}
    return out


# --- what is stored ---------------------------------------------------------------------------------------------


def _result(snap: Mapping[str, Any], problem: DeliveryProblem, plan: DeliveryPlan) -> Json:
    day = dt.date.fromisoformat(snap["day"])
    metres, seconds = matrices(problem)
    index = {d.shipment_id: k for k, d in enumerate(problem.deliveries, start=1)}
    deliveries = {d["order"]: d for d in snap["deliveries"]}
    vans = {v["plate"]: v for v in snap["vans"]}
    arc = [[m * problem.cost_per_km // 1000 for m in row] for row in metres]
    routes = []
    for r in plan.routes:
        van = vans[r.van_id]
        path = [0, *(index[x.shipment_id] for x in r.stops), 0]
        last = r.stops[-1]
        back = last.start + SERVICE_MIN + seconds[path[-2]][0] / 60
        stops = []
        for seq, stop in enumerate(r.stops, start=1):
            d = deliveries[stop.shipment_id]
            a, n, b = path[seq - 1], path[seq], path[seq + 1]
            stops.append(
                {
                    "seq": seq,
                    "order": d["order"],
                    "order_id": d["order_id"],
                    "customer": d["customer"],
                    "customer_id": d["customer_id"],
                    "arrival_min": stop.arrival,
                    "start_min": stop.start,
                    "eta_at": _at(day, stop.start).isoformat(),
                    "window": d["window"],
                    "load_position": r.loading_order.index(stop.shipment_id) + 1,
                    "weight_kg": d["weight_kg"],
                    "volume_m3": d["volume_m3"],
                    "marginal_kop": arc[a][n] + arc[n][b] - arc[a][b],
                    "carrier_kop": d["carrier_tariff"],
                }
            )
        routes.append(
            {
                "vehicle_id": van["vehicle_id"],
                "plate": van["plate"],
                "model": van["model"],
                "capacity_kg": van["capacity_kg"],
                "capacity_m3": van["capacity_m3"],
                "km": round(r.km, 3),
                "distance_m": round(r.km * 1000),
                "weight_kg": round(r.weight_kg, 3),
                "volume_m3": round(r.volume_m3, 4),
                "cost_kop": r.cost,
                "start_at": _at(day, max(van["shift"][0], snap["depot_window"][0])).isoformat(),
                "end_at": _at(day, back).isoformat(),
                "loading_order": list(r.loading_order),
                "stops": stops,
            }
        )
    paths = [[0, *(index[x.shipment_id] for x in r.stops), 0] for r in plan.routes]
    carrier = []
    for number in plan.by_carrier:
        d = deliveries[number]
        n = index[number]
        own = arc[0][n] + arc[n][0] + VAN_DAY_COST_KOP
        for path in paths:
            for a, b in itertools.pairwise(path):
                own = min(own, arc[a][n] + arc[n][b] - arc[a][b])
        fits = any(d["weight_kg"] <= v["capacity_kg"] and d["volume_m3"] <= v["capacity_m3"] for v in snap["vans"])
        carrier.append(
            {
                "order": number,
                "order_id": d["order_id"],
                "customer": d["customer"],
                "tariff_id": d["tariff_id"],
                "carrier": d["carrier"],
                "cost_kop": d["carrier_tariff"],
                "own_cost_kop": own,
                "fits_a_van": fits,
                "weight_kg": d["weight_kg"],
                "volume_m3": d["volume_m3"],
                "window": d["window"],
            }
        )
    return {"routes": routes, "carrier": carrier}


def _figures(snap: Mapping[str, Any], result: Mapping[str, Any], plan: DeliveryPlan, current_id: int | None) -> Json:
    return {
        "day": snap["day"],
        "orders": len(snap["deliveries"]),
        "orders_on_vans": sum(len(r["stops"]) for r in result["routes"]),
        "orders_by_carrier": len(result["carrier"]),
        "vans_used": len(result["routes"]),
        "vans": len(snap["vans"]),
        "km": round(sum(r["km"] for r in result["routes"]), 1),
        "own_cost_kop": plan.own_cost,
        "carrier_cost_kop": plan.carrier_cost,
        "total_cost_kop": plan.total_cost,
        "cost_per_km_kop": snap["cost_per_km"],
        "current_plan": current_id,
    }


def _explanation(snap: Mapping[str, Any], result: Mapping[str, Any], figures: Mapping[str, Any]) -> list[str]:
    day = dt.date.fromisoformat(snap["day"])
    lines = [
        f"Цель: доставить готовые заказы {ru_date(day)} как можно дешевле — своей машиной (километры × "
        f"{rubles(snap['cost_per_km'])} за км) или транспортной компанией по её тарифу, что дешевле для дня в целом; "
        f"соблюдаются окна приёмки клиентов, смена водителя {_hhmm(DRIVER_SHIFT[0])}–{_hhmm(DRIVER_SHIFT[1])}, "
        f"вместимость машин по кг и м³, разгрузка {SERVICE_MIN} мин.",
        f"Готовы к отгрузке (сроки до {ru_date(day + dt.timedelta(days=snap['horizon_days']))}): "
        f"{figures['orders']} заказов; своими машинами — {figures['orders_on_vans']} "
        f"(машин: {figures['vans_used']} из {figures['vans']}, {figures['km']:g} км), транспортной компанией — "
        f"{figures['orders_by_carrier']}. Итого {rubles(figures['total_cost_kop'])}: свои машины "
        f"{rubles(figures['own_cost_kop'])}, перевозчик {rubles(figures['carrier_cost_kop'])}.",
    ]
    for r in result["routes"]:
        order = " → ".join(x["order"] for x in r["stops"])
        lines.append(
            f"Машина {r['plate']} ({r['model']}): {order}; {r['km']:.1f} км, {r['weight_kg']:.0f} из "
            f"{r['capacity_kg']} кг, {r['volume_m3']:.2f} из {r['capacity_m3']:g} м³; выезд "
            f"{_local_time(r['start_at'])}, возврат {_local_time(r['end_at'])}; грузить первым "
            f"{r['loading_order'][0]} (последняя точка — в глубину кузова)."
        )
        for x in r["stops"]:
            lines.append(
                f"Заказ {x['order']} едет своей машиной {r['plate']}: {rubles(x['marginal_kop'])} за заезд против "
                f"{rubles(x['carrier_kop'])} у транспортной компании; прибытие {_local_time(x['eta_at'])}, окно "
                f"{_hhmm(x['window'][0])}–{_hhmm(x['window'][1])}."
            )
    for c in result["carrier"]:
        if not c["fits_a_van"]:
            why = f"не помещается ни в одну машину ({c['weight_kg']:.0f} кг, {c['volume_m3']:.2f} м³)"
        elif c["own_cost_kop"] >= c["cost_kop"]:
            why = f"{rubles(c['cost_kop'])} против {rubles(c['own_cost_kop'])} своей машиной"
        else:
            why = (
                f"своей машиной было бы {rubles(c['own_cost_kop'])}, но машины не успевают в окно клиента "
                f"{_hhmm(c['window'][0])}–{_hhmm(c['window'][1])} или заполнены; тариф {rubles(c['cost_kop'])}"
            )
        lines.append(f"Заказ {c['order']} едет транспортной компанией {c['carrier']}: {why}.")
    return lines


def _diff(result: Mapping[str, Any], old: Mapping[str, Json]) -> list[Json]:
    """Per order: how it went in the day's current plan and how it goes now."""
    rows: list[Json] = []
    new: dict[str, Json] = {}
    for r in result["routes"]:
        for x in r["stops"]:
            new[x["order"]] = {"van": r["plate"], "seq": x["seq"], "eta": x["eta_at"]}
    for c in result["carrier"]:
        new[c["order"]] = {"van": None, "carrier": c["carrier"], "cost_kop": c["cost_kop"]}
    for number in sorted(set(new) | set(old)):
        before, after = old.get(number), new.get(number)
        if before is None:
            change, note = "new", "не было в текущем плане дня"
        elif after is None:
            change, note = "removed", "выходит из плана: отгружен, отменён или больше не готов"
        elif before.get("van") != after.get("van"):
            change, note = "moved", f"{_how(before)} → {_how(after)}"
        elif before.get("van") and before.get("seq") != after.get("seq"):
            change, note = "reordered", f"точка {before['seq']} → {after['seq']}"
        else:
            change, note = "same", "без изменений"
        rows.append(
            {
                "order": number,
                "before": None if before is None else _how(before),
                "after": None if after is None else _how(after),
                "change": change,
                "note": note,
            }
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
    """Write route plans, stops and carrier shipments; cancel the day's earlier route tasks; a task per order."""
    day = dt.date.fromisoformat(snap["day"])
    earlier = select(s.proposals.c.id).where(
        s.proposals.c.id.in_(_proposals_of_day(site_id, day)), s.proposals.c.id != proposal_id
    )
    conn.execute(
        update(s.dispatch_tasks)
        .where(
            s.dispatch_tasks.c.kind == "route",
            s.dispatch_tasks.c.status == "new",
            s.dispatch_tasks.c.proposal_id.in_(earlier),
        )
        .values(status="cancelled")
    )
    orders: list[int] = []
    for r in result["routes"]:
        plan_id = conn.execute(
            insert(s.route_plans)
            .values(
                proposal_id=proposal_id,
                site_id=site_id,
                day=day,
                vehicle_id=r["vehicle_id"],
                distance_m=r["distance_m"],
                cost_kop=r["cost_kop"],
                weight_g=round(r["weight_kg"] * 1000),
                volume_cm3=round(r["volume_m3"] * 1_000_000),
                start_at=dt.datetime.fromisoformat(r["start_at"]),
                end_at=dt.datetime.fromisoformat(r["end_at"]),
            )
            .returning(s.route_plans.c.id)
        ).scalar_one()
        conn.execute(
            insert(s.route_stops),
            [
                {
                    "route_plan_id": plan_id,
                    "seq": x["seq"],
                    "order_id": x["order_id"],
                    "customer_id": x["customer_id"],
                    "eta": dt.datetime.fromisoformat(x["eta_at"]),
                    "window_from": _at(day, x["window"][0]),
                    "window_to": _at(day, x["window"][1]),
                    "load_position": x["load_position"],
                }
                for x in r["stops"]
            ],
        )
        orders.extend(x["order_id"] for x in r["stops"])
    for c in result["carrier"]:
        conn.execute(
            insert(s.route_carrier_shipments).values(
                proposal_id=proposal_id,
                site_id=site_id,
                day=day,
                order_id=c["order_id"],
                carrier_tariff_id=c["tariff_id"],
                cost_kop=c["cost_kop"],
                own_cost_kop=c["own_cost_kop"],
            )
        )
        orders.append(c["order_id"])
    if orders:
        conn.execute(
            insert(s.dispatch_tasks),
            [
                {
                    "kind": "route",
                    "order_id": order_id,
                    "site_id": site_id,
                    "proposal_id": proposal_id,
                    "status": "new",
                    "created_at": now,
                }
                for order_id in orders
            ],
        )
    return len(orders)


def _how(x: Mapping[str, Any]) -> str:
    if x.get("van"):
        return f"машина {x['van']}, точка {x['seq']}"
    return f"транспортная компания {x.get('carrier', '')}".strip()


def _at(day: dt.date, minutes: float) -> dt.datetime:
    """Minutes from midnight of ``day`` in Moscow as an aware UTC moment."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=MOSCOW)
    return (midnight + dt.timedelta(minutes=round(minutes))).astimezone(dt.UTC)


def _hhmm(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _local_time(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(MOSCOW).strftime("%H:%M")


def _haversine_km(a: Place, b: Place) -> float:
    from optimizer.routes.distance import haversine_m

    return haversine_m(a, b) / 1000
