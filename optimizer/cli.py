"""Bench commands for the optimizer; central's ``stockyard bench`` group mounts these command objects."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from optimizer.benchdata import best_known_makespan, best_known_routes
from optimizer.borrowing import check_proposal, generate, propose_borrowing
from optimizer.production import check_schedule, read_fjs, read_jsplib, solve_shop
from optimizer.production.model import ShopProblem
from optimizer.production.readers import InstanceFormatError
from optimizer.routes.solomon import (
    SolomonFormatError,
    SolomonInstance,
    generate_solomon,
    read_solomon,
    solve_solomon,
)


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


_ROUTES_COLUMNS = (
    "instance",
    "vehicles",
    "distance",
    "vroom_vehicles",
    "vroom_distance",
    "vs_vroom",
    "best_known",
    "gap",
    "feasible",
    "seconds",
)


def _solomon_instances(
    paths: Sequence[Path], generate_n: int | None, seed: int
) -> list[tuple[Path | None, SolomonInstance]]:
    """Instances from files and folders, or freshly generated ones (R1, C1, RC1 styles in turn)."""
    if generate_n is not None:
        kinds = ("R1", "C1", "RC1")
        return [(None, generate_solomon(100, seed + k, kind=kinds[k % 3])) for k in range(generate_n)]
    if not paths:
        raise click.UsageError("give --solomon FILE_OR_DIR or --generate N.")
    found: list[tuple[Path | None, SolomonInstance]] = []
    for given in paths:
        for path in _instance_files(given, (".txt",)):
            try:
                found.append((path, read_solomon(path)))
            except SolomonFormatError as exc:
                raise click.ClickException(f"{exc}.") from exc
    return found


@click.command("routes")
@click.option(
    "--solomon",
    "paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A Solomon VRPTW file or a folder of them; repeat for several.",
)
@click.option("--generate", "generate_n", type=click.IntRange(min=1), help="Solve N fresh 100-customer instances.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --generate.")
@click.option("--time-limit", type=click.FloatRange(min=1.0), default=30.0, show_default=True, help="Seconds each.")
@click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True, help="VROOM threads / GLS runs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def routes_bench(
    paths: tuple[Path, ...], generate_n: int | None, seed: int, time_limit: float, threads: int, as_json: bool
) -> None:
    """Solve Solomon VRPTW instances (vehicles, then distance) and print pyvroom's result of the same run beside."""
    rows: list[dict[str, Any]] = []
    for path, instance in _solomon_instances(paths, generate_n, seed):
        result = solve_solomon(instance, time_limit=time_limit, threads=threads)
        best = best_known_routes(path) if path is not None else None
        name = path.stem if path is not None else instance.name
        rows.append(
            {
                "instance": name,
                "vehicles": result.vehicles,
                "distance": round(result.distance, 4),
                "routes": [list(r) for r in result.routes],
                "best_known": best,
                "gap": _gap(result.distance, best["distance"]) if best else None,
                "gap_distance_only": _gap(result.distance, best["distance_only_distance"]) if best else None,
                "vroom_vehicles": result.vroom_vehicles,
                "vroom_distance": None if result.vroom_distance is None else round(result.vroom_distance, 4),
                "vs_vroom": _gap(result.distance, result.vroom_distance),
                "feasible": not result.errors,
                "errors": list(result.errors),
                "seconds": round(result.seconds, 2),
            }
        )
        click.echo(f"{name}: {result.vehicles} vans, {result.distance:.2f} (vroom {result.vroom_distance})", err=True)
    summary = {
        "instances": len(rows),
        "mean_distance": _mean([r["distance"] for r in rows]),
        "mean_vroom_distance": _mean([r["vroom_distance"] for r in rows]),
        "mean_vs_vroom": _mean([r["vs_vroom"] for r in rows]),
        "mean_gap": _mean([r["gap"] for r in rows]),
        "vehicles": sum(r["vehicles"] for r in rows),
        "all_feasible": all(r["feasible"] for r in rows),
        "time_limit": time_limit,
    }
    if as_json:
        click.echo(json.dumps({"results": rows, "summary": summary}, ensure_ascii=False))
    else:
        table_rows = [{**r, "best_known": (r["best_known"] or {}).get("distance")} for r in rows]
        click.echo(_table(table_rows, _ROUTES_COLUMNS))
        click.echo(
            f"mean distance {summary['mean_distance']} vs vroom {summary['mean_vroom_distance']} "
            f"({summary['mean_vs_vroom']} %), vehicles {summary['vehicles']}, all feasible: {summary['all_feasible']}"
        )


@click.command("borrowing")
@click.option("--orders", type=click.IntRange(min=1), default=5000, show_default=True, help="Open orders to generate.")
@click.option("--items", type=click.IntRange(min=1), default=2000, show_default=True, help="Items to generate.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="CP-SAT search workers.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def borrowing_bench(orders: int, items: int, seed: int, time_limit: float, workers: int, as_json: bool) -> None:
    """Propose borrowing from reserves on a synthetic company and verify it with the independent checker."""
    problem = generate(orders, items, seed)
    proposal = propose_borrowing(problem, time_limit=time_limit, num_workers=workers, seed=seed)
    errors = check_proposal(problem, proposal)
    row = {
        "orders": orders,
        "items": items,
        "seed": seed,
        "waiting_orders": len(problem.waiting),
        "reservations": len(problem.reservations),
        "solve_seconds": round(proposal.seconds, 3),
        "status": proposal.status,
        "components": proposal.components,
        "shipped_orders": len(proposal.shipments),
        "value_shipped": proposal.value_shipped,
        "value_waiting": proposal.value_waiting,
        "loans": len(proposal.loans),
        "units_borrowed": proposal.units_borrowed,
        "units_from_free_stock": proposal.units_from_free_stock,
        "checker": "pass" if not errors else "fail",
        "checker_errors": errors[:20],
    }
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False))
    else:
        for key, value in row.items():
            click.echo(f"{key}: {value}")
    if errors:
        raise click.ClickException(f"the checker rejected the proposal: {errors[0]}")
