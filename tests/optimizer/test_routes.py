"""Delivery routes: brute-force optimum on a tiny VRPTW, Solomon feasibility, the checker, own vans vs carrier."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

from optimizer.routes.company import Delivery, DeliveryProblem, Van, check_plan, plan_deliveries
from optimizer.routes.distance import Place, haversine_m, road_matrices
from optimizer.routes.solomon import (
    SolomonCustomer,
    SolomonInstance,
    check_routes,
    generate_solomon,
    read_solomon,
    route_distance,
    solve_solomon,
)

BENCH = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


def _tiny() -> SolomonInstance:
    c = SolomonCustomer
    return SolomonInstance(
        "tiny",
        3,
        30,
        (
            c(0, 0, 0, 0, 0, 200, 0),
            c(1, 10, 0, 10, 0, 40, 5),
            c(2, 10, 10, 10, 20, 60, 5),
            c(3, 0, 10, 15, 0, 200, 5),
            c(4, -10, 0, 10, 50, 90, 5),
            c(5, -10, -10, 5, 0, 200, 5),
        ),
    )


def _brute_force(instance: SolomonInstance) -> tuple[int, float]:
    """Fewest vehicles, then shortest distance, over every order of the customers cut into up to 3 routes."""
    best: tuple[int, float] | None = None
    customers = list(range(1, len(instance.customers)))
    for perm in itertools.permutations(customers):
        for cuts in itertools.combinations(range(1, len(perm)), 2):
            bounds = [0, *cuts, len(perm)]
            routes = [list(perm[a:b]) for a, b in itertools.pairwise(bounds)]
            candidates = [routes, [list(perm[: cuts[0]]), list(perm[cuts[0] :])], [list(perm)]]
            for raw in candidates:
                cand = [r for r in raw if r]
                if not check_routes(instance, cand):
                    value = (len(cand), route_distance(instance, cand))
                    if best is None or value < best:
                        best = value
    assert best is not None
    return best


def test_tiny_vrptw_matches_brute_force():
    instance = _tiny()
    result = solve_solomon(instance, time_limit=2, threads=1)
    assert result.errors == ()
    vehicles, distance = _brute_force(instance)
    assert result.vehicles == vehicles
    assert abs(result.distance - distance) < 1e-6


def test_c101_is_solved_feasibly_with_ten_vehicles():
    instance = read_solomon(BENCH / "solomon" / "instances" / "C101.txt")
    assert instance.vehicles == 25
    assert instance.capacity == 200
    assert len(instance.customers) == 101
    result = solve_solomon(instance, time_limit=6)
    assert result.errors == ()
    assert result.vehicles == 10
    assert abs(result.distance - 828.94) < 0.5
    assert sorted(n for r in result.routes for n in r) == list(range(1, 101))
    assert result.vroom_distance is not None
    assert result.distance <= result.vroom_distance + 1e-9


def test_the_checker_rejects_broken_routes():
    instance = _tiny()
    assert any("not visited" in e for e in check_routes(instance, [[1, 2, 3]]))
    assert any("more than once" in e for e in check_routes(instance, [[1, 2], [2, 3, 4, 5]]))
    assert any("capacity" in e for e in check_routes(instance, [[1, 2, 3, 5], [4]]))
    assert any("after due" in e for e in check_routes(instance, [[4, 1], [2, 3, 5]]))


def test_a_generated_instance_is_solved_feasibly():
    instance = generate_solomon(30, seed=3, kind="RC1")
    result = solve_solomon(instance, time_limit=3)
    assert result.errors == ()


def test_haversine_and_road_factor():
    moscow, spb = Place(55.7558, 37.6173), Place(59.9386, 30.3141)
    assert haversine_m(moscow, spb) // 1000 == 634
    metres, seconds = road_matrices([moscow, spb], road_factor=1.3, speed_kmh=60)
    assert metres[0][1] == metres[1][0] > 634_000 * 1.3 - 1000
    assert seconds[0][1] == -(-metres[0][1] * 3.6 // 60)


def _company() -> DeliveryProblem:
    depot = Place(55.75, 37.60)
    near = [Place(55.75 + 0.01 * k, 37.60 + 0.012 * (k % 3)) for k in range(1, 7)]
    deliveries = tuple(
        Delivery(f"D{k}", f"Клиент {k}", place, 300, 1.5, (9 * 60, 18 * 60), 15, 2_500_00)
        for k, place in enumerate(near, start=1)
    )
    far = Delivery("D9", "Тверь", Place(56.86, 35.90), 200, 1.0, (9 * 60, 18 * 60), 20, 3_000_00)
    heavy = Delivery("D10", "Склад Б", Place(55.77, 37.62), 2500, 2.0, (9 * 60, 18 * 60), 30, 6_000_00)
    vans = (Van("Газель-1", 1500, 9.0, (8 * 60, 20 * 60), 1_500_00), Van("Газель-2", 1500, 9.0, (8 * 60, 20 * 60)))
    return DeliveryProblem(depot, (8 * 60, 20 * 60), vans, (*deliveries, far, heavy), cost_per_km=4000)


def test_company_plan_uses_vans_near_and_the_carrier_far_or_oversized():
    problem = _company()
    plan = plan_deliveries(problem, time_limit=2)
    assert check_plan(problem, plan) == []
    assert set(plan.by_carrier) == {"D9", "D10"}
    on_vans = {s.shipment_id for r in plan.routes for s in r.stops}
    assert on_vans == {f"D{k}" for k in range(1, 7)}
    for route in plan.routes:
        assert route.loading_order == tuple(s.shipment_id for s in reversed(route.stops))
        assert route.weight_kg <= 1500
    assert plan.total_cost == plan.own_cost + plan.carrier_cost
    assert any("перевозчиком" in line for line in plan.explanation)


def test_company_checker_rejects_an_overloaded_van():
    problem = _company()
    plan = plan_deliveries(problem, time_limit=2)
    first = plan.routes[0].stops[0].shipment_id
    heavier = tuple(dataclasses.replace(d, weight_kg=1600) if d.shipment_id == first else d for d in problem.deliveries)
    bad_problem = dataclasses.replace(problem, deliveries=heavier)
    assert any("overloaded" in e for e in check_plan(bad_problem, plan))
