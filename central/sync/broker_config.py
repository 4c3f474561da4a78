"""``stockyard central mqtt-config``: Mosquitto's password file, ACL and per-site credentials (SYNC-2)."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from central.settings import DEVELOPMENT_SECRET, CentralSettings
from sync.broker import BrokerFiles, write_broker_config

PLACEHOLDER_HOST = "BROKER_HOST"


@click.command("mqtt-config")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write passwords, acl, mosquitto.conf and credentials/ into (created if missing).",
)
@click.option(
    "--database-url",
    envvar="STOCKYARD_DATABASE_URL",
    help="Central's database, e.g. sqlite:///var/central.db or postgresql://user@host/db.",
)
@click.option(
    "--broker-host",
    default=PLACEHOLDER_HOST,
    show_default=True,
    help="Host name or address edges reach the broker at, written into the credentials files.",
)
@click.option(
    "--broker-port",
    type=click.IntRange(1, 65535),
    default=1883,
    show_default=True,
    help="Port of the broker's listener, written into mosquitto.conf and the credentials files.",
)
@click.pass_context
def mqtt_config(
    ctx: click.Context, out_dir: Path, database_url: str | None, broker_host: str, broker_port: int
) -> None:
    """Write Mosquitto's password file and ACL: one MQTT identity per site, fenced into its own topics.

    Each site's password is derived from central's secret key, so running this again gives the same
    passwords (new salts) and picks up sites added since.
    """
    parent_url = ctx.obj.get("database_url") if isinstance(ctx.obj, dict) else None
    settings = _settings(database_url or parent_url)
    sites = _site_codes(settings.database_url)
    if not sites:
        raise click.ClickException(
            "Central's database has no sites yet; seed the company (stockyard central seed) or add sites first."
        )
    secret = settings.secret_key.get_secret_value()
    try:
        files = write_broker_config(out_dir, secret, sites, broker_host=broker_host, broker_port=broker_port)
    except ValueError as exc:
        raise click.ClickException(f"Cannot write the broker configuration: {exc}") from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise click.ClickException(f"Cannot write the broker files into {out_dir}: {reason}.") from exc
    _report(files, sites, broker_host, broker_port)
    if secret == DEVELOPMENT_SECRET:
        click.echo(
            "\nWarning: these passwords are derived from the development secret key, which is public. "
            "Set STOCKYARD_SECRET_KEY to a random secret and run this again before connecting real sites.",
            err=True,
        )


def _settings(database_url: str | None) -> CentralSettings:
    try:
        return CentralSettings(**({"database_url": database_url} if database_url else {}))  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.ClickException(f"Invalid settings: {exc}") from exc


def _site_codes(database_url: str) -> list[str]:
    """Every site code in central's database (migrating it first, as every central process does)."""
    from central.store import schema as s
    from central.store.engine import create_central_engine, migrate

    engine = create_central_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            return [str(code) for code in conn.execute(select(s.sites.c.code).order_by(s.sites.c.code)).scalars()]
    finally:
        engine.dispose()


def _report(files: BrokerFiles, sites: list[str], broker_host: str, broker_port: int) -> None:
    out = files.directory
    click.echo(f"Wrote the broker configuration for {len(sites)} sites ({', '.join(sites)}) and central:")
    click.echo(f"  {files.password_file}  Mosquitto password file (mode 0600)")
    click.echo(f"  {files.acl_file}  Mosquitto ACL: each site only its own topics, central all (mode 0600)")
    click.echo(f"  {files.config_file}  configuration snippet naming both, anonymous access off")
    click.echo(f"  {files.central_credentials}  STOCKYARD_MQTT_URL for central (mode 0600)")
    for site, path in files.site_credentials.items():
        click.echo(f"  {path}  STOCKYARD_MQTT_URL for edge {site} (mode 0600)")
    click.echo("\nNext steps:")
    click.echo(
        f"  1. On the broker host, let Mosquitto read the files (it drops to its own user first):\n"
        f"       chown mosquitto: {files.password_file} {files.acl_file}\n"
        f"     and include the snippet, e.g. cp {files.config_file} /etc/mosquitto/conf.d/stockyard.conf;\n"
        f"     it names the files by their paths under {out}, so edit it if you move them.\n"
        f"     Then restart Mosquitto (systemctl restart mosquitto)."
    )
    click.echo("  2. Give central the URL in credentials/central.env (STOCKYARD_MQTT_URL or --mqtt-url).")
    click.echo(
        "  3. Give each edge its own credentials/SITE.env over a trusted channel, and only its own:\n"
        '     stockyard edge --site SITE --mqtt-url "$STOCKYARD_MQTT_URL".'
    )
    if broker_host == PLACEHOLDER_HOST:
        click.echo(f"     The URLs name the host {PLACEHOLDER_HOST}: replace it, or run again with --broker-host.")
    click.echo(
        f"  4. For TLS, add a listener with cafile/certfile/keyfile to Mosquitto and use\n"
        f"     mqtts://SITE:PASSWORD@{broker_host}:8883?ca=/path/to/ca.pem instead of mqtt://…:{broker_port}."
    )
    click.echo("  Run this again after adding a site; changing STOCKYARD_SECRET_KEY changes every password.")
