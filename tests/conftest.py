"""Fixtures shared by the whole suite: real PostgreSQL, Mosquitto and Chromium."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from tests.services import MosquittoBroker, PostgresServer, mosquitto_broker, postgres_server

# Edges started by tests neither announce themselves nor browse for a broker: tests give the broker's URL,
# and dozens of short-lived edges would crowd the network's mDNS. tests/sync/test_discovery.py and the
# edge announcement test turn it on where it is the subject.
os.environ.setdefault("STOCKYARD_ZEROCONF", "false")

_db_names = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return postgres.create_database(f"test_{next(_db_names)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Run a store test once on a SQLite file and once on a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def mosquitto() -> Iterator[MosquittoBroker]:
    with mosquitto_broker() as broker:
        yield broker
