"""Reserve borrowing on CP-SAT: ship the most value today while every reserved order stays covered in time.

Per item, the timeline fixes how many units may leave today (``lendable_today``); the choice of orders is then
a multi-dimensional knapsack over the items that are actually scarce. Orders connected through scarce items
form independent components, solved one by one, so thousands of orders stay fast.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from optimizer.borrowing.explain import loan_text, summary_lines
from optimizer.borrowing.model import (
    BorrowingProblem,
    BorrowingProposal,
    Line,
    Loan,
    Reservation,
    Shipment,
    WaitingOrder,
)
from optimizer.borrowing.timeline import STOCK, Piece, allocate, edf_order, lendable_today, supply_stream, tail


@dataclass(frozen=True)
class _Variant:
    """One way to ship an order: its lines, per-item totals and value."""

    name: str
    lines: tuple[Line, ...]
    qty: dict[str, int]
    value: int


def _totals(lines: Sequence[Line]) -> dict[str, int]:
    """Quantity per item of a list of lines: ``_totals([Line("a", 2), Line("a", 3)]) == {"a": 5}``."""
    out: dict[str, int] = defaultdict(int)
    for line in lines:
        out[line.item] += line.qty
    return dict(out)


def _variants(order: WaitingOrder, cap: dict[str, int]) -> list[_Variant]:
    """The order's variants that fit the per-item caps on their own (whole first)."""
    options = [_Variant("whole", order.lines, _totals(order.lines), order.value)]
    if order.partial_lines:
        options.append(_Variant("partial", order.partial_lines, _totals(order.partial_lines), order.partial_value))
    return [v for v in options if v.value > 0 and v.qty and all(q <= cap.get(item, 0) for item, q in v.qty.items())]


class _Components:
    """Union-find over order indices."""

    def __init__(self, n: int) -> None:
        """``_Components(5)`` starts with five singletons."""
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        """Representative of ``a``'s set, with path halving."""
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        """Merge the sets of ``a`` and ``b`` (the smaller index becomes the root, for determinism)."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _caps(problem: BorrowingProblem, items: set[str]) -> dict[str, int]:
    """Units of each item that may leave today."""
    by_item_res: dict[str, list[Reservation]] = defaultdict(list)
    for r in problem.reservations:
        by_item_res[r.item].append(r)
    by_item_in = defaultdict(list)
    for s in problem.inbound:
        by_item_in[s.item].append(s)
    return {
        item: lendable_today(
            problem.today, problem.on_hand.get(item, 0), by_item_res[item], by_item_in[item], problem.margin_days
        )
        for item in items
    }


def _solve_component(
    members: list[int],
    options: list[list[_Variant]],
    cap: dict[str, int],
    scarce: set[str],
    time_limit: float,
    num_workers: int,
    seed: int,
    deterministic: bool,
) -> tuple[dict[int, _Variant], bool]:
    """Best variant choice for one component; returns the choice and whether it is proven optimal."""
    if len(members) == 1:
        best = max(options[members[0]], key=lambda v: (v.value, v.name == "whole"))
        return {members[0]: best}, True
    model = cp_model.CpModel()
    chosen: dict[tuple[int, int], cp_model.IntVar] = {}
    usage: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    objective = []
    for o in members:
        literals = []
        for k, variant in enumerate(options[o]):
            x = model.new_bool_var(f"x{o}_{k}")
            chosen[(o, k)] = x
            literals.append(x)
            objective.append(variant.value * x)
            for item, qty in variant.qty.items():
                if item in scarce:
                    usage[item].append((qty, x))
        model.add_at_most_one(literals)
    for item, terms in usage.items():
        model.add(sum(q * x for q, x in terms) <= cap[item])
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, num_workers)
    solver.parameters.random_seed = seed
    if deterministic:
        solver.parameters.max_deterministic_time = time_limit
        solver.parameters.interleave_search = num_workers > 1
    else:
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    status = solver.solve(model)
    picked: dict[int, _Variant] = {}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (o, k), x in chosen.items():
            if solver.boolean_value(x):
                picked[o] = options[o][k]
    return picked, status == cp_model.OPTIMAL


def propose_borrowing(
    problem: BorrowingProblem,
    *,
    time_limit: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    deterministic: bool = False,
) -> BorrowingProposal:
    """Choose the waiting orders to ship today and the loans that make it possible: ``propose_borrowing(p)``.

    Objective: maximise the total value shipped today. Constraint: for every item, after today's shipments,
    cumulative supply (stock + inbound by date) covers cumulative reserved need at each deadline minus the margin.
    """
    started = time.monotonic()
    waiting = list(problem.waiting)
    cap = _caps(problem, {line.item for o in waiting for line in (*o.lines, *o.partial_lines)})
    options = [_variants(o, cap) for o in waiting]
    peak: dict[str, int] = defaultdict(int)
    for variants in options:
        most: dict[str, int] = defaultdict(int)
        for v in variants:
            for item, qty in v.qty.items():
                most[item] = max(most[item], qty)
        for item, qty in most.items():
            peak[item] += qty
    scarce = {item for item, total in peak.items() if total > cap[item]}
    groups = _group(options, scarce)
    picked: dict[int, _Variant] = {}
    proven = True
    total_size = sum(len(g) for g in groups) or 1
    for members in groups:
        spent = time.monotonic() - started
        budget = max(0.05, (time_limit * 0.8 - spent) * len(members) / total_size)
        total_size -= len(members)
        choice, optimal = _solve_component(members, options, cap, scarce, budget, num_workers, seed, deterministic)
        picked.update(choice)
        proven = proven and optimal
    shipments = tuple(
        Shipment(waiting[o].order, v.name, v.lines, v.value) for o, v in sorted(picked.items(), key=lambda kv: kv[0])
    )
    loans, free_used, borrowed = _loans(problem, shipments)
    value = sum(s.value for s in shipments)
    proposal = BorrowingProposal(
        shipments=shipments,
        loans=tuple(loans),
        value_shipped=value,
        value_waiting=sum(o.value for o in waiting),
        units_from_free_stock=free_used,
        units_borrowed=borrowed,
        status="optimal" if proven else "feasible",
        seconds=time.monotonic() - started,
        components=len(groups),
    )
    return _with_explanation(problem, proposal)


def _group(options: list[list[_Variant]], scarce: set[str]) -> list[list[int]]:
    """Orders with at least one variant, grouped by shared scarce items (largest group first)."""
    uf = _Components(len(options))
    first_user: dict[str, int] = {}
    for o, variants in enumerate(options):
        for v in variants:
            for item in v.qty:
                if item in scarce:
                    if item in first_user:
                        uf.union(first_user[item], o)
                    else:
                        first_user[item] = o
    groups: dict[int, list[int]] = defaultdict(list)
    for o, variants in enumerate(options):
        if variants:
            groups[uf.find(o)].append(o)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _loans(problem: BorrowingProblem, shipments: Sequence[Shipment]) -> tuple[list[Loan], int, int]:
    """Which reservations lend to which shipments, and which inbound gives the units back."""
    out_today: dict[str, list[tuple[Shipment, int]]] = defaultdict(list)
    for shipment in shipments:
        for item, qty in _totals(shipment.lines).items():
            out_today[item].append((shipment, qty))
    by_item_res: dict[str, list[Reservation]] = defaultdict(list)
    for r in problem.reservations:
        by_item_res[r.item].append(r)
    by_item_in = defaultdict(list)
    for s in problem.inbound:
        by_item_in[s.item].append(s)
    loans: list[Loan] = []
    free_total = 0
    borrowed_total = 0
    for item in sorted(out_today):
        stock = problem.on_hand.get(item, 0)
        taken = sum(q for _, q in out_today[item])
        queue = edf_order(by_item_res[item], problem.margin_days)
        before = allocate(supply_stream(problem.today, stock, by_item_in[item]), queue)
        after = allocate(supply_stream(problem.today, stock - taken, by_item_in[item]), queue)
        lent: list[tuple[Reservation, Piece]] = []
        # Latest need date lends first: its replacement supply has the most time to arrive.
        for r, pb, pa in reversed(list(zip(queue, before, after, strict=True))):
            count = _stock_units(pb) - _stock_units(pa)
            lent.extend((r, piece) for piece in tail(pa, count))
        borrowed = sum(p.qty for _, p in lent)
        free = taken - borrowed
        free_total += free
        borrowed_total += borrowed
        loans.extend(_pair(item, out_today[item], free, lent))
    return loans, free_total, borrowed_total


def _stock_units(pieces: Sequence[Piece]) -> int:
    """Units of a coverage list that come from today's stock."""
    return sum(p.qty for p in pieces if p.source == STOCK)


def _pair(
    item: str, takers: list[tuple[Shipment, int]], free: int, lent: list[tuple[Reservation, Piece]]
) -> list[Loan]:
    """Give free stock to the most valuable shipments first, then hand out lent pieces in order."""
    loans: list[Loan] = []
    pieces = list(lent)
    for shipment, qty in sorted(takers, key=lambda t: (-t[0].value, t[0].order)):
        use_free = min(free, qty)
        free -= use_free
        need = qty - use_free
        while need > 0 and pieces:
            reservation, piece = pieces[0]
            take = min(need, piece.qty)
            loan = Loan(
                loan_id=f"{item}/{reservation.order}/{shipment.order}/{piece.source}",
                lender=reservation.order,
                borrower=shipment.order,
                item=item,
                qty=take,
                repayment_source=piece.source,
                repayment_date=piece.when,
                lender_deadline=reservation.deadline,
            )
            loans.append(replace(loan, explanation=loan_text(loan)))
            need -= take
            if take == piece.qty:
                pieces.pop(0)
            else:
                pieces[0] = (reservation, Piece(piece.source, piece.qty - take, piece.when))
    return _merge_same(loans)


def _merge_same(loans: list[Loan]) -> list[Loan]:
    """One loan per (lender, borrower, source): pieces of the same supply are summed."""
    merged: dict[str, Loan] = {}
    for loan in loans:
        if loan.loan_id in merged:
            prev = merged[loan.loan_id]
            summed = replace(prev, qty=prev.qty + loan.qty)
            merged[loan.loan_id] = replace(summed, explanation=loan_text(summed))
        else:
            merged[loan.loan_id] = loan
    return list(merged.values())


def _with_explanation(problem: BorrowingProblem, proposal: BorrowingProposal) -> BorrowingProposal:
    """Attach the summary lines (objective figures, shipments, pre-existing shortages)."""
    return replace(proposal, explanation=tuple(summary_lines(problem, proposal)))
