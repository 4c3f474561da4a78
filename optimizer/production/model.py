"""Plain input and output data of the production scheduler; times are integers in the caller's unit (minutes)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Operation:
    """One routing step and the interchangeable work centres that can do it: ``Operation(((0, 30), (2, 35)))``."""

    alternatives: tuple[tuple[int, int], ...]  # (work-centre index, duration)
    name: str = ""

    def duration_on(self, machine: int) -> int | None:
        """Duration on ``machine`` or None if it cannot run there: ``op.duration_on(2)``."""
        for alt_machine, duration in self.alternatives:
            if alt_machine == machine:
                return duration
        return None


@dataclass(frozen=True)
class Job:
    """A production task: routing in order, release (kit ready), due date, weight: ``Job((op1, op2), due=480)``."""

    operations: tuple[Operation, ...]
    release: int = 0
    due: int | None = None
    weight: int = 1
    name: str = ""


@dataclass(frozen=True)
class WorkCentre:
    """A work centre; ``shifts`` are open intervals ``[start, end)``, None = always open: ``WorkCentre("Пила")``."""

    name: str
    shifts: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class ShopProblem:
    """A whole scheduling instance: ``ShopProblem(jobs, machines, name="ft06")``."""

    jobs: tuple[Job, ...]
    machines: tuple[WorkCentre, ...]
    name: str = ""


@dataclass(frozen=True)
class ScheduledOp:
    """Operation ``op`` of job ``job`` runs on ``machine`` during ``[start, end)``: ``ScheduledOp(0, 1, 3, 10, 25)``."""

    job: int
    op: int
    machine: int
    start: int
    end: int

    def as_list(self) -> list[int]:
        """The bench's row form: ``ScheduledOp(0, 1, 3, 10, 25).as_list() == [0, 1, 3, 10, 25]``."""
        return [self.job, self.op, self.machine, self.start, self.end]


@dataclass(frozen=True)
class ShopResult:
    """Solver answer: the schedule, objective figures, proof status and a Russian explanation for the dispatcher."""

    status: str  # "optimal", "feasible", "infeasible", "unknown"
    schedule: tuple[ScheduledOp, ...]
    makespan: int | None
    weighted_tardiness: int | None
    makespan_lower_bound: int | None
    wall_seconds: float
    explanation: tuple[str, ...] = field(default_factory=tuple)
