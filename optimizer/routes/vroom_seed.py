"""VROOM (pyvroom) on the same integer model: the reference in the bench and a strong first solution for GLS.

pyvroom is a development dependency; callers check ``vroom_available()`` and fall back to OR-Tools alone.
"""

from __future__ import annotations

import importlib.util
import time
from datetime import timedelta
from typing import Any

from optimizer.routes.core import VrpProblem, VrpSolution, route_cost


def vroom_available() -> bool:
    """True when the ``vroom`` module (pyvroom) is installed: ``if vroom_available(): ...``."""
    return importlib.util.find_spec("vroom") is not None


def solve_vroom(
    problem: VrpProblem,
    *,
    threads: int = 2,
    exploration: int = 5,
    timeout: float | None = None,
) -> VrpSolution:
    """Solve with VROOM; durations double as costs, like the Solomon convention: ``solve_vroom(p, threads=2)``.

    Optional stops (with a penalty) are not expressible as penalties in VROOM, so they are treated as
    mandatory here; the company planner uses VROOM only as a seed, never as the final answer.
    """
    import vroom

    started = time.monotonic()
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=[list(row) for row in problem.travel])
    inp.set_costs_matrix(profile="car", matrix_input=[list(row) for row in problem.cost])
    depot = problem.nodes[0].window
    for v, vehicle in enumerate(problem.vehicles):
        window = vroom.TimeWindow(max(vehicle.window[0], depot[0]), min(vehicle.window[1], depot[1]))
        inp.add_vehicle(
            vroom.Vehicle(
                v + 1,
                start=0,
                end=0,
                capacity=list(vehicle.capacity),
                time_window=window,
                costs=vroom.VehicleCosts(fixed=vehicle.fixed_cost),
            )
        )
    for index, node in enumerate(problem.nodes[1:], start=1):
        inp.add_job(
            vroom.Job(
                index,
                location=index,
                default_service=node.service,
                delivery=list(node.demand),
                time_windows=[vroom.TimeWindow(node.window[0], node.window[1])],
            )
        )
    limit = timedelta(seconds=timeout) if timeout is not None else None
    solution = inp.solve(exploration_level=exploration, nb_threads=threads, timeout=limit)
    routes = _routes_from(solution.to_dict(), len(problem.vehicles))
    served = {node for route in routes for node in route}
    dropped = tuple(i for i in range(1, len(problem.nodes)) if i not in served)
    return VrpSolution(routes, dropped, route_cost(problem, routes), time.monotonic() - started, "vroom")


def _routes_from(result: dict[str, Any], n_vehicles: int) -> tuple[tuple[int, ...], ...]:
    """Job ids per vehicle (vehicle ids are 1-based) from VROOM's JSON-shaped answer."""
    routes: list[list[int]] = [[] for _ in range(n_vehicles)]
    for route in result.get("routes", []):
        vehicle = int(route["vehicle"]) - 1
        routes[vehicle] = [int(step["id"]) for step in route["steps"] if step.get("type") == "job"]
    return tuple(tuple(r) for r in routes)
