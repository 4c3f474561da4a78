"""Why a stored borrowing proposal no longer fits: each reason on a small hand-made warehouse, without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from central.dispatch import review
from optimizer.borrowing import (
    BorrowingProblem,
    BorrowingProposal,
    Inbound,
    Line,
    Reservation,
    WaitingOrder,
    propose_borrowing,
)

TODAY = dt.date(2026, 12, 1)
PROBLEM = BorrowingProblem(
    today=TODAY,
    on_hand={"болт": 40},
    reservations=(Reservation("98", "болт", 40, dt.date(2026, 12, 7)),),
    inbound=(Inbound("ПЗ-77", "болт", 60, dt.date(2026, 12, 3)),),
    waiting=(WaitingOrder("123", (Line("болт", 40),), 500_00),),
)
OPEN = {"98": "confirmed", "123": "confirmed"}


def proposal() -> BorrowingProposal:
    made = propose_borrowing(PROBLEM, time_limit=2)
    assert [x.lender for x in made.loans] == ["98"]
    return made


def test_the_unchanged_state_has_no_reason_and_the_snapshot_round_trips():
    made = proposal()
    assert review.stale_reasons(PROBLEM, made, OPEN) == []
    assert review.problem_from_snapshot(review.snapshot(PROBLEM)) == PROBLEM
    stored = review.proposal_from_stored(review.result(made), review.figures(PROBLEM, made))
    assert stored.loans == made.loans and stored.shipments == made.shipments
    diff = review.plan_diff(PROBLEM, made)
    assert [(d["order"], d["role"], d["before"], d["after"]) for d in diff] == [
        ("123", "borrower", 0, 40),
        ("98", "lender", 40, 0),
    ]
    assert "вернутся: 40 шт. с поставкой ПЗ-77 к 03.12.2026" in diff[1]["note"]


def test_each_change_is_named_in_russian():
    made = proposal()
    cancelled = review.stale_reasons(PROBLEM, made, {**OPEN, "98": "cancelled"})
    assert cancelled[0] == "Заказ 98, из резерва которого берётся товар, уже отменён."
    smaller = replace(PROBLEM, reservations=(Reservation("98", "болт", 30, dt.date(2026, 12, 7)),))
    assert "Резерв заказа 98 по «болт» изменился: сейчас 30 шт., а взаймы предложено 40 шт." in (
        review.stale_reasons(smaller, made, OPEN)
    )
    served = replace(PROBLEM, waiting=())
    assert review.stale_reasons(served, made, OPEN) == [
        "Заказ 123 больше не ждёт товара в том объёме, что был в предложении."
    ]
    shipped = review.stale_reasons(PROBLEM, made, {**OPEN, "123": "shipped"})
    assert shipped == ["Заказ 123 уже отгружен."]
    received = replace(PROBLEM, inbound=())
    assert review.stale_reasons(received, made, OPEN) == [
        "Поставка ПЗ-77 по «болт» больше не ожидается: она получена или отменена."
    ]
    late = replace(PROBLEM, inbound=(Inbound("ПЗ-77", "болт", 60, dt.date(2026, 12, 6)),))
    reasons = review.stale_reasons(late, made, OPEN)
    assert len(reasons) == 1 and reasons[0].startswith("Независимая проверка на текущих данных не пройдена")
