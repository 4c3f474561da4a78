"""Central's command-line surface: run the server, seed the demo company, and the tool groups."""

from __future__ import annotations

import click

from central.cli import LazyGroup
from central.settings import CentralSettings

DATABASE_URL_HELP = "Central's database, e.g. sqlite:///var/central.db or postgresql://user@host/db."


def _settings(**overrides: object) -> CentralSettings:
    """Settings with the command-line options that were given laid over environment and file."""
    try:
        return CentralSettings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.ClickException(f"Invalid settings: {exc}") from exc


@click.group(invoke_without_command=True)
@click.option("--host", help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [default: 8000].")
@click.option("--database-url", envvar="STOCKYARD_DATABASE_URL", help=DATABASE_URL_HELP)
@click.option("--mqtt-url", envvar="STOCKYARD_MQTT_URL", help="Broker, e.g. mqtt://127.0.0.1:1883.")
@click.pass_context
def central(
    ctx: click.Context, host: str | None, port: int | None, database_url: str | None, mqtt_url: str | None
) -> None:
    """Run the central office web app (back office, portal, API), or one of the commands below."""
    ctx.obj = {"database_url": database_url}
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from central.app import create_app

    settings = _settings(host=host, port=port, database_url=database_url, mqtt_url=mqtt_url)
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)


@central.command()
@click.option("--scale", type=click.IntRange(min=1), default=1, show_default=True, help="Size of the company.")
@click.option("--seed", "seed_value", type=int, default=42, show_default=True, help="Random seed.")
@click.option("--database-url", envvar="STOCKYARD_DATABASE_URL", help=DATABASE_URL_HELP)
@click.pass_context
def seed(ctx: click.Context, scale: int, seed_value: int, database_url: str | None) -> None:
    """Load the demo company into an empty database (refuses a database that already has one)."""
    from central.demo.company import DatabaseNotEmpty, seed_company
    from central.store.engine import create_central_engine, migrate

    settings = _settings(database_url=database_url or ctx.obj.get("database_url"))
    engine = create_central_engine(settings.database_url)
    migrate(engine)
    try:
        summary = seed_company(engine, scale=scale, seed=seed_value)
    except DatabaseNotEmpty as exc:
        raise click.ClickException(str(exc)) from exc
    for table, count in summary.counts.items():
        click.echo(f"{table:<24} {count:>10}")


@central.command()
@click.option("--database-url", envvar="STOCKYARD_DATABASE_URL", help=DATABASE_URL_HELP)
@click.pass_context
def migrate(ctx: click.Context, database_url: str | None) -> None:
    """Apply pending schema migrations (central also does this at start) and print the revision."""
    from central.store.engine import create_central_engine, current_revision
    from central.store.engine import migrate as apply_migrations

    settings = _settings(database_url=database_url or ctx.obj.get("database_url"))
    engine = create_central_engine(settings.database_url)
    apply_migrations(engine)
    click.echo(f"schema at revision {current_revision(engine)}")


@central.command()
@click.option("--user", "login", required=True, help="The login the token acts as, e.g. admin.")
@click.option("--database-url", envvar="STOCKYARD_DATABASE_URL", help=DATABASE_URL_HELP)
@click.pass_context
def token(ctx: click.Context, login: str, database_url: str | None) -> None:
    """Print an API bearer token for a user (valid a year; deactivating the user revokes it)."""
    from sqlalchemy import select

    from central.auth.tokens import issue_token
    from central.store.engine import create_central_engine, migrate
    from central.store.schema import users

    settings = _settings(database_url=database_url or ctx.obj.get("database_url"))
    engine = create_central_engine(settings.database_url)
    migrate(engine)
    with engine.connect() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.login == login, users.c.active.is_(True))).scalar()
    if user_id is None:
        raise click.ClickException(f"no active user with login {login!r}")
    click.echo(issue_token(settings.secret_key.get_secret_value(), user_id))


@central.group()
def audit() -> None:
    """The audit log (ACC-1): checking its hash chain."""


@audit.command("verify")
@click.option("--database-url", envvar="STOCKYARD_DATABASE_URL", help=DATABASE_URL_HELP)
@click.pass_context
def audit_verify(ctx: click.Context, database_url: str | None) -> None:
    """Check that no audit entry was changed, deleted or reordered; exit 1 naming the first break."""
    from sqlalchemy import func, select

    from central.audit.log import verify_log
    from central.store.engine import create_central_engine, migrate
    from central.store.schema import audit_log

    settings = _settings(database_url=database_url or (ctx.obj or {}).get("database_url"))
    engine = create_central_engine(settings.database_url)
    migrate(engine)
    with engine.connect() as conn:
        breaks = verify_log(conn)
        count = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    if breaks:
        for found in breaks[:10]:
            click.echo(f"entry {found.seq}: {found.reason}", err=True)
        raise click.ClickException(f"the audit log is broken at entry {breaks[0].seq} ({len(breaks)} problems)")
    click.echo(f"audit log intact: {count} entries")


@click.group(cls=LazyGroup, lazy_subcommands={"scans": "edge.simulator:simulate_scans"}, default_command="scans")
def simulate() -> None:
    """Simulators that drive edges through their real command paths (scanners, terminals)."""


@click.group(cls=LazyGroup, lazy_subcommands={"status": "central.sync.cli:sync_status"})
def sync() -> None:
    """Edge ↔ central synchronisation: status, broker configuration."""


@click.group(
    cls=LazyGroup,
    lazy_subcommands={
        "scans": "edge.bench:scans_bench",
        "sync": "edge.sync.bench:sync_bench",
        "routes": "optimizer.cli:routes_bench",
        "jobshop": "optimizer.cli:jobshop_bench",
        "borrowing": "central.dispatch.bench:borrowing_bench",
    },
)
def bench() -> None:
    """Benchmarks that print tables of measured figures (recorded in docs/benchmarks.md)."""


def _register_broker_config() -> None:
    # Imported here, not at the top: the command module needs the group defined above.
    from central.sync.broker_config import mqtt_config

    central.add_command(mqtt_config)


_register_broker_config()
