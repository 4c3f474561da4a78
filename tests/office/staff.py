"""A member of staff in a migrated central database, for tests that log in."""

from __future__ import annotations

from sqlalchemy import Engine

from central.auth.passwords import hash_password
from central.store.schema import users


def add_staff(engine: Engine, login: str, full_name: str, role: str, password: str) -> None:
    """``add_staff(engine, "admin", "Администратор системы", "admin", "demo")``."""
    with engine.begin() as conn:
        conn.execute(
            users.insert().values(
                login=login, full_name=full_name, role=role, password_hash=hash_password(password), active=True
            )
        )
