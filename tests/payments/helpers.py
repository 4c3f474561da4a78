"""Small readers shared by the payments tests: bearer tokens, table snapshots, inbox contents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table, select

from central.auth.tokens import issue_token
from central.settings import CentralSettings
from central.store import schema as s


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
