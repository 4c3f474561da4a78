"""The sales office on the small hand-made shop (tests/orders/shop.py) with demo passwords, signed in by the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from central.app import create_app
from central.auth.passwords import hash_password
from central.orders import routes
from central.payments import routes as payment_routes
from central.settings import CentralSettings
from central.store import schema as s
from tests.orders.shop import NOW, TODAY, build

PASSWORD = "demo"  # the demo password of every test login


class Clock:
    """The business day and moment the app sees; a test moves them."""

    def __init__(self) -> None:
        self.today: dt.date = TODAY
        self.now: dt.datetime = NOW


@contextmanager
def office(database_url: str) -> Iterator[tuple[Any, Engine, Clock]]:
    """The central app over the shop, every login with the demo password: ``with office(url) as (app, engine, clock)``."""
    engine = build(database_url)
    with engine.begin() as conn:
        conn.execute(update(s.users).values(password_hash=hash_password(PASSWORD), email=None))
    app = create_app(CentralSettings(database_url=database_url, environment="test"), engine=engine)
    clock = Clock()
    app.dependency_overrides[routes.today] = lambda: clock.today
    app.dependency_overrides[routes.now] = lambda: clock.now
    app.dependency_overrides[payment_routes.today] = lambda: clock.today
    try:
        yield app, engine, clock
    finally:
        engine.dispose()


def signed_in(app: Any, login: str) -> TestClient:
    """A browser-like client signed in through the login form."""
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"login": login, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client


def rows(engine: Engine, *tables: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables, for before/after comparisons of refused actions."""
    with engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in tables}


def order_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(select(s.orders.c.id).order_by(s.orders.c.id)).scalars()]
