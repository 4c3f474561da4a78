"""Two managers confirm the last units at the same moment (ORD-5): one wins, the other gets 409, on both databases.

Real threads, each with its own connection from the pool, released together by a barrier. In half of the rounds
the stock read is slowed down so both transactions are certainly inside the check-then-reserve window at once:
without the item locks (PostgreSQL) or ``BEGIN IMMEDIATE`` (SQLite) both would reserve the same three units.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from central.orders import reservations, service
from central.orders.domain import Conflict
from central.orders.service import Confirmation, NewOrder
from tests.orders.shop import C1, C2, NOW, TODAY, active_stock_reserved, build, user

ROUNDS = 6


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = build(database_url)
    yield engine
    engine.dispose()


def _race(engine: Engine, orders: list[tuple[str, int]]) -> list[tuple[str, int, Any]]:
    barrier = threading.Barrier(len(orders))
    outcomes: list[tuple[str, int, Any]] = []
    lock = threading.Lock()

    def confirm(login: str, order_id: int) -> None:
        barrier.wait()
        try:
            service.confirm_order(engine, user(login), order_id, Confirmation("complete"), TODAY, NOW)
            result: Any = "confirmed"
        except Conflict as exc:
            result = exc
        with lock:
            outcomes.append((login, order_id, result))

    threads = [threading.Thread(target=confirm, args=order) for order in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_managers_confirming_the_last_units_at_once(engine, monkeypatch):
    real_states = reservations.item_states

    def slow_states(conn: Any, ids: Any) -> Any:
        states = real_states(conn, ids)
        time.sleep(0.05)  # hold the window open between reading free stock and reserving it
        return states

    for n in range(ROUNDS):
        if n % 2:
            monkeypatch.setattr(service, "item_states", slow_states)
        else:
            monkeypatch.setattr(service, "item_states", real_states)
        first = service.create_order(engine, user("mgr1"), NewOrder(C1, [("K-2", 3)]), TODAY, NOW)
        second = service.create_order(engine, user("mgr2"), NewOrder(C2, [("K-2", 3)]), TODAY, NOW)
        outcomes = _race(engine, [("mgr1", first), ("mgr2", second)])
        assert len(outcomes) == 2
        winners = [o for o in outcomes if o[2] == "confirmed"]
        losers = [o for o in outcomes if isinstance(o[2], Conflict)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert losers[0][2].status == 409
        assert losers[0][2].message.startswith(
            "Полное исполнение сейчас невозможно: свободного остатка не хватает: K-2 — не хватает 3 шт. (свободно 0)"
        )
        assert active_stock_reserved(engine, "K-2") == 3  # nothing over-reserved
        loser_view = service.order_view(engine, user("admin"), losers[0][1], TODAY)
        assert loser_view["status"] == "draft" and loser_view["reservations"] == []
        # free the units for the next round
        login, winner, _ = winners[0]
        service.cancel_order(engine, user(login), winner, NOW)
        assert active_stock_reserved(engine, "K-2") == 0


def test_three_orders_for_the_last_units_in_parts(engine):
    """K-1 has 13 free: three orders of 6 racing; two win, the third is refused, never more than 13 reserved."""
    orders = [
        ("mgr1", service.create_order(engine, user("mgr1"), NewOrder(C1, [("K-1", 6)]), TODAY, NOW)),
        ("mgr2", service.create_order(engine, user("mgr2"), NewOrder(C2, [("K-1", 6)]), TODAY, NOW)),
        ("mgr1", service.create_order(engine, user("mgr1"), NewOrder(C1, [("K-1", 6)]), TODAY, NOW)),
    ]
    outcomes = _race(engine, orders)
    assert sorted(o[2] == "confirmed" for o in outcomes) == [False, True, True]
    assert active_stock_reserved(engine, "K-1") == 12
