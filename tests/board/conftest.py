"""The seeded demo company with central's app over it, signed in by bearer tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from central.app import create_app
from central.auth.tokens import issue_token
from central.orders import routes
from central.settings import CentralSettings
from central.store import schema as s
from tests.board.helpers import NOW
from tests.dispatch.company import TODAY, seeded


class Api:
    """HTTP calls as a demo login: ``api.post("dispatcher", "/api/v1/dispatch/release", {...})``."""

    def __init__(self, client: TestClient, engine: Engine, secret: str) -> None:
        self.client = client
        self.engine = engine
        self.secret = secret

    def headers(self, login: str) -> dict[str, str]:
        with self.engine.connect() as conn:
            user_id = conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one()
        return {"Authorization": f"Bearer {issue_token(self.secret, user_id)}"}

    def get(self, login: str, url: str) -> Any:
        return self.client.get(url, headers=self.headers(login))

    def post(self, login: str, url: str, body: Any = None) -> Any:
        return self.client.post(url, json=body, headers=self.headers(login))


@pytest.fixture
def company(database_url: str) -> Iterator[Engine]:
    engine = seeded(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def api(company: Engine, database_url: str) -> Api:
    settings = CentralSettings(database_url=database_url, environment="test")
    app = create_app(settings, engine=company)
    app.dependency_overrides[routes.today] = lambda: TODAY
    app.dependency_overrides[routes.now] = lambda: NOW
    return Api(TestClient(app), company, settings.secret_key.get_secret_value())
