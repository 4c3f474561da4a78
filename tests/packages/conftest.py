"""A demo company seeded once per session into a template file; each test gets its own copy."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.demo.company import seed_company
from central.store.engine import create_central_engine, migrate

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def central_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("central-template") / "central.db"
    engine = create_central_engine(f"sqlite:///{path}")
    migrate(engine)
    seed_company(engine, scale=1, seed=5, today=TODAY)
    engine.dispose()
    return path


@pytest.fixture
def central_url(central_template: Path, tmp_path: Path) -> Iterator[str]:
    target = tmp_path / "central.db"
    shutil.copy(central_template, target)
    yield f"sqlite:///{target}"
