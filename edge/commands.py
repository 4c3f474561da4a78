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
@click.option(
    "--scanner",
    "scanners",
    multiple=True,
    help="A scanner bound to a workstation: serial:/dev/ttyACM0?workstation=ТСД-1 or evdev:/dev/input/by-id/…"
    " (repeatable; see docs/scanners.md).",
)
@click.option(
    "--printer", "printers", multiple=True, help="A label printer NAME=HOST[:PORT] (repeatable; see docs/labels.md)."
)
def edge(
    site: str,
    host: str | None,
    port: int | None,
    data_dir: Path | None,
    mqtt_url: str | None,
    scanners: tuple[str, ...],
    printers: tuple[str, ...],
) -> None:
    """Run one site's edge node: terminal app, scanners, the site's database and its sync."""
    import uvicorn

    from devices.scanners import parse_scanner_specs
    from edge.app import create_app
    from edge.settings import EdgeSettings

    try:
        parse_scanner_specs(scanners)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scanner") from exc
    from edge.labels.printers import PrinterRegistry

    try:
        PrinterRegistry.from_specs(printers)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--printer") from exc
    given = {
        "site": site,
        "host": host,
        "port": port,
        "data_dir": data_dir,
        "mqtt_url": mqtt_url,
        "scanners": list(scanners) or None,
        "printers": list(printers) or None,
    }
    try:
        settings = EdgeSettings(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.ClickException(f"Invalid settings: {exc}") from exc
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
