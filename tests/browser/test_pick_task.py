"""A picker completes a 10-line pick task in real Chromium by keyboard-wedge scanning, one wrong cell refused on
the way, with central stopped throughout; central then starts and shows the task done and the stock moved."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page
from sqlalchemy import func, insert, select

from central.dispatch.pick_tasks import issue_pick_task
from central.store import schema as s
from central.store.engine import create_central_engine
from central.sync.worker import CentralSync
from devices.barcodes import cell_barcode
from edge.app import create_app
from edge.settings import EdgeSettings
from edge.sync import state
from sync.transport import BrokerAddress
from tests.services import serve_app
from tests.sync.helpers import central_applied, central_stock, edge_stock, wait_until

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def wedge(page: Page, code: str) -> None:
    """What a keyboard-wedge scanner does: type the code into the focused field, then Enter."""
    page.keyboard.type(code, delay=1)
    page.keyboard.press("Enter")


def ten_line_order(engine) -> str:
    """A confirmed order of ten items the site holds in storage cells, reserved at W1; its number."""
    with engine.begin() as conn:
        site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == "W1")).scalar_one()
        stocked = conn.execute(
            select(s.stock.c.item_id, func.sum(s.stock.c.qty))
            .join(s.cells, s.cells.c.id == s.stock.c.cell_id)
            .where(s.stock.c.site_id == site_id, s.cells.c.kind == "storage")
            .group_by(s.stock.c.item_id)
            .having(func.sum(s.stock.c.qty) >= 10)
            .order_by(s.stock.c.item_id)
            .limit(10)
        ).all()
        assert len(stocked) == 10
        customer = conn.execute(select(func.min(s.customers.c.id))).scalar_one()
        manager = conn.execute(select(s.users.c.id).where(s.users.c.login == "manager01")).scalar_one()
        order_id = conn.execute(
            insert(s.orders)
            .values(
                number="З-ТЕСТ-10", customer_id=customer, manager_id=manager, status="confirmed", source="office",
                created_at=NOW, deadline=NOW.date() + dt.timedelta(days=3), payment_form="prepayment",
                return_terms="standard", total_kop=0,
            )
            .returning(s.orders.c.id)
        ).scalar_one()  # fmt: skip
        for n, (item_id, _have) in enumerate(stocked):
            line_id = conn.execute(
                insert(s.order_lines).values(order_id=order_id, item_id=item_id, qty=1 + n % 2, price_kop=10_000)
                .returning(s.order_lines.c.id)
            ).scalar_one()  # fmt: skip
            conn.execute(
                insert(s.reservations).values(
                    order_line_id=line_id, item_id=item_id, site_id=site_id, qty=1 + n % 2, source="stock:W1",
                    created_at=NOW, expires_at=NOW + dt.timedelta(days=5), status="active",
                )
            )  # fmt: skip
    return "З-ТЕСТ-10"


def test_ten_line_pick_with_central_stopped(browser, mosquitto, central_url, tmp_path):
    engine = create_central_engine(central_url)
    address = BrokerAddress.parse(mosquitto.url)
    central = CentralSync(engine, address)
    central.start()
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path, mqtt_url=mosquitto.url))
    db = app.state.db
    try:
        with serve_app(app) as base:
            wait_until(lambda: state.get(db, "bootstrapped") == 1, 30, "central's snapshot")
            order = ten_line_order(engine)
            with engine.begin() as conn:
                issued = issue_pick_task(conn, order, "W1", NOW)
            assert issued.lines >= 10
            wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [issued.code]).fetchone(), 20, "task")
            central.stop()  # from here on the office is gone

            task_lines = db.execute(
                "SELECT j.value ->> 'sku', j.value ->> 'cell_id', j.value ->> 'qty', j.value ->> 'cell'"
                " FROM tasks, json_each(tasks.payload, '$.lines') AS j WHERE tasks.id = ?",
                [issued.code],
            ).fetchall()
            eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
            badge = db.execute("SELECT badge FROM staff WHERE role = 'picker' ORDER BY badge").fetchone()[0]
            assembly = db.execute("SELECT id FROM cells WHERE kind = 'assembly' ORDER BY address").fetchone()[0]

            page = browser.new_page(viewport={"width": 480, "height": 800})
            page.goto(base + "/?ws=ТСД-2")
            page.wait_for_function("document.body.dataset.ready === '1' && document.activeElement.id === 'badge'")
            wedge(page, badge)
            page.keyboard.type("1234")
            page.keyboard.press("Enter")
            try:
                page.wait_for_selector("#work:not([hidden])", timeout=5000)
            except Exception:
                raise AssertionError(page.locator("#message").inner_text() + " | " + badge) from None
            page.click("button[data-mode=pick]")
            page.wait_for_function("document.querySelector('#prompt').textContent === 'Отсканируйте задание на отбор'")
            page.focus("#scan")
            wedge(page, issued.code)
            page.wait_for_function("document.querySelector('#prompt').textContent.startsWith('Строка 1/')")
            for n, (sku, cell_id, qty, cell) in enumerate(task_lines, start=1):
                if n == 3:
                    wedge(page, cell_barcode(assembly))  # the wrong cell: refused, nothing moves
                    page.wait_for_function("document.body.dataset.beep === 'error'")
                    assert f"Нужна ячейка {cell}" in page.locator("#message").inner_text()
                wedge(page, cell_barcode(int(cell_id)))
                page.wait_for_function(f"document.querySelector('#message').textContent.startsWith('Ячейка {cell}')")
                for _unit in range(int(qty)):
                    wedge(page, eans[sku])
                page.wait_for_function(
                    f"document.querySelector('#message').textContent.startsWith('Строка {n} отобрана')"
                )
            page.wait_for_function("document.querySelector('#prompt').textContent.startsWith('Все строки отобраны')")
            page.click("#finish")
            page.wait_for_function("document.querySelector('#message').textContent.includes('завершено')")
            assert "недостача" not in page.locator("#message").inner_text()
            page.close()

            central = CentralSync(engine, address)
            central.start()
            newest = state.outbox_seq(db)
            wait_until(lambda: central_applied(engine, "W1") == newest, 30, "central to catch up")
            assert central_stock(engine, "W1") == edge_stock(tmp_path / "W1.db")
            with engine.connect() as conn:
                status = conn.execute(
                    select(s.dispatch_tasks.c.status).where(s.dispatch_tasks.c.id == issued.dispatch_task_id)
                ).scalar_one()
                at_assembly = conn.execute(
                    select(func.sum(s.stock.c.qty)).where(s.stock.c.cell_id == assembly)
                ).scalar_one()
            assert status == "done"
            assert at_assembly >= sum(int(line[2]) for line in task_lines)
    finally:
        central.stop()
