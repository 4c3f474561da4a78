"""Central's migrations on SQLite and PostgreSQL: they apply, apply once, and match the Core schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from central.store.engine import create_central_engine, current_revision, head_revision, migrate
from central.store.schema import metadata


def test_migrations_apply_once_and_match_the_schema(database_url):
    engine = create_central_engine(database_url)
    migrate(engine)
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = create_central_engine(f"sqlite:///{tmp_path / 'central.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
