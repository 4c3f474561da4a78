"""Staff login by password (ACC-4) and the typed ``CurrentUser`` dependency of every office page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, select

from central.auth.passwords import verify_password
from central.auth.tokens import read_token
from central.store.schema import users


class User(BaseModel):
    """A signed-in member of staff."""

    model_config = ConfigDict(frozen=True)

    id: int
    login: str
    full_name: str
    role: str


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form, the API answers 401."""


def authenticate(conn: Connection, login: str, password: str) -> User | None:
    """The user whose password matches: ``authenticate(conn, "admin", "demo")``; None for any mismatch."""
    row = conn.execute(
        select(users.c.id, users.c.login, users.c.full_name, users.c.role, users.c.password_hash).where(
            users.c.login == login.strip(), users.c.active.is_(True)
        )
    ).first()
    if row is None or not verify_password(row.password_hash, password):
        return None
    return User(id=row.id, login=row.login, full_name=row.full_name, role=row.role)


def load_user(conn: Connection, user_id: int) -> User | None:
    """An active user by id: ``load_user(conn, 1)``."""
    row = conn.execute(
        select(users.c.id, users.c.login, users.c.full_name, users.c.role).where(
            users.c.id == user_id, users.c.active.is_(True)
        )
    ).first()
    return None if row is None else User(id=row.id, login=row.login, full_name=row.full_name, role=row.role)


def get_engine(request: Request) -> Engine:
    """The process's one engine, created by the composition root."""
    engine: Engine = request.app.state.engine
    return engine


DbEngine = Annotated[Engine, Depends(get_engine)]


def current_user(request: Request, engine: DbEngine) -> User:
    """The user of this request's bearer token or session, or ``LoginRequired``."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        user_id = read_token(request.app.state.settings.secret_key.get_secret_value(), token.strip())
        if user_id is None:
            raise LoginRequired
    else:
        user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise LoginRequired
    with engine.connect() as conn:
        user = load_user(conn, user_id)
    if user is None:
        if "user_id" in request.session:
            request.session.clear()
        raise LoginRequired
    return user


CurrentUser = Annotated[User, Depends(current_user)]
