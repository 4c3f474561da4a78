"""The dispatcher's review of a borrowing proposal, without I/O (DISP-2, OPT-1).

What is stored with a proposal (its input snapshot, result, figures and the difference from the current plan)
and why a stored proposal no longer fits the current state (``stale_reasons``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from optimizer.borrowing import (
    BorrowingProblem,
    BorrowingProposal,
    Inbound,
    Line,
    Loan,
    Reservation,
    Shipment,
    WaitingOrder,
    check_proposal,
)

OPEN_STATUSES = ("draft", "confirmed")  # the order statuses central.dispatch.borrowing reads as open
ORDER_STATUS_TITLES = {
    "draft": "черновик",
    "confirmed": "подтверждён",
    "picking": "на сборке",
    "shipped": "отгружен",
    "completed": "выполнен",
    "cancelled": "отменён",
}

Json = dict[str, Any]


def snapshot(problem: BorrowingProblem) -> Json:
    """The input as stored with the proposal: every waiting order, and the stock, reserves and supply of the items
    they need (enough to re-run the checker and to show the situation): ``snapshot(problem)["today"]``."""
    items = {line.item for o in problem.waiting for line in (*o.lines, *o.partial_lines)}
    return {
        "today": problem.today.isoformat(),
        "margin_days": problem.margin_days,
        "on_hand": {item: qty for item, qty in sorted(problem.on_hand.items()) if item in items},
        "reservations": [
            [r.order, r.item, r.qty, r.deadline.isoformat(), r.priority]
            for r in problem.reservations
            if r.item in items
        ],
        "inbound": [[s.source, s.item, s.qty, s.eta.isoformat()] for s in problem.inbound if s.item in items],
        "waiting": [
            {
                "order": o.order,
                "lines": [[x.item, x.qty] for x in o.lines],
                "value": o.value,
                "partial_lines": [[x.item, x.qty] for x in o.partial_lines],
                "partial_value": o.partial_value,
            }
            for o in problem.waiting
        ],
    }


def problem_from_snapshot(data: Mapping[str, Any]) -> BorrowingProblem:
    """The stored snapshot back as the optimizer's input: ``problem_from_snapshot(snapshot(p))``."""
    return BorrowingProblem(
        today=dt.date.fromisoformat(data["today"]),
        on_hand=dict(data["on_hand"]),
        reservations=tuple(
            Reservation(order, item, qty, dt.date.fromisoformat(deadline), priority)
            for order, item, qty, deadline, priority in data["reservations"]
        ),
        inbound=tuple(
            Inbound(source, item, qty, dt.date.fromisoformat(eta)) for source, item, qty, eta in data["inbound"]
        ),
        waiting=tuple(
            WaitingOrder(
                o["order"],
                _lines(o["lines"]),
                o["value"],
                _lines(o["partial_lines"]),
                o["partial_value"],
            )
            for o in data["waiting"]
        ),
        margin_days=data["margin_days"],
    )


def result(proposal: BorrowingProposal) -> Json:
    """The proposal's shipments and loans as stored: ``result(p)["loans"][0]["lender"]``."""
    return {
        "shipments": [
            {"order": s.order, "variant": s.variant, "lines": [[x.item, x.qty] for x in s.lines], "value": s.value}
            for s in proposal.shipments
        ],
        "loans": [
            {
                "loan_id": x.loan_id,
                "lender": x.lender,
                "borrower": x.borrower,
                "item": x.item,
                "qty": x.qty,
                "repayment_source": x.repayment_source,
                "repayment_date": x.repayment_date.isoformat(),
                "lender_deadline": x.lender_deadline.isoformat(),
                "explanation": x.explanation,
            }
            for x in proposal.loans
        ],
    }


def figures(problem: BorrowingProblem, proposal: BorrowingProposal) -> Json:
    """Objective figures shown to the dispatcher (money in kopecks): ``figures(p, prop)["value_shipped_kop"]``."""
    return {
        "shipped_orders": len(proposal.shipments),
        "waiting_orders": len(problem.waiting),
        "value_shipped_kop": proposal.value_shipped,
        "value_waiting_kop": proposal.value_waiting,
        "units_borrowed": proposal.units_borrowed,
        "units_from_free_stock": proposal.units_from_free_stock,
        "loans": len(proposal.loans),
        "solve_seconds": round(proposal.seconds, 3),
        "solver_status": proposal.status,
        "components": proposal.components,
        "margin_days": problem.margin_days,
    }


def proposal_from_stored(stored: Mapping[str, Any], figures: Mapping[str, Any]) -> BorrowingProposal:
    """The stored result back as the optimizer's proposal, for the checker: ``proposal_from_stored(r, f)``."""
    return BorrowingProposal(
        shipments=tuple(
            Shipment(s["order"], s["variant"], _lines(s["lines"]), s["value"]) for s in stored["shipments"]
        ),
        loans=tuple(
            Loan(
                loan_id=x["loan_id"],
                lender=x["lender"],
                borrower=x["borrower"],
                item=x["item"],
                qty=x["qty"],
                repayment_source=x["repayment_source"],
                repayment_date=dt.date.fromisoformat(x["repayment_date"]),
                lender_deadline=dt.date.fromisoformat(x["lender_deadline"]),
                explanation=x["explanation"],
            )
            for x in stored["loans"]
        ),
        value_shipped=figures["value_shipped_kop"],
        value_waiting=figures["value_waiting_kop"],
        units_from_free_stock=figures["units_from_free_stock"],
        units_borrowed=figures["units_borrowed"],
        status=figures["solver_status"],
        seconds=figures["solve_seconds"],
        components=figures["components"],
    )


def explanation(proposal: BorrowingProposal) -> list[str]:
    """The Russian lines a dispatcher reads: the optimizer's summary, then one sentence per loan."""
    return [*proposal.explanation, *(x.explanation for x in proposal.loans)]


def plan_diff(problem: BorrowingProblem, proposal: BorrowingProposal) -> list[Json]:
    """What accepting changes in the reservations, per order and item, with a Russian note.

    ``before``/``after`` are the units reserved for the order from what is on hand; a lender's lent units are
    reserved again from the supply that repays them (``awaiting``).
    """
    reserved: Counter[tuple[str, str]] = Counter()
    for r in problem.reservations:
        reserved[(r.order, r.item)] += r.qty
    lent: dict[tuple[str, str], list[Loan]] = defaultdict(list)
    borrowed: Counter[tuple[str, str]] = Counter()
    for loan in proposal.loans:
        lent[(loan.lender, loan.item)].append(loan)
        borrowed[(loan.borrower, loan.item)] += loan.qty
    rows: list[Json] = []
    for s in proposal.shipments:
        for item, qty in sorted(_totals(s.lines).items()):
            before = reserved[(s.order, item)]
            loaned = borrowed[(s.order, item)]
            parts = [f"из резервов других заказов {loaned} шт"] if loaned else []
            if qty - loaned:
                parts.append(f"из свободного остатка {qty - loaned} шт")
            rows.append(
                {
                    "order": s.order,
                    "item": item,
                    "role": "borrower",
                    "before": before,
                    "after": before + qty,
                    "awaiting": [],
                    "note": f"Резервируется {qty} шт. для отгрузки сегодня: " + ", ".join(parts),
                }
            )
    for (order, item), loans in sorted(lent.items()):
        before = reserved[(order, item)]
        qty = sum(x.qty for x in loans)
        awaiting = [[x.repayment_source, x.qty, x.repayment_date.isoformat()] for x in loans]
        back = "; ".join(f"{x.qty} шт. с поставкой {x.repayment_source} к {x.repayment_date:%d.%m.%Y}" for x in loans)
        rows.append(
            {
                "order": order,
                "item": item,
                "role": "lender",
                "before": before,
                "after": before - qty,
                "awaiting": awaiting,
                "note": f"Отдаёт взаймы {qty} шт.; вернутся: {back}.",
            }
        )
    return rows


def stale_reasons(current: BorrowingProblem, proposal: BorrowingProposal, order_status: Mapping[str, str]) -> list[str]:
    """Why the stored proposal no longer fits the current state, in Russian; empty means it may be applied.

    ``current`` is the problem as the database states it now, ``order_status`` the status of every order the
    proposal names. The checker runs last, on the current problem with the proposal's loans.
    """
    reasons: list[str] = []
    reserved: Counter[tuple[str, str]] = Counter()
    for r in current.reservations:
        reserved[(r.order, r.item)] += r.qty
    lent: Counter[tuple[str, str]] = Counter()
    for loan in proposal.loans:
        lent[(loan.lender, loan.item)] += loan.qty
    lenders_seen: set[str] = set()
    for (order, item), qty in sorted(lent.items()):
        status = order_status.get(order)
        if status not in OPEN_STATUSES:
            if order not in lenders_seen:
                reasons.append(f"Заказ {order}, из резерва которого берётся товар, уже {_status(status)}.")
            lenders_seen.add(order)
        elif reserved[(order, item)] < qty:
            reasons.append(
                f"Резерв заказа {order} по «{item}» изменился: сейчас {reserved[(order, item)]} шт., "
                f"а взаймы предложено {qty} шт."
            )
    waiting = {o.order: o for o in current.waiting}
    for s in proposal.shipments:
        status = order_status.get(s.order)
        if status not in OPEN_STATUSES:
            reasons.append(f"Заказ {s.order} уже {_status(status)}.")
            continue
        now = waiting.get(s.order)
        expected = None if now is None else now.lines if s.variant == "whole" else now.partial_lines
        if expected is None or Counter(expected) != Counter(s.lines):
            reasons.append(f"Заказ {s.order} больше не ждёт товара в том объёме, что был в предложении.")
    inbound = {(x.source, x.item) for x in current.inbound}
    missing = sorted({(x.repayment_source, x.item) for x in proposal.loans} - inbound)
    for source, item in missing:
        reasons.append(f"Поставка {source} по «{item}» больше не ожидается: она получена или отменена.")
    if not reasons:
        errors = check_proposal(current, proposal)
        if errors:
            reasons.append(
                "Независимая проверка на текущих данных не пройдена: "
                + "; ".join(errors[:3])
                + (f" (и ещё {len(errors) - 3})" if len(errors) > 3 else "")
                + "."
            )
    return reasons


def _status(status: str | None) -> str:
    return "удалён" if status is None else ORDER_STATUS_TITLES.get(status, status)


def _lines(pairs: list[list[Any]]) -> tuple[Line, ...]:
    return tuple(Line(item, qty) for item, qty in pairs)


def _totals(lines: tuple[Line, ...]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for line in lines:
        out[line.item] += line.qty
    return dict(out)
