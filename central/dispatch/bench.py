"""``stockyard bench borrowing``: on the demo company at ``--scale N``, or on the optimizer's synthetic company."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import click

from optimizer.cli import borrowing_bench as synthetic_bench


@click.command("borrowing")
@click.option("--scale", type=click.IntRange(min=1), help="Seed the demo company at this scale and solve on it.")
@click.option(
    "--database-url", envvar="STOCKYARD_DATABASE_URL", help="Solve on this (already seeded) database instead."
)
@click.option("--site", default="W1", show_default=True, help="Warehouse whose stock and reserves are used.")
@click.option("--orders", type=click.IntRange(min=1), default=5000, show_default=True, help="Synthetic: open orders.")
@click.option("--items", type=click.IntRange(min=1), default=2000, show_default=True, help="Synthetic: items.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="CP-SAT workers.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def borrowing_bench(
    ctx: click.Context,
    scale: int | None,
    database_url: str | None,
    site: str,
    orders: int,
    items: int,
    seed: int,
    time_limit: float,
    workers: int,
    as_json: bool,
) -> None:
    """Borrowing from reserves (OPT-1): solve time and the independent checker's verdict."""
    if scale is None and database_url is None:
        ctx.invoke(
            synthetic_bench,
            orders=orders,
            items=items,
            seed=seed,
            time_limit=time_limit,
            workers=workers,
            as_json=as_json,
        )
        return
    from sqlalchemy import func, select

    from central.demo.company import seed_company
    from central.dispatch.borrowing import borrowing_problem
    from central.store.engine import create_central_engine, migrate
    from central.store.schema import items as items_table
    from optimizer.borrowing import check_proposal, propose_borrowing

    with tempfile.TemporaryDirectory(prefix="stockyard-borrowing-") as tmp:
        today = dt.date(2026, 11, 23)
        url = database_url or f"sqlite:///{Path(tmp) / 'central.db'}"
        engine = create_central_engine(url)
        migrate(engine)
        if database_url is None:
            assert scale is not None
            seed_company(engine, scale=scale, seed=seed, today=today)
        else:
            today = dt.datetime.now(dt.UTC).date()
        started = time.perf_counter()
        with engine.connect() as conn:
            problem = borrowing_problem(conn, site, today)
            catalogue_items = conn.execute(select(func.count()).select_from(items_table)).scalar_one()
        build_seconds = time.perf_counter() - started
        engine.dispose()
    proposal = propose_borrowing(problem, time_limit=time_limit, num_workers=workers, seed=seed)
    errors = check_proposal(problem, proposal)
    row = {
        "scale": scale,
        "catalogue_items": catalogue_items,
        "items_in_problem": len({*problem.on_hand, *(r.item for r in problem.reservations)}),
        "waiting_orders": len(problem.waiting),
        "reservations": len(problem.reservations),
        "inbound": len(problem.inbound),
        "build_seconds": round(build_seconds, 3),
        "solve_seconds": round(proposal.seconds, 3),
        "status": proposal.status,
        "shipped_orders": len(proposal.shipments),
        "loans": len(proposal.loans),
        "units_borrowed": proposal.units_borrowed,
        "checker": "pass" if not errors else "fail",
        "checker_errors": errors[:20],
    }
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False))
    else:
        for key, value in row.items():
            click.echo(f"{key}: {value}")
    if errors:
        raise click.ClickException(f"the checker rejected the proposal: {errors[0]}")
