"""Delivery plan for the company's own vans versus a transport company's tariff (OPT-3, LOG-1)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from optimizer.routes.core import VrpNode, VrpProblem, VrpVehicle, solve_ortools_parallel
from optimizer.routes.distance import Place, osrm_matrices, road_matrices


@dataclass(frozen=True)
class Van:
    """An own van: capacity in kg and m³, driver shift in minutes from midnight, cost of using it for the day."""

    van_id: str
    capacity_kg: float
    capacity_m3: float
    shift: tuple[int, int]
    fixed_cost: int = 0  # kopecks per day when used


@dataclass(frozen=True)
class Delivery:
    """A shipment to deliver: place, load, customer window (minutes), unloading time, carrier's price (kopecks)."""

    shipment_id: str
    customer: str
    place: Place
    weight_kg: float
    volume_m3: float
    window: tuple[int, int]
    service_min: int
    carrier_tariff: int


@dataclass(frozen=True)
class DeliveryProblem:
    """One day's deliveries from one depot; ``cost_per_km`` in kopecks; OSRM replaces coordinates when set."""

    depot: Place
    depot_window: tuple[int, int]
    vans: tuple[Van, ...]
    deliveries: tuple[Delivery, ...]
    cost_per_km: int = 3000
    road_factor: float = 1.3
    speed_kmh: float = 35.0
    osrm_url: str | None = None


@dataclass(frozen=True)
class Stop:
    """A visit: the shipment, arrival and service start (minutes from midnight)."""

    shipment_id: str
    arrival: float
    start: float


@dataclass(frozen=True)
class VanRoute:
    """One van's day: stops in driving order, loading order (last stop loaded first), km, load, cost."""

    van_id: str
    stops: tuple[Stop, ...]
    loading_order: tuple[str, ...]
    km: float
    weight_kg: float
    volume_m3: float
    cost: int


@dataclass(frozen=True)
class DeliveryPlan:
    """Routes of own vans, shipments given to the carrier, objective figures and Russian explanation."""

    routes: tuple[VanRoute, ...]
    by_carrier: tuple[str, ...]
    own_cost: int
    carrier_cost: int
    explanation: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_cost(self) -> int:
        """Own vans plus carrier tariffs, kopecks: ``plan.total_cost``."""
        return self.own_cost + self.carrier_cost


_SEC = 60  # the integer model runs in seconds; the caller speaks minutes


def matrices(problem: DeliveryProblem) -> tuple[list[list[int]], list[list[int]]]:
    """Metres and seconds between the depot (index 0) and the deliveries: ``matrices(problem)``."""
    places = [problem.depot, *(d.place for d in problem.deliveries)]
    if problem.osrm_url:
        return osrm_matrices(places, problem.osrm_url)
    return road_matrices(places, road_factor=problem.road_factor, speed_kmh=problem.speed_kmh)


def to_vrp(problem: DeliveryProblem, metres: list[list[int]], seconds: list[list[int]]) -> VrpProblem:
    """The integer VRPTW: grams and litres as capacities, seconds as time, kopecks as cost."""
    depot = VrpNode((0, 0), (problem.depot_window[0] * _SEC, problem.depot_window[1] * _SEC))
    nodes = [depot] + [
        VrpNode(
            (round(d.weight_kg * 1000), round(d.volume_m3 * 1000)),
            (d.window[0] * _SEC, d.window[1] * _SEC),
            d.service_min * _SEC,
            d.carrier_tariff,
        )
        for d in problem.deliveries
    ]
    vans = tuple(
        VrpVehicle(
            (round(v.capacity_kg * 1000), round(v.capacity_m3 * 1000)),
            (v.shift[0] * _SEC, v.shift[1] * _SEC),
            v.fixed_cost,
        )
        for v in problem.vans
    )
    cost = tuple(tuple(m * problem.cost_per_km // 1000 for m in row) for row in metres)
    return VrpProblem(tuple(nodes), vans, tuple(tuple(r) for r in seconds), cost)


def plan_deliveries(problem: DeliveryProblem, *, time_limit: float = 10.0, workers: int = 1) -> DeliveryPlan:
    """Cheapest mix of own routes and carrier shipments: ``plan_deliveries(problem, time_limit=10)``.

    Each delivery may be left to the carrier at its tariff; the solver keeps it on a van only when the van's
    extra kilometres (and the van's fixed cost, if it is the van's only reason to go out) cost less.
    """
    metres, seconds = matrices(problem)
    vrp = to_vrp(problem, metres, seconds)
    solution = solve_ortools_parallel(vrp, time_limit=time_limit, workers=workers)
    routes_idx = [list(r) for r in solution.routes] if solution else [[] for _ in problem.vans]
    routes = tuple(
        _van_route(problem, van, route, metres, seconds, vrp)
        for van, route in zip(problem.vans, routes_idx, strict=True)
        if route
    )
    served = {i for r in routes_idx for i in r}
    by_carrier = tuple(d.shipment_id for i, d in enumerate(problem.deliveries, start=1) if i not in served)
    carrier_cost = sum(d.carrier_tariff for d in problem.deliveries if d.shipment_id in by_carrier)
    plan = DeliveryPlan(routes, by_carrier, sum(r.cost for r in routes), carrier_cost)
    text = tuple(_explain(problem, plan, routes_idx, vrp))
    return DeliveryPlan(routes, by_carrier, plan.own_cost, carrier_cost, text)


def _van_route(
    problem: DeliveryProblem,
    van: Van,
    route: Sequence[int],
    metres: list[list[int]],
    seconds: list[list[int]],
    vrp: VrpProblem,
) -> VanRoute:
    """Times along the route (earliest service starts), kilometres, load and cost of one van."""
    clock = float(max(van.shift[0], problem.depot_window[0]))
    here = 0
    stops: list[Stop] = []
    for node in route:
        d = problem.deliveries[node - 1]
        arrival = clock + seconds[here][node] / _SEC
        start = max(arrival, d.window[0])
        stops.append(Stop(d.shipment_id, arrival, start))
        clock = start + d.service_min
        here = node
    path = [0, *route, 0]
    km = sum(metres[a][b] for a, b in itertools.pairwise(path)) / 1000
    cost = van.fixed_cost + sum(vrp.cost[a][b] for a, b in itertools.pairwise(path))
    loads = [problem.deliveries[n - 1] for n in route]
    return VanRoute(
        van_id=van.van_id,
        stops=tuple(stops),
        loading_order=tuple(s.shipment_id for s in reversed(stops)),
        km=km,
        weight_kg=sum(d.weight_kg for d in loads),
        volume_m3=sum(d.volume_m3 for d in loads),
        cost=cost,
    )


def _explain(problem: DeliveryProblem, plan: DeliveryPlan, routes: list[list[int]], vrp: VrpProblem) -> Iterator[str]:
    """Objective figures, one line per van and one per carrier shipment, in Russian."""
    yield (
        f"Цель: наименьшая общая стоимость доставки — свои машины (км × {problem.cost_per_km / 100:.2f} ₽ и выход "
        f"машины) плюс тарифы перевозчика; окна клиентов, смены водителей и вместимость (кг, м³) соблюдены. "
        f"Итого {plan.total_cost / 100:.2f} ₽: свои {plan.own_cost / 100:.2f} ₽, перевозчик "
        f"{plan.carrier_cost / 100:.2f} ₽."
    )
    for r in plan.routes:
        order = " → ".join(s.shipment_id for s in r.stops)
        yield (
            f"Машина {r.van_id}: {order}; {r.km:.1f} км, {r.weight_kg:.0f} кг, {r.volume_m3:.2f} м³; "
            f"грузить в порядке {', '.join(r.loading_order)} (последняя точка — первой)."
        )
    for i, d in enumerate(problem.deliveries, start=1):
        if d.shipment_id in plan.by_carrier:
            extra = _cheapest_detour(i, routes, vrp)
            yield (
                f"Отгрузка {d.shipment_id} ({d.customer}) — перевозчиком: тариф {d.carrier_tariff / 100:.2f} ₽, "
                f"своей машиной не дешевле {extra / 100:.2f} ₽ или не помещается по окнам, сменам и вместимости."
            )


def _cheapest_detour(node: int, routes: list[list[int]], vrp: VrpProblem) -> int:
    """Least extra arc cost of inserting ``node`` anywhere in the routes (a new route counts depot and back)."""
    best = vrp.cost[0][node] + vrp.cost[node][0] + min((v.fixed_cost for v in vrp.vehicles), default=0)
    for route in routes:
        path = [0, *route, 0]
        for a, b in itertools.pairwise(path):
            best = min(best, vrp.cost[a][node] + vrp.cost[node][b] - vrp.cost[a][b])
    return best


def check_plan(problem: DeliveryProblem, plan: DeliveryPlan) -> list[str]:
    """Violations of capacity, windows, shifts and coverage, recomputed from the plan: ``check_plan(p, plan)``."""
    errors: list[str] = []
    _, seconds = matrices(problem)
    index = {d.shipment_id: k for k, d in enumerate(problem.deliveries, start=1)}
    vans = {v.van_id: v for v in problem.vans}
    visited = [s.shipment_id for r in plan.routes for s in r.stops] + list(plan.by_carrier)
    if sorted(visited) != sorted(index):
        errors.append("every shipment must be either on exactly one van or with the carrier")
    for r in plan.routes:
        van = vans[r.van_id]
        loads = [problem.deliveries[index[s.shipment_id] - 1] for s in r.stops]
        if sum(d.weight_kg for d in loads) > van.capacity_kg + 1e-9:
            errors.append(f"van {r.van_id} overloaded by weight")
        if sum(d.volume_m3 for d in loads) > van.capacity_m3 + 1e-9:
            errors.append(f"van {r.van_id} overloaded by volume")
        clock = float(max(van.shift[0], problem.depot_window[0]))
        here = 0
        for d in loads:
            node = index[d.shipment_id]
            clock = max(clock + seconds[here][node] / _SEC, d.window[0])
            if clock > d.window[1] + 1e-9:
                errors.append(f"van {r.van_id} reaches {d.shipment_id} after its window")
            clock += d.service_min
            here = node
        back = clock + seconds[here][0] / _SEC
        if back > min(van.shift[1], problem.depot_window[1]) + 1e-9:
            errors.append(f"van {r.van_id} returns after the shift ends")
        if list(r.loading_order) != [s.shipment_id for s in reversed(r.stops)]:
            errors.append(f"van {r.van_id}: loading order does not follow the route")
    return errors
