"""Central's database: engine set-up, schema (SQLAlchemy Core) and Alembic migrations."""
