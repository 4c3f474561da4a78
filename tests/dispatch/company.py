"""The seeded demo company the dispatch tests run on, and small readers of its state."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Engine, func, select

from central.auth.staff import User
from central.demo.company import seed_company
from central.store import schema as s
from central.store.engine import create_central_engine, migrate

TODAY = dt.date(2026, 11, 23)
SEED = 4  # at scale 1 this seed's waiting orders need loans (repaid by production task ПР-00101)


def seeded(database_url: str) -> Engine:
    """A migrated database holding the demo company at scale 1: ``seeded(database_url)``."""
    engine = create_central_engine(database_url)
    migrate(engine)
    seed_company(engine, scale=1, seed=SEED, today=TODAY)
    return engine


def staff(engine: Engine, login: str) -> User:
    """A seeded member of staff as the signed-in user: ``staff(engine, "dispatcher")``."""
    with engine.connect() as conn:
        row = conn.execute(
            select(s.users.c.id, s.users.c.login, s.users.c.full_name, s.users.c.role).where(s.users.c.login == login)
        ).one()
    return User(id=row.id, login=row.login, full_name=row.full_name, role=row.role)


def reservations(engine: Engine) -> list[tuple[Any, ...]]:
    """Every reservation row, for before/after comparisons."""
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    s.reservations.c.id,
                    s.reservations.c.order_line_id,
                    s.reservations.c.item_id,
                    s.reservations.c.qty,
                    s.reservations.c.source,
                    s.reservations.c.status,
                ).order_by(s.reservations.c.id)
            )
        ]


def active_reserved(engine: Engine) -> Counter[tuple[str, str]]:
    """Active reserved units per (order number, sku)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.orders.c.number, s.items.c.sku, func.sum(s.reservations.c.qty))
            .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .join(s.items, s.items.c.id == s.reservations.c.item_id)
            .where(s.reservations.c.status == "active")
            .group_by(s.orders.c.number, s.items.c.sku)
        ).all()
    return Counter({(number, sku): int(qty) for number, sku, qty in rows})


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
