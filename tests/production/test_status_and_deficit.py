"""Task status and the deficit statement on the demo company, against the figures worked out by hand in
``tests/production/scenario.py`` (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from central.production import deficit, status
from central.production import tasks as pt
from central.store import schema as s
from tests.production.conftest import NOW, TODAY
from tests.production.scenario import TASK, prepare


def test_status_of_the_hand_checked_task(company: Engine) -> None:
    with company.begin() as conn:
        prepare(conn)
    with company.connect() as conn:
        rows = status.task_rows(conn, NOW, with_kit=True)
        # the independent reading of the seed the hand calculation used
        reserved_550 = conn.execute(
            select(func.sum(s.reservations.c.qty))
            .join(s.items, s.items.c.id == s.reservations.c.item_id)
            .where(s.items.c.sku == "КМ-00550", s.reservations.c.status == "active")
        ).scalar_one()
    assert reserved_550 == 33
    assert [r["task"] for r in rows][:3] == ["ПР-00108", "ПР-00103", "ПР-00106"]  # open tasks by due date
    assert all(r["status"] in ("planned", "in_work") for r in rows) and len(rows) == 20
    row = {r["task"]: r for r in rows}[TASK]
    assert (row["sku"], row["qty"], row["due"], row["status"]) == ("ГП-01908", 54, "2026-12-12", "planned")
    assert row["status_title"] == "в работе (по данным цеха)" and row["started"]
    assert row["kitted_percent"] == 93
    assert (row["to_start"], row["done"], row["to_make"], row["progress_percent"], row["defective"]) == (
        44,
        6,
        48,
        11,
        3,
    )
    assert [(o["seq"], o["good"], o["defective"], o["working"]) for o in row["operations"]] == [
        (1, 10, 2, 0),
        (2, 6, 1, 1),
    ]
    assert row["last_operation_done"] is None and row["current_operation"]["seq"] == 1
    assert row["late_days"] == 0
    assert row["plan_late_days"] == 2 and row["behind_plan"] is None  # the plan ends 14.12, due 12.12
    kit = {k["sku"]: k for k in row["kit"]}
    assert (kit["КМ-00550"]["required"], kit["КМ-00550"]["covered"], kit["КМ-00550"]["short"]) == (132, 127, 5)
    assert (kit["КМ-00550"]["eta"], kit["КМ-00550"]["eta_source"]) == ("2026-12-03", "lead_time")
    assert (kit["КМ-00556"]["required"], kit["КМ-00556"]["covered"], kit["КМ-00556"]["short"]) == (264, 192, 72)
    assert (kit["КМ-00556"]["eta"], kit["КМ-00556"]["eta_source"]) == ("2026-12-01", "supply_order:ПЗ-00031")
    assert kit["КМ-00022"]["short"] == kit["КМ-00645"]["short"] == kit["КМ-01048"]["short"] == 0
    behind = {r["task"]: r for r in rows}["ПР-00107"]
    assert behind["behind_plan"] == "по плану должно было закончиться 22.11.2026 18:00"

    with company.connect() as conn:
        later = {r["task"]: r for r in status.task_rows(conn, dt.datetime(2026, 12, 15, 9, tzinfo=dt.UTC))}
        everything = status.task_rows(conn, NOW, which="all")
    assert later[TASK]["late_days"] == 3  # due 12.12, still open on 15.12
    done = [r for r in everything if r["status"] == "done"]
    assert len(done) == 100 and all(r["kitted_percent"] is None and r["done"] == r["qty"] for r in done)


def test_deficit_statement_overall_and_per_task(company: Engine) -> None:
    with company.begin() as conn:
        prepare(conn)
    with company.connect() as conn:
        data = deficit.statement(conn, TODAY)
    components = {c["sku"]: c for c in data["components"]}
    c550 = components["КМ-00550"]
    assert (c550["required"], c550["on_hand"], c550["reserved"], c550["free"], c550["short"]) == (132, 160, 33, 127, 5)
    assert (c550["eta"], c550["eta_text"], c550["lead_time_days"], c550["tasks"]) == (
        "2026-12-03", "по сроку поставки поставщика", 10, [TASK],
    )  # fmt: skip
    c556 = components["КМ-00556"]
    assert (c556["required"], c556["free"], c556["short"], c556["inbound_qty"]) == (264, 192, 72, 100)
    assert (c556["eta"], c556["eta_text"]) == ("2026-12-01", "заказ поставщику ПЗ-00031")
    assert "КМ-00022" not in components  # enough on hand: not in the statement
    task = {t["task"]: t for t in data["tasks"]}[TASK]
    assert task["kitted_percent"] == 93 and task["kit_complete_on"] == "2026-12-03"
    assert [(x["sku"], x["short"]) for x in task["lines"]] == [("КМ-00550", 5), ("КМ-00556", 72)]
    # the overall shortage of every component is the sum of the tasks' shortages
    for sku, c in components.items():
        assert c["short"] == sum(x["short"] for t in data["tasks"] for x in t["lines"] if x["sku"] == sku)
        assert c["short"] == max(c["required"] - c["free"], 0)
    semi = next(c for c in data["components"] if c["kind"] == "semi_finished")
    assert semi["eta"] is None and semi["eta_text"] == "срок неизвестен: нет задания на производство"
    csv = deficit.statement_csv(data)
    assert csv.splitlines()[0].startswith("Артикул;Комплектующее;Ед.;Потребность")
    assert "КМ-00550;" in csv and ";5;" in csv and "03.12.2026" in csv


def test_scarce_component_goes_to_the_task_in_work_first(company: Engine) -> None:
    with company.connect() as conn:
        tasks = {t.number: t for t in pt.load_tasks(conn, open_only=True)}
        kits = deficit.allocate(conn, list(tasks.values()), TODAY)
    assert kits.order[:6] == ["ПР-00108", "ПР-00114", "ПР-00102", "ПР-00111", "ПР-00120", "ПР-00105"]  # in work
    assert kits.kitted_percent("ПР-00120") == 100 and kits.kitted_percent("ПР-00116") == 0
    assert deficit.kitted_percent([]) == 100
