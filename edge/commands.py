"""The ``stockyard edge`` command: run one site's edge node."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--site", required=True, envvar="STOCKYARD_SITE", help="Site code, e.g. W1 (warehouse) or S1 (shop).")
@click.option("--host", help="Address to listen on [default: 0.0.0.0].")
@click.option("--port", type=int, help="Port to listen on [default: 8100].")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Folder of the site's database [default: var/edge].")
@click.option("--mqtt-url", envvar="STOCKYARD_MQTT_URL", help="Broker; found by zeroconf when not given.")
def edge(site: str, host: str | None, port: int | None, data_dir: Path | None, mqtt_url: str | None) -> None:
    """Run one site's edge node: terminal app, scanners, the site's database and its sync."""
    import uvicorn

    from edge.app import create_app
    from edge.settings import EdgeSettings

    given = {"site": site, "host": host, "port": port, "data_dir": data_dir, "mqtt_url": mqtt_url}
    try:
        settings = EdgeSettings(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.ClickException(f"Invalid settings: {exc}") from exc
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
