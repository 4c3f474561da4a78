"""Small readers shared by the payments tests: bearer tokens, table snapshots, inbox contents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, func, insert, select, update

from central.app import create_app
from central.auth.tokens import issue_token
from central.payments import routes
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import TODAY, seeded

STATEMENT = Path(__file__).parent.parent / "fixtures" / "statement_2026-11-24.txt"
NOW = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)
MARKET_INN = "7707083893"  # the payer «ООО "СтройМаркет"» of the fixture statements


def user_id(engine: Engine, login: str) -> int:
    """The id of a seeded login."""
    with engine.connect() as conn:
        return int(conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one())


def bearer(engine: Engine, settings: CentralSettings, login: str) -> dict[str, str]:
    """The Authorization header of a seeded login."""
    secret = settings.secret_key.get_secret_value()
    return {"Authorization": f"Bearer {issue_token(secret, user_id(engine, login))}"}


def rows(engine: Engine, *tables: Table) -> list[tuple[Any, ...]]:
    """Every row of the tables, for before/after comparisons of a refused command."""
    with engine.connect() as conn:
        return [
            (table.name, *row) for table in tables for row in conn.execute(select(table).order_by(table.c.id)).all()
        ]


def inbox(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    """Every notice as (login, kind, subject, link), oldest first."""
    with engine.connect() as conn:
        return [
            (r.login, r.kind, r.subject, r.link)
            for r in conn.execute(
                select(s.users.c.login, s.notifications.c.kind, s.notifications.c.subject, s.notifications.c.link)
                .join(s.users, s.users.c.id == s.notifications.c.user_id)
                .order_by(s.notifications.c.id)
            )
        ]


class Company:
    """The seeded company with «СтройМаркет» (INN of the fixtures) owning invoices № 7001 and № 7002."""

    def __init__(self, database_url: str) -> None:
        self.engine: Engine = seeded(database_url)
        self.settings = CentralSettings(database_url=database_url, environment="test")
        with self.engine.begin() as conn:
            busiest = (
                select(s.orders.c.customer_id).group_by(s.orders.c.customer_id).order_by(func.count().desc()).limit(1)
            )
            self.customer_id = conn.execute(busiest).scalar_one()
            conn.execute(update(s.customers).where(s.customers.c.id == self.customer_id).values(inn=MARKET_INN))
            orders = conn.execute(
                select(s.orders.c.id, s.orders.c.manager_id)
                .where(s.orders.c.customer_id == self.customer_id)
                .order_by(s.orders.c.id.desc())
                .limit(2)
            ).all()
            self.manager = conn.execute(
                select(s.users.c.login).where(s.users.c.id == orders[0].manager_id)
            ).scalar_one()
            self.invoice: dict[str, int] = {}
            for number, order, amount in (("7001", orders[0].id, 12_200_000), ("7002", orders[1].id, 6_000_000)):
                self.invoice[number] = conn.execute(
                    insert(s.invoices)
                    .values(number=number, order_id=order, issued_on=TODAY, amount_kop=amount,
                            vat_kop=amount * 22 // 122, paid_kop=0)
                    .returning(s.invoices.c.id)
                ).scalar_one()  # fmt: skip
            self.foreign_invoice = conn.execute(
                select(s.invoices.c.id)
                .join(s.orders, s.orders.c.id == s.invoices.c.order_id)
                .where(s.orders.c.customer_id != self.customer_id)
                .limit(1)
            ).scalar_one()
        app = create_app(self.settings, self.engine)
        app.dependency_overrides[routes.now] = lambda: NOW
        self.client = TestClient(app)

    def headers(self, login: str) -> dict[str, str]:
        return bearer(self.engine, self.settings, login)

    def paid(self, number: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(s.invoices.c.paid_kop).where(s.invoices.c.number == number)).scalar_one())

    def payment_id(self, document_number: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(s.payments.c.id).where(
                        s.payments.c.document_number == document_number, s.payments.c.customer_id == self.customer_id
                    )
                ).scalar_one()
            )

    def state(self) -> list[tuple[Any, ...]]:
        return rows(self.engine, s.payments, s.invoices, s.notifications)
