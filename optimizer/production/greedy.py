"""A quick dispatching-rule schedule used as CP-SAT's starting point when no accepted plan is given."""

from __future__ import annotations

import random

from optimizer.production.model import ScheduledOp, ShopProblem


def greedy_schedule(problem: ShopProblem, *, passes: int = 20, seed: int = 0) -> list[ScheduledOp]:
    """Best of ``passes`` earliest-finish list schedules with random tie-breaks: ``greedy_schedule(p)``.

    Ignores work-centre calendars: it only seeds the search (a hint), it never becomes a plan by itself.
    """
    rng = random.Random(seed)
    best: list[ScheduledOp] = []
    best_end = -1
    remaining_work = [sum(min(d for _, d in op.alternatives) for op in job.operations) for job in problem.jobs]
    for k in range(max(1, passes)):
        noise = 0.0 if k == 0 else 0.3
        schedule = _one_pass(problem, rng, noise, remaining_work)
        end = max((row.end for row in schedule), default=0)
        if best_end < 0 or end < best_end:
            best, best_end = schedule, end
    return best


def _one_pass(problem: ShopProblem, rng: random.Random, noise: float, work: list[int]) -> list[ScheduledOp]:
    """Non-delay dispatching: among operations that can start earliest, most remaining work first (MWKR).

    Each operation goes to its alternative that finishes first; ``noise`` randomises the priority.
    """
    next_op = [0] * len(problem.jobs)
    job_ready = [job.release for job in problem.jobs]
    machine_free = [0] * len(problem.machines)
    left = list(work)
    schedule: list[ScheduledOp] = []
    total = sum(len(job.operations) for job in problem.jobs)
    while len(schedule) < total:
        options: list[tuple[int, int, int, int, int]] = []  # start, job, op, machine, duration
        for j, job in enumerate(problem.jobs):
            o = next_op[j]
            if o >= len(job.operations):
                continue
            machine, duration = min(
                job.operations[o].alternatives, key=lambda a: (max(job_ready[j], machine_free[a[0]]) + a[1], a[0])
            )
            options.append((max(job_ready[j], machine_free[machine]), j, o, machine, duration))
        earliest = min(opt[0] for opt in options)
        ready = [opt for opt in options if opt[0] == earliest]
        _, j, o, machine, duration = max(ready, key=lambda opt: left[opt[1]] * (1 + noise * rng.random()))
        start = max(job_ready[j], machine_free[machine])
        schedule.append(ScheduledOp(j, o, machine, start, start + duration))
        job_ready[j] = machine_free[machine] = start + duration
        left[j] -= min(d for _, d in problem.jobs[j].operations[o].alternatives)
        next_op[j] += 1
    return schedule
