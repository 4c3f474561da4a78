"""``stockyard payroll --period 2026-11 [--json] [--xlsx FILE] [--database-url URL]``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from central.payroll.compute import KIND_TITLES, compute_payroll, rub
from central.payroll.xlsx import write_xlsx


@click.command("payroll")
@click.option("--period", required=True, help="The month, YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print the payroll as JSON (amounts in kopecks).")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Write an Excel workbook.")
@click.option("--database-url", envvar="STOCKYARD_DATABASE_URL", help="Central's database (default: settings).")
def payroll(period: str, as_json: bool, xlsx: Path | None, database_url: str | None) -> None:
    """Pay of every worker and sales manager for a month: piecework, hourly, salary, percentage of paid sales."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise click.BadParameter("ожидается месяц в виде ГГГГ-ММ, например 2026-11", param_hint="--period")
    from central.settings import CentralSettings
    from central.store.engine import create_central_engine, migrate

    engine = create_central_engine(database_url or CentralSettings().database_url)
    migrate(engine)
    with engine.connect() as conn:
        result = compute_payroll(conn, int(match[1]), int(match[2]))
    engine.dispose()
    if xlsx is not None:
        write_xlsx(result, xlsx)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Расчёт оплаты труда за {result.period} (рабочих дней: {result.working_days})")
    for sheet in result.sheets:
        click.echo(f"{sheet.person:<40} {KIND_TITLES[sheet.kind]:<12} {rub(sheet.total_kop):>18}")
    click.echo(f"{'Итого':<53} {rub(result.total_kop):>18}")
    if xlsx is not None:
        click.echo(f"Excel: {xlsx}")
