"""Independent verification of a borrowing proposal; deliberately shares no code with the solver's timeline."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from optimizer.borrowing.model import BorrowingProblem, BorrowingProposal


def check_proposal(problem: BorrowingProblem, proposal: BorrowingProposal) -> list[str]:
    """Every broken rule as a sentence; empty means the proposal is safe: ``assert not check_proposal(p, prop)``."""
    errors = _check_shipments(problem, proposal)
    taken: Counter[str] = Counter()
    for shipment in proposal.shipments:
        for line in shipment.lines:
            taken[line.item] += line.qty
    for item, qty in sorted(taken.items()):
        errors.extend(_check_item(problem, item, qty))
    errors.extend(_check_loans(problem, proposal, taken))
    return errors


def _check_shipments(problem: BorrowingProblem, proposal: BorrowingProposal) -> list[str]:
    """Each shipped order is a waiting order, appears once and ships exactly its whole or partial lines."""
    errors: list[str] = []
    orders = {o.order: o for o in problem.waiting}
    seen: set[str] = set()
    for s in proposal.shipments:
        order = orders.get(s.order)
        if order is None:
            errors.append(f"order {s.order} is not waiting for stock")
            continue
        if s.order in seen:
            errors.append(f"order {s.order} ships twice")
        seen.add(s.order)
        expected = order.lines if s.variant == "whole" else order.partial_lines if s.variant == "partial" else None
        if not expected or Counter(s.lines) != Counter(expected):
            errors.append(f"order {s.order} ships lines that are neither the whole order nor its agreed partial")
    return errors


def _check_item(problem: BorrowingProblem, item: str, qty: int) -> list[str]:
    """After ``qty`` leaves today, cumulative supply covers cumulative need at every deadline minus margin."""
    errors: list[str] = []
    stock = problem.on_hand.get(item, 0)
    if qty > stock:
        errors.append(f"{item}: {qty} units ship today but only {stock} are on hand")
    margin = timedelta(days=problem.margin_days)
    reserved = [r for r in problem.reservations if r.item == item]
    arrivals = [(max(s.eta, problem.today), s.qty) for s in problem.inbound if s.item == item]
    for r in reserved:
        by = r.deadline - margin
        need = sum(other.qty for other in reserved if other.deadline - margin <= by)
        supply = stock - qty + sum(q for when, q in arrivals if when <= by)
        if need > supply:
            errors.append(
                f"{item}: by {by.isoformat()} (order {r.order}'s deadline minus margin) {need} units are needed "
                f"but only {supply} are available"
            )
    return errors


def _check_loans(problem: BorrowingProblem, proposal: BorrowingProposal, taken: Counter[str]) -> list[str]:
    """Loans add up, lend only reserved units, go to shipped orders and are repaid by real, timely supply."""
    errors: list[str] = []
    reserved: Counter[tuple[str, str]] = Counter()
    deadline: dict[tuple[str, str], date] = {}
    for r in problem.reservations:
        reserved[(r.order, r.item)] += r.qty
        deadline[(r.order, r.item)] = min(deadline.get((r.order, r.item), r.deadline), r.deadline)
    shipped: Counter[tuple[str, str]] = Counter()
    for s in proposal.shipments:
        for line in s.lines:
            shipped[(s.order, line.item)] += line.qty
    supplies = {(s.source, s.item): s for s in problem.inbound}
    lent: Counter[tuple[str, str]] = Counter()
    received: Counter[tuple[str, str]] = Counter()
    per_item: Counter[str] = Counter()
    per_source: Counter[tuple[str, str]] = Counter()
    for loan in proposal.loans:
        if loan.qty <= 0:
            errors.append(f"loan {loan.loan_id} has no units")
        lent[(loan.lender, loan.item)] += loan.qty
        received[(loan.borrower, loan.item)] += loan.qty
        per_item[loan.item] += loan.qty
        per_source[(loan.repayment_source, loan.item)] += loan.qty
        supply = supplies.get((loan.repayment_source, loan.item))
        if supply is None:
            errors.append(f"loan {loan.loan_id} is repaid by {loan.repayment_source}, which brings no {loan.item}")
            continue
        arrives = max(supply.eta, problem.today)
        if arrives != loan.repayment_date:
            errors.append(f"loan {loan.loan_id}: repayment date differs from the supply's arrival")
        latest = deadline.get((loan.lender, loan.item))
        if latest is not None and arrives > latest - timedelta(days=problem.margin_days):
            errors.append(f"loan {loan.loan_id} is repaid after the lender's deadline minus margin")
    for key, qty in lent.items():
        if qty > reserved.get(key, 0):
            errors.append(f"order {key[0]} lends {qty} of {key[1]} but has only {reserved.get(key, 0)} reserved")
    for key, qty in received.items():
        if qty > shipped.get(key, 0):
            errors.append(f"order {key[0]} borrows {qty} of {key[1]} but ships {shipped.get(key, 0)}")
    for key, qty in per_source.items():
        supply = supplies.get(key)
        if supply is not None and qty > supply.qty:
            errors.append(f"supply {key[0]} repays {qty} of {key[1]} but brings only {supply.qty}")
    for item in set(taken) | set(per_item):
        free = max(0, problem.on_hand.get(item, 0) - sum(r.qty for r in problem.reservations if r.item == item))
        expected = max(0, taken[item] - free)
        if per_item[item] != expected:
            errors.append(f"{item}: loans cover {per_item[item]} units, but {expected} units come from reserves")
    return errors
