"""Independent feasibility check of a schedule; shares no code with the CP-SAT model on purpose."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from optimizer.production.model import ScheduledOp, ShopProblem


def check_schedule(problem: ShopProblem, schedule: Sequence[ScheduledOp]) -> list[str]:
    """Every violated rule as a sentence; an empty list means feasible: ``assert not check_schedule(p, s)``."""
    errors: list[str] = []
    seen: dict[tuple[int, int], ScheduledOp] = {}
    for row in schedule:
        key = (row.job, row.op)
        if key in seen:
            errors.append(f"job {row.job} op {row.op} scheduled twice")
        seen[key] = row
        if not 0 <= row.job < len(problem.jobs) or not 0 <= row.op < len(problem.jobs[row.job].operations):
            errors.append(f"job {row.job} op {row.op} does not exist")
            continue
        duration = problem.jobs[row.job].operations[row.op].duration_on(row.machine)
        if duration is None:
            errors.append(f"job {row.job} op {row.op} cannot run on machine {row.machine}")
        elif row.end - row.start != duration:
            errors.append(f"job {row.job} op {row.op} lasts {row.end - row.start}, expected {duration}")
    for j, job in enumerate(problem.jobs):
        previous_end = job.release
        for o in range(len(job.operations)):
            placed = seen.get((j, o))
            if placed is None:
                errors.append(f"job {j} op {o} missing")
                continue
            if placed.start < previous_end:
                errors.append(f"job {j} op {o} starts at {placed.start} before {previous_end} (release or routing)")
            previous_end = placed.end
    errors.extend(_overlaps(schedule))
    errors.extend(_outside_shifts(problem, schedule))
    return errors


def _overlaps(schedule: Sequence[ScheduledOp]) -> list[str]:
    """Pairs of operations that share a machine at the same time (zero-length operations never clash)."""
    errors = []
    by_machine: dict[int, list[ScheduledOp]] = {}
    for row in schedule:
        if row.end > row.start:
            by_machine.setdefault(row.machine, []).append(row)
    for machine, rows in by_machine.items():
        rows.sort(key=lambda r: r.start)
        for a, b in itertools.pairwise(rows):
            if b.start < a.end:
                errors.append(f"machine {machine}: job {a.job} op {a.op} overlaps job {b.job} op {b.op}")
    return errors


def _outside_shifts(problem: ShopProblem, schedule: Sequence[ScheduledOp]) -> list[str]:
    """Operations not contained in a single shift of their work centre (operations are never split)."""
    errors = []
    for row in schedule:
        if not 0 <= row.machine < len(problem.machines):
            continue
        shifts = problem.machines[row.machine].shifts
        if shifts is None or row.end == row.start:
            continue
        if not any(start <= row.start and row.end <= end for start, end in shifts):
            errors.append(f"job {row.job} op {row.op} runs {row.start}–{row.end} outside the shifts of {row.machine}")
    return errors
