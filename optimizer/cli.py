"""Bench commands for the optimizer; central's ``stockyard bench`` group mounts these command objects."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from optimizer.benchdata import best_known_makespan
from optimizer.production import check_schedule, read_fjs, read_jsplib, solve_shop
from optimizer.production.model import ShopProblem
from optimizer.production.readers import InstanceFormatError


def _instance_files(path: Path, suffixes: Sequence[str]) -> list[Path]:
    """One file, or every file with one of ``suffixes`` in a folder (or its ``instances/``), sorted by name."""
    if path.is_file():
        return [path]
    folder = path / "instances" if (path / "instances").is_dir() else path
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        raise click.BadParameter(f"no {'/'.join(suffixes)} instance files in {path}.")
    return files


def _gap(value: float, reference: float | None) -> float | None:
    """Percent above the reference, two decimals: ``_gap(101.0, 100.0) == 1.0``."""
    if reference is None or reference == 0:
        return None
    return round(100.0 * (value - reference) / reference, 2)


def _mean(values: Sequence[float | None]) -> float | None:
    """Mean of the known values: ``_mean([1.0, None, 3.0]) == 2.0``."""
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain aligned text table of the chosen columns."""
    cells = [[("" if row.get(c) is None else str(row.get(c))) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


_READERS: dict[str, tuple[Callable[[Path], ShopProblem], tuple[str, ...]]] = {
    "jsplib": (read_jsplib, (".txt", ".jss", ".jsp")),
    "fjs": (read_fjs, (".fjs", ".txt")),
}


@click.command("jobshop")
@click.option(
    "--instance",
    "instances",
    required=True,
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="An instance file or a folder of them; repeat for several.",
)
@click.option("--format", "fmt", type=click.Choice(sorted(_READERS)), default="jsplib", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds each.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="CP-SAT search workers.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def jobshop_bench(
    instances: tuple[Path, ...], fmt: str, time_limit: float, workers: int, seed: int, as_json: bool
) -> None:
    """Solve job-shop (JSPLIB) or flexible job-shop (FJS) instances and compare with the best known makespan."""
    reader, suffixes = _READERS[fmt]
    rows: list[dict[str, Any]] = []
    for path in [p for given in instances for p in _instance_files(given, suffixes)]:
        try:
            problem = reader(path)
        except InstanceFormatError as exc:
            raise click.ClickException(f"cannot read {path.name} as {fmt}: {exc}.") from exc
        result = solve_shop(problem, time_limit=time_limit, num_workers=workers, seed=seed)
        errors = check_schedule(problem, result.schedule) if result.schedule else ["no schedule"]
        best = best_known_makespan(path)
        rows.append(
            {
                "instance": path.stem,
                "makespan": result.makespan,
                "best_known": best,
                "gap": _gap(result.makespan, best) if result.makespan is not None else None,
                "lower_bound": result.makespan_lower_bound,
                "status": result.status,
                "feasible": not errors,
                "seconds": round(result.wall_seconds, 2),
                "schedule": [row.as_list() for row in result.schedule],
            }
        )
        click.echo(f"{path.stem}: makespan {result.makespan} (best {best}) in {result.wall_seconds:.1f} s", err=True)
    summary = {"instances": len(rows), "mean_gap": _mean([r["gap"] for r in rows]), "time_limit": time_limit}
    if as_json:
        click.echo(json.dumps({"results": rows, "summary": summary}, ensure_ascii=False))
    else:
        click.echo(_table(rows, _JOBSHOP_COLUMNS))
        click.echo(f"mean gap {summary['mean_gap']} % over {len(rows)} instances")


_JOBSHOP_COLUMNS = ("instance", "makespan", "best_known", "gap", "lower_bound", "status", "feasible", "seconds")
