"""Integer VRPTW core on the OR-Tools routing solver: capacities, time windows, optional stops, fixed costs.

The company planner and the Solomon bench both translate into this one model, so both exercise the same code.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2


@dataclass(frozen=True)
class VrpNode:
    """A stop (node 0 is the depot): demand per capacity dimension, time window, service time, drop penalty.

    ``penalty`` None means the stop must be served; otherwise the solver may leave it out at that cost
    (the company planner uses the transport company's tariff there).
    """

    demand: tuple[int, ...]
    window: tuple[int, int]
    service: int = 0
    penalty: int | None = None


@dataclass(frozen=True)
class VrpVehicle:
    """A van: capacity per dimension, working window at the depot and fixed cost when used."""

    capacity: tuple[int, ...]
    window: tuple[int, int]
    fixed_cost: int = 0


@dataclass(frozen=True)
class VrpProblem:
    """Nodes, vehicles, integer travel-time and cost matrices (``travel[i][j]`` excludes service time)."""

    nodes: tuple[VrpNode, ...]
    vehicles: tuple[VrpVehicle, ...]
    travel: tuple[tuple[int, ...], ...]
    cost: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class VrpSolution:
    """Routes as node lists without the depot (one per vehicle, possibly empty), dropped nodes, integer cost."""

    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    cost: int
    seconds: float
    solver: str

    @property
    def used_vehicles(self) -> int:
        """Number of non-empty routes: ``VrpSolution(((1,), ()), (), 5, 0.1, "x").used_vehicles == 1``."""
        return sum(1 for r in self.routes if r)


def route_cost(problem: VrpProblem, routes: Sequence[Sequence[int]]) -> int:
    """Arc cost plus fixed costs plus penalties of the stops no route visits: ``route_cost(p, sol.routes)``."""
    total = 0
    served: set[int] = set()
    for vehicle, route in zip(problem.vehicles, routes, strict=False):
        if not route:
            continue
        total += vehicle.fixed_cost
        path = [0, *route, 0]
        total += sum(problem.cost[a][b] for a, b in itertools.pairwise(path))
        served.update(route)
    for index, node in enumerate(problem.nodes[1:], start=1):
        if index not in served and node.penalty is not None:
            total += node.penalty
    return total


def _build(problem: VrpProblem) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    """Routing model with arc costs, a time dimension with windows and one capacity dimension per unit."""
    n = len(problem.nodes)
    manager = pywrapcp.RoutingIndexManager(n, len(problem.vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)
    # Matrices registered on the C++ side: no Python callback per arc evaluation, which GLS does millions of.
    cost_cb = routing.RegisterTransitMatrix([list(row) for row in problem.cost])
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    for v, vehicle in enumerate(problem.vehicles):
        routing.SetFixedCostOfVehicle(vehicle.fixed_cost, v)
    service = [node.service for node in problem.nodes]
    time_matrix = [[problem.travel[i][j] + service[i] for j in range(n)] for i in range(n)]
    time_cb = routing.RegisterTransitMatrix(time_matrix)
    horizon = max(*(v.window[1] for v in problem.vehicles), *(node.window[1] for node in problem.nodes))
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node_index, node in enumerate(problem.nodes[1:], start=1):
        time_dim.CumulVar(manager.NodeToIndex(node_index)).SetRange(node.window[0], node.window[1])
    depot_window = problem.nodes[0].window
    for v, vehicle in enumerate(problem.vehicles):
        start = max(vehicle.window[0], depot_window[0])
        end = min(vehicle.window[1], depot_window[1])
        time_dim.CumulVar(routing.Start(v)).SetRange(start, end)
        time_dim.CumulVar(routing.End(v)).SetRange(start, end)
    for dim in range(len(problem.nodes[0].demand)):
        demand_cb = routing.RegisterUnaryTransitVector([node.demand[dim] for node in problem.nodes])
        capacities = [vehicle.capacity[dim] for vehicle in problem.vehicles]
        routing.AddDimensionWithVehicleCapacity(demand_cb, 0, capacities, True, f"load{dim}")
    for node_index, node in enumerate(problem.nodes[1:], start=1):
        if node.penalty is not None:
            routing.AddDisjunction([manager.NodeToIndex(node_index)], node.penalty)
    return manager, routing


def _parameters(time_limit: float, seeded: bool, gls_lambda: float) -> pywrapcp.RoutingSearchParameters:
    """Guided local search for ``time_limit`` seconds; a cheap first solution when no routes are given."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.guided_local_search_lambda_coefficient = gls_lambda
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC
        if seeded
        else routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(100, int(time_limit * 1000)))
    return params


def solve_ortools(
    problem: VrpProblem,
    *,
    time_limit: float = 10.0,
    initial_routes: Sequence[Sequence[int]] | None = None,
    gls_lambda: float = 0.1,
) -> VrpSolution | None:
    """Improve ``initial_routes`` (or build routes) with guided local search: ``solve_ortools(p, time_limit=5)``.

    Returns None when no feasible solution was found in time.
    """
    started = time.monotonic()
    manager, routing = _build(problem)
    params = _parameters(time_limit, initial_routes is not None, gls_lambda)
    assignment = None
    if initial_routes is not None:
        routing.CloseModelWithParameters(params)
        index_routes = [[manager.NodeToIndex(node) for node in route] for route in initial_routes]
        index_routes += [[] for _ in range(len(problem.vehicles) - len(index_routes))]
        initial = routing.ReadAssignmentFromRoutes(index_routes, True)
        if initial is not None:
            assignment = routing.SolveFromAssignmentWithParameters(initial, params)
    if assignment is None:
        assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return None
    routes: list[tuple[int, ...]] = []
    for v in range(len(problem.vehicles)):
        index = routing.Start(v)
        route: list[int] = []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        routes.append(tuple(route))
    served = {node for route in routes for node in route}
    dropped = tuple(i for i in range(1, len(problem.nodes)) if i not in served)
    return VrpSolution(tuple(routes), dropped, route_cost(problem, routes), time.monotonic() - started, "ortools-gls")


# Guided local search penalty weights tried side by side when more than one worker is allowed.
GLS_LAMBDAS = (0.1, 0.3, 0.05, 0.2)


def solve_ortools_parallel(
    problem: VrpProblem,
    *,
    time_limit: float = 10.0,
    initial_routes: Sequence[Sequence[int]] | None = None,
    workers: int = 1,
) -> VrpSolution | None:
    """Run ``workers`` GLS variants (different penalty weights) in processes, keep the cheapest.

    ``solve_ortools_parallel(p, time_limit=20, initial_routes=seed, workers=2)``; the routing solver itself is
    single-threaded, so this is how a second core helps. Runs stop on wall time, so results may vary slightly.
    """
    if workers <= 1:
        return solve_ortools(problem, time_limit=time_limit, initial_routes=initial_routes)
    lambdas = [GLS_LAMBDAS[k % len(GLS_LAMBDAS)] for k in range(workers)]
    routes = None if initial_routes is None else [list(r) for r in initial_routes]
    # fork, not spawn: spawn re-imports the caller's main module, which breaks scripts and ``python -c``.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        futures = [
            pool.submit(solve_ortools, problem, time_limit=time_limit, initial_routes=routes, gls_lambda=lam)
            for lam in lambdas
        ]
        results = [f.result() for f in futures]
    found = [r for r in results if r is not None]
    return min(found, key=lambda r: (r.cost, r.routes)) if found else None
