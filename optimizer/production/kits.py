"""Release times from kit completeness (PROD-4): a task may start once all its components are at hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class KitComponent:
    """``qty`` units of ``item`` needed by a task: ``KitComponent("винт М6", 40)``."""

    item: str
    qty: int


@dataclass(frozen=True)
class KitRequest:
    """A task's kit and its due date (earlier due dates get components first): ``KitRequest("T1", 480, comps)``."""

    task: str
    due: int
    components: tuple[KitComponent, ...]


def kit_releases(
    requests: Sequence[KitRequest],
    on_hand: Mapping[str, int],
    arrivals: Mapping[str, Sequence[tuple[int, int]]],
) -> dict[str, int | None]:
    """Release time per task: 0 if on hand, else when arrivals complete the kit, None if never.

    ``kit_releases([KitRequest("T1", 480, (KitComponent("a", 5),))], {"a": 2}, {"a": [(120, 10)]}) == {"T1": 120}``.
    Tasks are served in due-date order, so a scarce component goes to the most urgent task first.
    """
    stock = dict(on_hand)
    incoming = {item: sorted(batches) for item, batches in arrivals.items()}
    used_incoming: dict[str, int] = {}
    releases: dict[str, int | None] = {}
    for request in sorted(requests, key=lambda r: (r.due, r.task)):
        release: int | None = 0
        plan: list[tuple[str, int, int]] = []  # item, from stock, from arrivals
        for comp in request.components:
            from_stock = min(comp.qty, stock.get(comp.item, 0))
            short = comp.qty - from_stock
            ready = _arrival_time(incoming.get(comp.item, ()), used_incoming.get(comp.item, 0), short)
            if ready is None:
                release = None
                break
            if release is not None:
                release = max(release, ready)
            plan.append((comp.item, from_stock, short))
        releases[request.task] = release
        if release is None:
            continue  # an incomplete kit takes nothing, so later tasks can still be completed
        for item, from_stock, short in plan:
            stock[item] = stock.get(item, 0) - from_stock
            used_incoming[item] = used_incoming.get(item, 0) + short
    return releases


def _arrival_time(batches: Sequence[tuple[int, int]], already_used: int, short: int) -> int | None:
    """When cumulative arrivals cover ``already_used + short`` units: ``_arrival_time([(5, 3)], 0, 2) == 5``."""
    if short <= 0:
        return 0
    need = already_used + short
    total = 0
    for time, qty in batches:
        total += qty
        if total >= need:
            return time
    return None
