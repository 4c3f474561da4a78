"""Fixtures shared by the whole suite: real PostgreSQL, Mosquitto and Chromium, and the seeded demo company."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from central.demo.company import seed_company
from central.store.engine import create_central_engine, migrate
from tests.services import (
    CHROMIUM_ARGS,
    MosquittoBroker,
    PostgresServer,
    chromium_path,
    mosquitto_broker,
    postgres_server,
)

# Edges started by tests neither announce themselves nor browse for a broker: tests give the broker's URL,
# and dozens of short-lived edges would crowd the network's mDNS. tests/sync/test_discovery.py and the
# edge announcement test turn it on where it is the subject.
os.environ.setdefault("STOCKYARD_ZEROCONF", "false")
# The central clock (reservation expiry, mail, reminders) runs only when a test drives it: real time would race.
os.environ.setdefault("STOCKYARD_JOBS_INTERVAL", "0")

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


# The demo company seeded once per session into a template file; each test that needs central gets a copy.
SEED_DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def central_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("central-template") / "central.db"
    engine = create_central_engine(f"sqlite:///{path}")
    migrate(engine)
    seed_company(engine, scale=1, seed=5, today=SEED_DAY)
    engine.dispose()
    return path


@pytest.fixture
def central_url(central_template: Path, tmp_path: Path) -> Iterator[str]:
    target = tmp_path / "central.db"
    shutil.copy(central_template, target)
    yield f"sqlite:///{target}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A real headless Chromium (Debian's), shared by the tests of a module."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
