"""The demo company (seed 4, business day 23.11.2026) for production status, deficit and planning tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from central.app import create_app
from central.production import web
from central.settings import CentralSettings
from tests.dispatch.company import seeded

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow
TODAY = NOW.date()


@pytest.fixture
def company(database_url: str) -> Iterator[Engine]:
    engine = seeded(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def office(database_url: str, company: Engine) -> Iterator[TestClient]:
    app = create_app(CentralSettings(database_url=database_url, environment="test"), engine=company)
    app.dependency_overrides[web.production_now] = lambda: NOW
    yield TestClient(app)


def login(client: TestClient, who: str) -> None:
    response = client.post("/login", data={"login": who, "password": "demo"}, follow_redirects=False)
    assert response.status_code == 303
