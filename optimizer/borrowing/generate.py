"""Synthetic borrowing instances for the bench: a seeded wholesale company with tight stock."""

from __future__ import annotations

import random
from datetime import date, timedelta

from optimizer.borrowing.model import BorrowingProblem, Inbound, Line, Reservation, WaitingOrder


def generate(
    n_orders: int, n_items: int, seed: int, *, today: date = date(2026, 11, 23), margin_days: int = 2
) -> BorrowingProblem:
    """``n_orders`` open orders over ``n_items`` items: about 60 % reserved, 40 % waiting: ``generate(5000, 2000, 1)``.

    Each item has a price, stock close to what is reserved, and zero to three inbound supplies (supply orders
    ``ПО-…`` or production tasks ``ПЗ-…``) over the next four weeks; waiting orders have one to four lines and a
    third of them an agreed partial variant (their first half of the lines, at that value).
    """
    rng = random.Random(seed)
    items = [f"A{k:05d}" for k in range(n_items)]
    price = {item: rng.randint(50, 5000) * 100 for item in items}
    reserved_qty = dict.fromkeys(items, 0)
    reservations: list[Reservation] = []
    waiting: list[WaitingOrder] = []
    for number in range(1, n_orders + 1):
        order = str(100000 + number)
        lines = _lines(rng, items)
        if rng.random() < 0.6:
            deadline = today + timedelta(days=rng.randint(1, 30))
            priority = rng.randint(0, 2)
            for line in lines:
                reservations.append(Reservation(order, line.item, line.qty, deadline, priority))
                reserved_qty[line.item] += line.qty
        else:
            value = sum(price[line.item] * line.qty for line in lines)
            partial: tuple[Line, ...] = ()
            partial_value = 0
            if len(lines) > 1 and rng.random() < 0.33:
                partial = lines[: len(lines) // 2]
                partial_value = sum(price[line.item] * line.qty for line in partial)
            waiting.append(WaitingOrder(order, lines, value, partial, partial_value))
    on_hand = {item: max(0, reserved_qty[item] + rng.randint(-10, 15)) for item in items}
    inbound: list[Inbound] = []
    supply_no = 0
    for item in items:
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            supply_no += 1
            kind = "ПО" if rng.random() < 0.7 else "ПЗ"
            eta = today + timedelta(days=rng.randint(1, 28))
            inbound.append(Inbound(f"{kind}-{supply_no}", item, rng.randint(10, 80), eta))
    return BorrowingProblem(today, on_hand, tuple(reservations), tuple(inbound), tuple(waiting), margin_days)


def _lines(rng: random.Random, items: list[str]) -> tuple[Line, ...]:
    """One to four lines of distinct items, 1-30 units each."""
    chosen = rng.sample(items, k=min(len(items), rng.randint(1, 4)))
    return tuple(Line(item, rng.randint(1, 30)) for item in chosen)
