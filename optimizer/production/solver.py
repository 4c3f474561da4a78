"""CP-SAT model of the flexible job shop: weighted tardiness first, then makespan, inside work-centre shifts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.production.greedy import greedy_schedule
from optimizer.production.model import Job, ScheduledOp, ShopProblem, ShopResult, WorkCentre


@dataclass
class _OpVars:
    """CP-SAT variables of one operation: start, end and one presence literal per alternative work centre."""

    start: cp_model.IntVar
    end: cp_model.IntVar
    choices: list[tuple[int, int, cp_model.IntVar | int]]  # (machine, duration, presence literal or constant 1)


@dataclass
class _Model:
    """The built model plus the handles the two phases need."""

    model: cp_model.CpModel
    ops: dict[tuple[int, int], _OpVars]
    makespan: cp_model.IntVar
    tardiness: cp_model.LinearExpr | int
    has_due_dates: bool


def horizon_of(problem: ShopProblem) -> int:
    """A safe upper bound on any end time: ``horizon_of(read_jsplib(p))``.

    Serial execution after the last release always fits when every machine is always open; closed periods
    before the last shift end only add to that, so the horizon is extended by them.
    """
    serial = sum(max(d for _, d in op.alternatives) for job in problem.jobs for op in job.operations)
    base = max((job.release for job in problem.jobs), default=0) + serial
    closed = 0
    last_shift_end = 0
    for wc in problem.machines:
        if wc.shifts:
            last_shift_end = max(last_shift_end, *(end for _, end in wc.shifts))
            closed = max(closed, _closed_time(wc, last_shift_end))
    return max(base + closed, last_shift_end)


def _closed_time(wc: WorkCentre, until: int) -> int:
    """Total closed time of a work centre in ``[0, until)``: ``_closed_time(WorkCentre("a", ((0, 8),)), 24) == 16``."""
    return sum(end - start for start, end in _closed_intervals(wc, until))


def _closed_intervals(wc: WorkCentre, horizon: int) -> list[tuple[int, int]]:
    """Gaps between a work centre's shifts inside ``[0, horizon)``: ``_closed_intervals(wc, 1440)``."""
    if wc.shifts is None:
        return []
    gaps: list[tuple[int, int]] = []
    cursor = 0
    for start, end in sorted(wc.shifts):
        if start > cursor:
            gaps.append((cursor, min(start, horizon)))
        cursor = max(cursor, end)
        if cursor >= horizon:
            break
    if cursor < horizon:
        gaps.append((cursor, horizon))
    return [(s, e) for s, e in gaps if e > s]


def _build(problem: ShopProblem, horizon: int) -> _Model:
    """Intervals with alternatives, routing precedences, releases, no-overlap with closed periods, objectives."""
    model = cp_model.CpModel()
    ops: dict[tuple[int, int], _OpVars] = {}
    per_machine: dict[int, list[cp_model.IntervalVar]] = {m: [] for m in range(len(problem.machines))}
    job_ends: list[cp_model.IntVar] = []
    for j, job in enumerate(problem.jobs):
        previous_end: cp_model.IntVar | None = None
        for o, op in enumerate(job.operations):
            start = model.new_int_var(job.release if o == 0 else 0, horizon, f"s{j}_{o}")
            end = model.new_int_var(0, horizon, f"e{j}_{o}")
            choices: list[tuple[int, int, cp_model.IntVar | int]] = []
            if len(op.alternatives) == 1:
                machine, duration = op.alternatives[0]
                per_machine[machine].append(model.new_interval_var(start, duration, end, f"i{j}_{o}"))
                choices.append((machine, duration, 1))
            else:
                literals = []
                for machine, duration in op.alternatives:
                    present = model.new_bool_var(f"p{j}_{o}_{machine}")
                    # Shared start, per-alternative length: the chosen alternative fixes end = start + duration.
                    per_machine[machine].append(
                        model.new_optional_fixed_size_interval_var(start, duration, present, f"i{j}_{o}_{machine}")
                    )
                    model.add(end == start + duration).only_enforce_if(present)
                    literals.append(present)
                    choices.append((machine, duration, present))
                model.add_exactly_one(literals)
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
            ops[(j, o)] = _OpVars(start, end, choices)
        if previous_end is not None:
            job_ends.append(previous_end)
    for m, wc in enumerate(problem.machines):
        for k, (gap_start, gap_end) in enumerate(_closed_intervals(wc, horizon)):
            per_machine[m].append(model.new_fixed_size_interval_var(gap_start, gap_end - gap_start, f"closed{m}_{k}"))
        if len(per_machine[m]) > 1:
            model.add_no_overlap(per_machine[m])
    makespan = model.new_int_var(0, horizon, "makespan")
    if job_ends:
        model.add_max_equality(makespan, job_ends)
    tardiness_terms = []
    for j, job in enumerate(problem.jobs):
        if job.due is None or not job.operations:
            continue
        late = model.new_int_var(0, horizon, f"late{j}")
        model.add(late >= ops[(j, len(job.operations) - 1)].end - job.due)
        tardiness_terms.append(job.weight * late)
    tardiness: cp_model.LinearExpr | int = sum(tardiness_terms) if tardiness_terms else 0
    return _Model(model, ops, makespan, tardiness, bool(tardiness_terms))


def _add_hint(built: _Model, hint: Sequence[ScheduledOp]) -> None:
    """Hint the current plan's starts and work centres so CP-SAT starts from it and the plan stays stable."""
    for item in hint:
        op = built.ops.get((item.job, item.op))
        if op is None:
            continue
        built.model.add_hint(op.start, item.start)
        for machine, _, present in op.choices:
            if not isinstance(present, int):
                built.model.add_hint(present, machine == item.machine)


def _solver(time_limit: float, num_workers: int, seed: int, deterministic: bool) -> cp_model.CpSolver:
    """A CP-SAT solver with the limits of one phase: ``_solver(10.0, 2, 0, False)``."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, num_workers)
    solver.parameters.random_seed = seed
    if deterministic:
        # Wall-clock limits make parallel runs irreproducible; deterministic time plus interleaving does not.
        solver.parameters.max_deterministic_time = time_limit
        solver.parameters.interleave_search = num_workers > 1
    else:
        solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    return solver


def _read_schedule(built: _Model, solver: cp_model.CpSolver) -> list[ScheduledOp]:
    """The solution as rows sorted by start time."""
    rows = []
    for (j, o), op in built.ops.items():
        start = int(solver.value(op.start))
        for machine, duration, present in op.choices:
            if isinstance(present, int) or solver.boolean_value(present):
                rows.append(ScheduledOp(j, o, machine, start, start + duration))
                break
    return sorted(rows, key=lambda r: (r.start, r.machine, r.job))


_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
}


def solve_shop(
    problem: ShopProblem,
    *,
    time_limit: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    hint: Sequence[ScheduledOp] = (),
    deterministic: bool = False,
    greedy_start: bool | None = None,
) -> ShopResult:
    """Schedule ``problem``: minimise weighted tardiness, then makespan: ``solve_shop(p, time_limit=5)``.

    With due dates the time is split into two phases: phase one minimises weighted tardiness, phase two keeps
    that tardiness as a hard bound and minimises makespan starting from phase one's schedule. ``hint`` (the
    accepted plan) warm-starts phase one. ``deterministic`` uses CP-SAT's deterministic time instead of wall time.
    """
    started = time.monotonic()
    horizon = horizon_of(problem)
    if greedy_start is None:
        greedy_start = any(len(op.alternatives) > 1 for job in problem.jobs for op in job.operations)
    start_plan = list(hint) if hint else greedy_schedule(problem, seed=seed) if greedy_start else []
    plain = all(wc.shifts is None for wc in problem.machines) and all(job.due is None for job in problem.jobs)
    if plain and start_plan and not hint:
        # Pure makespan without calendars: the greedy schedule is feasible, so no optimum ends later than it.
        # The much tighter horizon strengthens propagation on large flexible instances.
        horizon = min(horizon, max(row.end for row in start_plan))
    built = _build(problem, horizon)
    # Without an accepted plan, flexible instances start from a dispatching-rule schedule (measured gain on mk*;
    # on classic job shops the effect was within run-to-run noise, so they start cold).
    _add_hint(built, start_plan)
    tardiness_value = 0
    proven_tardiness = True
    if built.has_due_dates:
        built.model.minimize(built.tardiness)
        solver = _solver(time_limit / 2, num_workers, seed, deterministic)
        status = solver.solve(built.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _failed(problem, _STATUS.get(status, "unknown"), time.monotonic() - started)
        tardiness_value = round(solver.objective_value)
        proven_tardiness = status == cp_model.OPTIMAL
        first = _read_schedule(built, solver)
        built.model.clear_hints()  # type: ignore[no-untyped-call]
        _add_hint(built, first)
        built.model.add(built.tardiness <= tardiness_value)
        built.model.clear_objective()  # type: ignore[no-untyped-call]
    built.model.minimize(built.makespan)
    if deterministic:
        remaining = time_limit / 2 if built.has_due_dates else time_limit
    else:
        remaining = time_limit - (time.monotonic() - started)
    solver = _solver(max(remaining, 0.5), num_workers, seed, deterministic)
    status = solver.solve(built.model)
    elapsed = time.monotonic() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _failed(problem, _STATUS.get(status, "unknown"), elapsed)
    schedule = tuple(_read_schedule(built, solver))
    makespan = int(solver.value(built.makespan))
    bound = int(solver.best_objective_bound + 0.999)
    optimal = status == cp_model.OPTIMAL and proven_tardiness
    result_status = "optimal" if optimal else "feasible"
    explanation = explain(problem, schedule, makespan, tardiness_value, bound, result_status)
    return ShopResult(result_status, schedule, makespan, tardiness_value, bound, elapsed, explanation)


def _failed(problem: ShopProblem, status: str, elapsed: float) -> ShopResult:
    """A result without a schedule, saying why in Russian."""
    reason = {
        "infeasible": "план невозможен: операции не помещаются в смены рабочих центров или нет подходящего центра",
        "unknown": "за отведённое время решение не найдено; увеличьте лимит времени",
    }.get(status, "модель некорректна")
    text = f"План «{problem.name or 'производство'}» не построен: {reason}."
    return ShopResult(status, (), None, None, None, elapsed, (text,))


def explain(
    problem: ShopProblem,
    schedule: Sequence[ScheduledOp],
    makespan: int,
    tardiness: int,
    bound: int,
    status: str,
) -> tuple[str, ...]:
    """Russian lines: objective figures, then one line per task: ``explain(p, s, 55, 0, 55, "optimal")``."""
    proof = "доказано оптимально" if status == "optimal" else f"нижняя граница {bound}"
    lines = [
        f"Цель: сначала минимум взвешенного опоздания (получено {tardiness}), затем минимум общего срока "
        f"выполнения всех заданий (получено {makespan}, {proof}).",
    ]
    by_job: dict[int, list[ScheduledOp]] = {}
    for row in schedule:
        by_job.setdefault(row.job, []).append(row)
    for j, job in enumerate(problem.jobs):
        rows = sorted(by_job.get(j, []), key=lambda r: r.op)
        if not rows:
            continue
        lines.append(_job_line(problem, j, job, rows))
    return tuple(lines)


def _job_line(problem: ShopProblem, j: int, job: Job, rows: list[ScheduledOp]) -> str:
    """One task's line: release, route over work centres, finish and lateness."""
    name = job.name or f"№{j}"
    route = ", ".join(f"{problem.machines[r.machine].name} {r.start}–{r.end}" for r in rows)
    finish = rows[-1].end
    text = f"Задание {name}: {route}; завершение {finish}"
    if job.release > 0:
        text += f"; комплект готов к {job.release}"
    if job.due is not None:
        late = max(0, finish - job.due)
        text += f"; срок {job.due}, " + (f"опоздание {late}" if late else "в срок")
    return text + "."
