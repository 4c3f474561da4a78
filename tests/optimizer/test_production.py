"""Production scheduler: optimum on tiny cases by brute force, ft06 = 55, calendars, tardiness, kits, readers."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

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
    read_fjs,
    read_jsplib,
    solve_shop,
)
from optimizer.production.readers import InstanceFormatError

BENCH = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


def _shop(jobs, n_machines, shifts=None):
    machines = tuple(WorkCentre(f"M{m}", shifts) for m in range(n_machines))
    return ShopProblem(tuple(jobs), machines, name="tiny")


def _brute_force(problem: ShopProblem, objective):
    """Best objective over every machine assignment and every order of operations on each machine."""
    ops = [(j, o) for j, job in enumerate(problem.jobs) for o in range(len(job.operations))]
    best = None
    for assignment in itertools.product(*(problem.jobs[j].operations[o].alternatives for j, o in ops)):
        chosen = dict(zip(ops, assignment, strict=True))
        per_machine: dict[int, list[tuple[int, int]]] = {}
        for op, (machine, _) in chosen.items():
            per_machine.setdefault(machine, []).append(op)
        for orders in itertools.product(*(itertools.permutations(v) for v in per_machine.values())):
            ends = _semi_active(problem, chosen, orders)
            if ends is not None:
                value = objective(problem, ends)
                best = value if best is None else min(best, value)
    return best


def _semi_active(problem, chosen, orders):
    """Earliest start times for fixed machine orders; None when the orders contradict the routings."""
    machine_prev = {}
    for order in orders:
        for a, b in itertools.pairwise(order):
            machine_prev[b] = a
    end: dict[tuple[int, int], int] = {}
    pending = set(chosen)
    while pending:
        progressed = False
        for j, o in sorted(pending):
            prev_job = (j, o - 1) if o > 0 else None
            prev_machine = machine_prev.get((j, o))
            if (prev_job and prev_job not in end) or (prev_machine and prev_machine not in end):
                continue
            start = max(
                problem.jobs[j].release if o == 0 else 0,
                end[prev_job] if prev_job else 0,
                end[prev_machine] if prev_machine else 0,
            )
            end[(j, o)] = start + chosen[(j, o)][1]
            pending.discard((j, o))
            progressed = True
        if not progressed:
            return None
    return end


def _makespan(problem, ends):
    return max(ends.values())


def _weighted_tardiness(problem, ends):
    total = 0
    for j, job in enumerate(problem.jobs):
        finish = ends[(j, len(job.operations) - 1)]
        total += job.weight * max(0, finish - (job.due or finish))
    return total


def _op(*alts):
    return Operation(tuple(alts))


def test_ft06_is_solved_to_its_optimum_55():
    problem = read_jsplib(BENCH / "jsplib" / "instances" / "ft06.txt")
    result = solve_shop(problem, time_limit=10, num_workers=2)
    assert result.makespan == 55
    assert result.status == "optimal"
    assert check_schedule(problem, result.schedule) == []
    assert result.explanation[0].startswith("Цель:")


def test_tiny_job_shop_matches_brute_force():
    jobs = [
        Job((_op((0, 3)), _op((1, 2)))),
        Job((_op((1, 4)), _op((0, 1)))),
        Job((_op((0, 2)), _op((1, 3)))),
    ]
    problem = _shop(jobs, 2)
    result = solve_shop(problem, time_limit=5)
    assert result.makespan == _brute_force(problem, _makespan)
    assert check_schedule(problem, result.schedule) == []


def test_tiny_flexible_job_shop_matches_brute_force():
    jobs = [
        Job((_op((0, 3), (1, 5)), _op((1, 2)))),
        Job((_op((1, 4), (0, 4)), _op((0, 1), (1, 2)))),
        Job((_op((0, 2)), _op((1, 3), (0, 2)))),
    ]
    problem = _shop(jobs, 2)
    result = solve_shop(problem, time_limit=5)
    assert result.makespan == _brute_force(problem, _makespan)
    assert check_schedule(problem, result.schedule) == []


def test_weighted_tardiness_comes_first_and_matches_brute_force():
    jobs = [
        Job((_op((0, 4)),), due=4, weight=1),
        Job((_op((0, 3)),), due=3, weight=5),
        Job((_op((0, 2)), _op((1, 2))), release=1, due=6, weight=2),
    ]
    problem = _shop(jobs, 2)
    result = solve_shop(problem, time_limit=5)
    assert result.weighted_tardiness == _brute_force(problem, _weighted_tardiness)
    assert check_schedule(problem, result.schedule) == []


def test_operations_stay_inside_shifts_and_releases():
    shifts = ((0, 8), (16, 24), (32, 40))
    jobs = [Job((_op((0, 5)), _op((1, 6))), release=2), Job((_op((1, 7)), _op((0, 4))))]
    problem = _shop(jobs, 2, shifts)
    result = solve_shop(problem, time_limit=5)
    assert result.status == "optimal"
    assert check_schedule(problem, result.schedule) == []
    for row in result.schedule:
        assert any(s <= row.start and row.end <= e for s, e in shifts)


def test_an_operation_longer_than_any_shift_is_reported_infeasible():
    problem = _shop([Job((_op((0, 10)),))], 1, ((0, 8), (16, 24)))
    result = solve_shop(problem, time_limit=5)
    assert result.status == "infeasible"
    assert result.schedule == ()
    assert "не построен" in result.explanation[0]


def test_warm_start_from_an_accepted_plan_keeps_an_optimal_plan():
    problem = read_jsplib(BENCH / "jsplib" / "instances" / "ft06.txt")
    first = solve_shop(problem, time_limit=10)
    again = solve_shop(problem, time_limit=10, hint=first.schedule)
    assert again.makespan == 55


def test_checker_rejects_overlap_precedence_and_shift_violations():
    problem = _shop([Job((_op((0, 3)), _op((1, 2)))), Job((_op((0, 2)),))], 2, ((0, 10),))
    good = [ScheduledOp(0, 0, 0, 0, 3), ScheduledOp(0, 1, 1, 3, 5), ScheduledOp(1, 0, 0, 3, 5)]
    assert check_schedule(problem, good) == []
    overlap = [ScheduledOp(0, 0, 0, 0, 3), ScheduledOp(0, 1, 1, 3, 5), ScheduledOp(1, 0, 0, 2, 4)]
    assert any("overlaps" in e for e in check_schedule(problem, overlap))
    early = [ScheduledOp(0, 0, 0, 0, 3), ScheduledOp(0, 1, 1, 2, 4), ScheduledOp(1, 0, 0, 3, 5)]
    assert any("before" in e for e in check_schedule(problem, early))
    late = [ScheduledOp(0, 0, 0, 0, 3), ScheduledOp(0, 1, 1, 9, 11), ScheduledOp(1, 0, 0, 3, 5)]
    assert any("outside the shifts" in e for e in check_schedule(problem, late))


def test_kit_releases_serve_the_most_urgent_task_first():
    requests = [
        KitRequest("late", 900, (KitComponent("винт", 6),)),
        KitRequest("urgent", 100, (KitComponent("винт", 6), KitComponent("плата", 1))),
        KitRequest("never", 500, (KitComponent("корпус", 1),)),
    ]
    releases = kit_releases(requests, {"винт": 8, "плата": 0}, {"винт": [(300, 10)], "плата": [(120, 1)]})
    assert releases == {"urgent": 120, "late": 300, "never": None}


def test_brandimarte_mk01_is_read_and_scheduled_feasibly():
    problem = read_fjs(BENCH / "brandimarte" / "instances" / "mk01.fjs")
    assert len(problem.jobs) == 10
    assert len(problem.machines) == 6
    result = solve_shop(problem, time_limit=5)
    assert check_schedule(problem, result.schedule) == []
    assert result.makespan is not None
    assert result.makespan >= 40


def test_readers_refuse_broken_files(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n0 5 1\n", encoding="utf-8")
    with pytest.raises(InstanceFormatError):
        read_jsplib(bad)
    with pytest.raises(InstanceFormatError):
        read_fjs(bad)


def test_deterministic_mode_repeats_the_same_plan():
    problem = read_fjs(BENCH / "brandimarte" / "instances" / "mk01.fjs")
    first = solve_shop(problem, time_limit=2, num_workers=2, deterministic=True)
    second = solve_shop(problem, time_limit=2, num_workers=2, deterministic=True)
    assert first.schedule == second.schedule
