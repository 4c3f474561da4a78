"""The borrowing problem read from central's database: every reserve, supply and waiting line the seed created."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from central.demo.company import seed_company
from central.dispatch.borrowing import borrowing_problem
from central.store import schema as s
from central.store.engine import create_central_engine, migrate
from optimizer.borrowing import check_proposal, propose_borrowing

TODAY = dt.date(2026, 11, 23)


def test_problem_from_the_demo_company_is_solved_and_checked(tmp_path):
    engine = create_central_engine(f"sqlite:///{tmp_path / 'central.db'}")
    migrate(engine)
    seed_company(engine, scale=1, seed=3, today=TODAY)
    with engine.connect() as conn:
        problem = borrowing_problem(conn, "W1", TODAY)
        active = conn.execute(
            select(func.count()).select_from(s.reservations).where(s.reservations.c.status == "active")
        ).scalar_one()
        open_supply = conn.execute(
            select(func.count())
            .select_from(s.supply_order_lines)
            .join(s.supply_orders)
            .where(s.supply_orders.c.status == "open")
        ).scalar_one()
    assert len(problem.reservations) == active > 0
    assert len(problem.inbound) >= open_supply > 0
    assert problem.waiting, "open orders with unreserved lines wait for stock"
    assert all(line.qty > 0 for order in problem.waiting for line in order.lines)
    assert all(qty >= 0 for qty in problem.on_hand.values())
    proposal = propose_borrowing(problem, time_limit=5, num_workers=2, seed=1)
    assert proposal.status in {"optimal", "feasible"}
    assert check_proposal(problem, proposal) == []
