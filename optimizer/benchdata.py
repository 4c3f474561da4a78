"""Best-known values shipped next to the public benchmark instances (``optimum.csv``, ``bks.csv``)."""

from __future__ import annotations

import csv
from pathlib import Path


def _table_near(instance: Path, names: tuple[str, ...]) -> Path | None:
    """The metadata table in the instance's folder or up to two parents: ``_table_near(p, ("bks.csv",))``."""
    instance = instance.resolve()
    folder = instance if instance.is_dir() else instance.parent
    for candidate_dir in (folder, folder.parent, folder.parent.parent):
        for name in names:
            table = candidate_dir / name
            if table.is_file():
                return table
    return None


def best_known_makespan(instance: Path) -> int | None:
    """The optimum, else the best upper bound, from ``optimum.csv``: ``best_known_makespan(Path("ft06.txt")) == 55``."""
    table = _table_near(instance, ("optimum.csv",))
    if table is None:
        return None
    with table.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("instance", "").lower() == instance.stem.lower():
                value = row.get("optimum_makespan") or row.get("upper_bound") or ""
                return int(value) if value.strip() else None
    return None


def best_known_routes(instance: Path) -> dict[str, float] | None:
    """Best known Solomon figures from ``bks.csv``: hierarchical vehicles/distance and the distance-only record.

    ``best_known_routes(Path(".../C101.txt"))["distance"] == 828.94``.
    """
    table = _table_near(instance, ("bks.csv",))
    if table is None:
        return None
    with table.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("instance", "").upper() == instance.stem.upper():
                return {
                    "vehicles": int(row["bks_vehicles"]),
                    "distance": float(row["bks_distance"]),
                    "distance_only_vehicles": int(row["distobj_vehicles"]),
                    "distance_only_distance": float(row["distobj_distance"]),
                }
    return None
