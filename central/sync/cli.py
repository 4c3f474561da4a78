"""``stockyard sync status``: each site's link as central sees it, for operators and scripts."""

from __future__ import annotations

import json

import click
import httpx


@click.command("status")
@click.option("--central-url", envvar="STOCKYARD_CENTRAL_URL", default="http://127.0.0.1:8000", show_default=True)
@click.option("--token", envvar="STOCKYARD_TOKEN", help="API token (stockyard central token --user LOGIN).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON array of sites.")
def sync_status(central_url: str, token: str | None, as_json: bool) -> None:
    """Presence, last contact, upstream backlog and downstream lag of every site."""
    if not token:
        raise click.ClickException("an API token is needed: run `stockyard central token --user admin`")
    try:
        response = httpx.get(
            central_url.rstrip("/") + "/api/v1/sync/sites", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
    except httpx.HTTPError as exc:
        raise click.ClickException(f"central at {central_url} does not answer: {exc}") from exc
    if response.status_code != 200:
        raise click.ClickException(f"central answered {response.status_code}: {response.text[:200]}")
    sites = response.json()
    if as_json:
        click.echo(json.dumps(sites, ensure_ascii=False))
        return
    click.echo(
        f"{'site':<6} {'presence':<9} {'last contact':<33} {'backlog up':>10} {'lag down':>9} {'exceptions':>10}"
    )
    for site in sites:
        click.echo(
            f"{site['site']:<6} {site['presence']:<9} {site['last_contact'] or '-':<33} "
            f"{site['upstream_backlog']:>10} {site['downstream_lag']:>9} {site['open_exceptions']:>10}"
        )
