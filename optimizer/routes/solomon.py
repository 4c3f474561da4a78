"""Solomon VRPTW instances: reader, bench solver (VROOM seed + OR-Tools GLS), independent float check.

Conventions of the literature: Euclidean distance in double precision, travel time equals distance, service
starts inside [ready, due], vans are back at the depot by its due time, objective vehicles first, then distance.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from optimizer.routes.core import VrpNode, VrpProblem, VrpSolution, VrpVehicle, solve_ortools_parallel
from optimizer.routes.vroom_seed import solve_vroom, vroom_available

# Integer model scale: times and costs in 1/1000 of a distance unit. Travel times are rounded UP, so a route
# feasible in integers is feasible with exact distances; the reported distance is always recomputed exactly.
SCALE = 1000
EPS = 1e-6


class SolomonFormatError(ValueError):
    """The file is not a Solomon VRPTW instance."""


@dataclass(frozen=True)
class SolomonCustomer:
    """One row of the file; number 0 is the depot."""

    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class SolomonInstance:
    """A whole instance: ``read_solomon(Path("C101.txt")).vehicles == 25``."""

    name: str
    vehicles: int
    capacity: int
    customers: tuple[SolomonCustomer, ...]  # index 0 is the depot


@dataclass(frozen=True)
class SolomonResult:
    """Bench answer: routes by customer number, exact distance, the VROOM reference and feasibility."""

    instance: str
    vehicles: int
    distance: float
    routes: tuple[tuple[int, ...], ...]
    errors: tuple[str, ...]
    vroom_vehicles: int | None
    vroom_distance: float | None
    seconds: float


def read_solomon(path: Path) -> SolomonInstance:
    """Parse the standard text format (CRLF tolerated): ``read_solomon(Path(".../R101.txt"))``."""
    lines = [ln.split() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    lines = [ln for ln in lines if ln]
    try:
        header = next(i for i, ln in enumerate(lines) if ln[0].upper() == "NUMBER")
        vehicles, capacity = int(lines[header + 1][0]), int(lines[header + 1][1])
        rows = [ln for ln in lines[header + 2 :] if len(ln) == 7 and ln[0].isdigit()]
        customers = tuple(
            SolomonCustomer(int(r[0]), float(r[1]), float(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]))
            for r in rows
        )
    except (StopIteration, ValueError, IndexError) as exc:
        raise SolomonFormatError(f"{path.name} is not a Solomon VRPTW file") from exc
    if not customers or customers[0].number != 0:
        raise SolomonFormatError(f"{path.name} has no depot row (customer 0)")
    return SolomonInstance(lines[0][0], vehicles, capacity, customers)


def euclid(a: SolomonCustomer, b: SolomonCustomer) -> float:
    """Unrounded Euclidean distance: ``euclid(c0, c1)``."""
    return math.hypot(a.x - b.x, a.y - b.y)


def to_problem(instance: SolomonInstance, vehicles: int | None = None, fixed_cost: int = 0) -> VrpProblem:
    """The scaled integer VRPTW of an instance, optionally with fewer vehicles: ``to_problem(inst, 10)``."""
    cs = instance.customers
    travel = tuple(tuple(math.ceil(euclid(a, b) * SCALE - EPS) for b in cs) for a in cs)
    nodes = tuple(VrpNode((c.demand,), (c.ready * SCALE, c.due * SCALE), c.service * SCALE) for c in cs)
    fleet = instance.vehicles if vehicles is None else vehicles
    depot = (cs[0].ready * SCALE, cs[0].due * SCALE)
    vans = tuple(VrpVehicle((instance.capacity,), depot, fixed_cost) for _ in range(fleet))
    return VrpProblem(nodes, vans, travel, travel)


def route_distance(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> float:
    """Exact total distance of routes given as node indices: ``route_distance(inst, [[5, 3, 7]])``."""
    cs = instance.customers
    total = 0.0
    for route in routes:
        if route:
            path = [0, *route, 0]
            total += sum(euclid(cs[a], cs[b]) for a, b in itertools.pairwise(path))
    return total


def check_routes(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Violations with exact arithmetic: capacity, windows, depot return, every customer once, fleet size."""
    cs = instance.customers
    errors: list[str] = []
    visits = [node for route in routes for node in route]
    if len(visits) != len(set(visits)):
        errors.append("a customer is visited more than once")
    missing = set(range(1, len(cs))) - set(visits)
    if missing:
        errors.append(f"customers not visited: {sorted(missing)[:10]}")
    if any(not 1 <= n < len(cs) for n in visits):
        errors.append("a route names a node that is not a customer")
        return errors
    if sum(1 for r in routes if r) > instance.vehicles:
        errors.append(f"more than {instance.vehicles} vehicles used")
    for k, route in enumerate(routes):
        if sum(cs[n].demand for n in route) > instance.capacity:
            errors.append(f"route {k} exceeds capacity {instance.capacity}")
        clock = float(cs[0].ready)
        here = 0
        for node in route:
            clock = max(clock + euclid(cs[here], cs[node]), cs[node].ready)
            if clock > cs[node].due + EPS:
                errors.append(f"route {k}: customer {cs[node].number} served at {clock:.3f} after due {cs[node].due}")
            clock += cs[node].service
            here = node
        if route and clock + euclid(cs[here], cs[0]) > cs[0].due + EPS:
            errors.append(f"route {k} returns to the depot after {cs[0].due}")
    return errors


def _van_cost(instance: SolomonInstance) -> int:
    """A fixed cost per van larger than any total distance, so one van fewer always wins (scaled units)."""
    return SCALE * 10 * int(1 + sum(euclid(instance.customers[0], c) for c in instance.customers))


def solve_solomon(instance: SolomonInstance, *, time_limit: float = 30.0, threads: int = 2) -> SolomonResult:
    """VROOM first (the reference and the seed), then GLS on VROOM's fleet size: ``solve_solomon(inst, time_limit=30)``.

    GLS only gets VROOM's number of vans, so it never trades a vehicle for distance (hierarchical objective);
    without pyvroom, GLS alone runs on the full fleet with a dominant fixed cost per van.
    """
    started = time.monotonic()
    vroom_routes: tuple[tuple[int, ...], ...] | None = None
    if vroom_available():
        seed = solve_vroom(
            to_problem(instance, fixed_cost=_van_cost(instance)), threads=threads, timeout=time_limit / 2
        )
        vroom_routes = tuple(r for r in seed.routes if r)
    remaining = time_limit - (time.monotonic() - started)
    final: VrpSolution | None
    if vroom_routes is not None and not check_routes(instance, vroom_routes):
        final = solve_ortools_parallel(
            to_problem(instance, vehicles=len(vroom_routes)),
            time_limit=remaining,
            initial_routes=vroom_routes,
            workers=threads,
        )
    else:
        final = solve_ortools_parallel(
            to_problem(instance, fixed_cost=_van_cost(instance)), time_limit=remaining, workers=threads
        )
    routes = tuple(r for r in final.routes if r) if final is not None else ()
    if vroom_routes is not None and (
        final is None or check_routes(instance, routes) or _worse(instance, routes, vroom_routes)
    ):
        routes = vroom_routes  # GLS only ever replaces VROOM's answer with a checked, better one
    numbers = tuple(tuple(instance.customers[n].number for n in r) for r in routes)
    return SolomonResult(
        instance=instance.name,
        vehicles=len(routes),
        distance=route_distance(instance, routes),
        routes=numbers,
        errors=tuple(check_routes(instance, routes)) if routes else ("no solution found",),
        vroom_vehicles=len(vroom_routes) if vroom_routes is not None else None,
        vroom_distance=route_distance(instance, vroom_routes) if vroom_routes is not None else None,
        seconds=time.monotonic() - started,
    )


def _worse(instance: SolomonInstance, routes: Sequence[Sequence[int]], than: Sequence[Sequence[int]]) -> bool:
    """Hierarchical comparison with exact distances: more vans, or as many vans and a longer total."""
    a = (sum(1 for r in routes if r), route_distance(instance, routes))
    b = (sum(1 for r in than if r), route_distance(instance, than))
    return a > b


def generate_solomon(n_customers: int, seed: int, *, kind: str = "RC1") -> SolomonInstance:
    """A fresh instance in the style of Solomon's R1/C1/RC1 classes: ``generate_solomon(100, 7, kind="R1")``.

    Random (R) or clustered (C) coordinates on a 100x100 square, demands 1-40, capacity 200, service 10
    (90 for clustered), windows of random width around a feasible arrival, depot horizon 1000 (230 for R1-like).
    """
    rng = random.Random(seed)
    clustered = kind.upper().startswith("C") and not kind.upper().startswith("RC")
    mixed = kind.upper().startswith("RC")
    horizon = 1236 if clustered else 240
    service = 90 if clustered else 10
    depot = SolomonCustomer(0, 50.0, 50.0, 0, 0, horizon, 0)
    centres = [(rng.uniform(10, 90), rng.uniform(10, 90)) for _ in range(8)]
    customers = [depot]
    for number in range(1, n_customers + 1):
        if clustered or (mixed and number % 2 == 0):
            cx, cy = rng.choice(centres)
            x, y = min(100.0, max(0.0, rng.gauss(cx, 5))), min(100.0, max(0.0, rng.gauss(cy, 5)))
        else:
            x, y = rng.uniform(0, 100), rng.uniform(0, 100)
        x, y = float(round(x)), float(round(y))
        reach = math.hypot(x - depot.x, y - depot.y)
        latest = horizon - service - math.ceil(reach)
        earliest = math.ceil(reach)
        centre = rng.randint(earliest, max(earliest, latest))
        width = rng.randint(10, 60) if not clustered else rng.randint(30, 90)
        ready = max(earliest, centre - width // 2)
        due = min(latest, ready + width)
        customers.append(SolomonCustomer(number, x, y, rng.randint(1, 40), ready, max(ready, due), service))
    return SolomonInstance(f"G{kind.upper()}_{n_customers}_{seed}", 25, 200, tuple(customers))
