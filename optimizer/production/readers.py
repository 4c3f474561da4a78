"""Readers for the public job-shop formats: JSPLIB standard text and FJSPLIB (Brandimarte)."""

from __future__ import annotations

from pathlib import Path

from optimizer.production.model import Job, Operation, ShopProblem, WorkCentre


class InstanceFormatError(ValueError):
    """The file does not follow the announced format."""


def _numbers(path: Path) -> list[int]:
    """All integers of a file, skipping ``#`` comment lines: ``_numbers(Path("ft06.txt"))[:2] == [6, 6]``."""
    values: list[int] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        try:
            values.extend(int(tok) for tok in line.split())
        except ValueError as exc:
            raise InstanceFormatError(f"{path.name}: not an integer in line {line!r}") from exc
    return values


def read_jsplib(path: Path) -> ShopProblem:
    """Read a JSPLIB standard file (``n m`` then m ``machine duration`` pairs per job): ``read_jsplib(p)``."""
    values = _numbers(path)
    if len(values) < 2:
        raise InstanceFormatError(f"{path.name}: missing the 'jobs machines' header")
    n_jobs, n_machines = values[0], values[1]
    if len(values) != 2 + 2 * n_jobs * n_machines:
        raise InstanceFormatError(f"{path.name}: expected {n_jobs}x{n_machines} machine/duration pairs")
    jobs: list[Job] = []
    pos = 2
    for j in range(n_jobs):
        ops: list[Operation] = []
        for _ in range(n_machines):
            machine, duration = values[pos], values[pos + 1]
            pos += 2
            if not 0 <= machine < n_machines or duration < 0:
                raise InstanceFormatError(f"{path.name}: bad machine {machine} or duration {duration}")
            ops.append(Operation(((machine, duration),)))
        jobs.append(Job(tuple(ops), name=f"J{j}"))
    machines = tuple(WorkCentre(f"M{m}") for m in range(n_machines))
    return ShopProblem(tuple(jobs), machines, name=path.stem)


def read_fjs(path: Path) -> ShopProblem:
    """Read an FJSPLIB file (machines numbered from 1 in the file, from 0 in the result): ``read_fjs(p)``."""
    lines = [
        ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not lines:
        raise InstanceFormatError(f"{path.name}: empty file")
    header = lines[0].split()
    try:
        # The third header number (average alternatives per operation) is informative and may be a float.
        n_jobs, n_machines = int(header[0]), int(header[1])
        values = [int(tok) for ln in lines[1:] for tok in ln.split()]
    except (ValueError, IndexError) as exc:
        raise InstanceFormatError(f"{path.name}: not an FJSPLIB file ({exc})") from exc
    pos = 0
    jobs: list[Job] = []
    try:
        for j in range(n_jobs):
            n_ops = values[pos]
            pos += 1
            ops: list[Operation] = []
            for _ in range(n_ops):
                k = values[pos]
                pos += 1
                alts: list[tuple[int, int]] = []
                for _ in range(k):
                    machine, duration = values[pos] - 1, values[pos + 1]
                    pos += 2
                    if not 0 <= machine < n_machines or duration < 0:
                        raise InstanceFormatError(f"{path.name}: bad machine {machine + 1} or duration {duration}")
                    alts.append((machine, duration))
                if not alts:
                    raise InstanceFormatError(f"{path.name}: an operation of job {j + 1} has no machine")
                ops.append(Operation(tuple(alts)))
            jobs.append(Job(tuple(ops), name=f"J{j}"))
    except IndexError as exc:
        raise InstanceFormatError(f"{path.name}: the file ends before job data is complete") from exc
    if pos != len(values):
        raise InstanceFormatError(f"{path.name}: unexpected data after the last job")
    machines = tuple(WorkCentre(f"M{m}") for m in range(n_machines))
    return ShopProblem(tuple(jobs), machines, name=path.stem)
