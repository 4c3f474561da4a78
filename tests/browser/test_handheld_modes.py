"""Every mode of the handheld page in real headless Chromium, used as an operator does — badge and PIN, keyboard-wedge
scans, the on-screen buttons — with central stopped: what the screen says and sounds, and what the edge recorded
(its stock and scan journal APIs, its outbox). Receive and ship then start central and check it shows the facts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from central.store import schema as s
from central.store.engine import create_central_engine
from central.sync.worker import CentralSync
from central.warehouse.receipts import claims, send_expected_receipt
from devices.barcodes import cell_barcode
from devices.labels import BoxLabel, render_zpl
from devices.labels.sscc import sscc
from edge.app import create_app
from edge.settings import EdgeSettings
from edge.sync import state
from sync.transport import BrokerAddress
from tests.devices.test_labels_printer import FakePrinter
from tests.edge.site_data import BADGE, ITEMS, PIN, cell_code, load_site
from tests.services import CHROMIUM_ARGS, chromium_path, serve_app
from tests.sync.helpers import central_applied, central_stock, edge_stock, wait_until
from tests.sync.test_picking import issue_first_pickable

K40 = ITEMS["K-40"][1]
S16 = ITEMS["S-16"][1]
Answer = dict[str, Any]  # a JSON answer of the terminal API


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    """A label printer's raw TCP 9100 port on loopback that keeps every job it receives."""
    server = FakePrinter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- the operator's hands ----------------------------------------------------------------------------------------
def act(page: Page, do: Callable[[], None], path: str) -> Answer:
    """Do something on the page and wait until the screen shows the edge's answer to it; the answer."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)) as response:
        do()
    answer: Answer = response.value.json()
    page.wait_for_function(
        "a => document.querySelector('#message').textContent === a.message"
        " && document.querySelector('#prompt').textContent === a.prompt && document.body.dataset.beep === a.beep",
        arg=answer,
    )
    return answer


def wedge(page: Page, code: str) -> None:
    """What a keyboard-wedge scanner does: type the code into the focused field, then Enter."""
    page.keyboard.type(code, delay=1)
    page.keyboard.press("Enter")


def scan(page: Page, code: str) -> Answer:
    return act(page, lambda: wedge(page, code), "/api/v1/scans")


def press(page: Page, button: str, path: str) -> Answer:
    """Press an on-screen button (``#finish``, ``#undo``, ``#defective``) with a finger."""
    return act(page, lambda: page.click(button), path)


def quantity(page: Page, qty: int) -> Answer:
    """«Количество»: the keypad dialog, answered with ``qty``."""
    page.once("dialog", lambda dialog: dialog.accept(str(qty)))
    return press(page, "#qty", "/qty")


def sign_in(browser: Browser, base: str, workstation: str, badge: str, pin: str) -> Page:
    page = browser.new_page(viewport={"width": 480, "height": 800})
    page.goto(f"{base}/?ws={workstation}")
    page.wait_for_function("document.body.dataset.ready === '1' && document.activeElement.id === 'badge'")
    wedge(page, badge)
    page.keyboard.type(pin)
    page.keyboard.press("Enter")
    page.wait_for_selector("#work:not([hidden])")
    return page


def choose(page: Page, mode: str) -> Answer:
    return act(page, lambda: page.click(f"button[data-mode={mode}]"), "/mode")


def shown(page: Page) -> tuple[str, str, str]:
    """What the screen says and sounds: (message, its colour class, the beep)."""
    message = page.locator("#message")
    beep = page.evaluate("document.body.dataset.beep")
    return message.inner_text(), str(message.get_attribute("class")), str(beep)


def refused(page: Page, answer: Answer, says: str) -> None:
    assert answer["ok"] is False and says in str(answer["message"]), answer
    text, colour, beep = shown(page)
    assert says in text and colour == "message error" and beep == "error"


def accepted(page: Page, answer: Answer, says: str) -> None:
    assert answer["ok"] is True and str(answer["message"]).startswith(says), answer
    text, colour, beep = shown(page)
    assert text.startswith(says) and colour == "message ok" and beep == "ok"


def stock(base: str) -> dict[tuple[str, str], int]:
    return {(r["sku"], r["cell"]): r["qty"] for r in httpx.get(base + "/api/v1/stock").json()}


def journal(base: str, limit: int) -> list[dict[str, object]]:
    return list(httpx.get(base + "/api/v1/scans", params={"limit": limit}).json())


def outbox(db, event_type: str) -> list[dict[str, object]]:
    rows = db.execute("SELECT payload FROM outbox WHERE type = ? ORDER BY seq", [event_type]).fetchall()
    return [json.loads(row[0]) for row in rows]


# --- modes on the small test site, the edge alone --------------------------------------------------------------------
def small_site(tmp_path: Path, printers: list[str] | None = None):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path, printers=printers or []))
    load_site(app.state.db)
    return app


def receive_loose(page: Page, code: str, qty: int, cell: int) -> None:
    """Put ``qty`` units into a cell in «Приёмка» without a supply document (the opening stock of a test)."""
    choose(page, "receive")
    scan(page, code)
    quantity(page, qty)
    accepted(page, scan(page, cell_code(cell)), f"Принято {qty} шт.")


def test_move_item_by_item_a_wrong_cell_refused_and_undo(browser, tmp_path):
    app = small_site(tmp_path)
    with serve_app(app) as base:
        page = sign_in(browser, base, "ТСД-1", BADGE, PIN)
        receive_loose(page, K40, 5, 900)

        assert choose(page, "move")["prompt"] == "Отсканируйте ячейку-источник"
        # Put-away unit by unit: RCV-01 → A-01-01-01, one scan of the item per unit.
        for moved in (1, 2):
            scan(page, cell_code(900))
            assert scan(page, K40)["prompt"] == "Кронштейн стальной 40×40: 1 шт. Ещё товар или ячейка назначения"
            accepted(page, scan(page, cell_code(101)), "Перемещено 1 шт. из RCV-01 в A-01-01-01")
            assert stock(base) == {("K-40", "A-01-01-01"): moved, ("K-40", "RCV-01"): 5 - moved}

        # A cell that is not this site's is refused and the step stays.
        scan(page, cell_code(900))
        scan(page, K40)
        wrong = scan(page, cell_code(777))
        refused(page, wrong, "Ячейка 777 не принадлежит этой площадке")
        assert wrong["prompt"] == "Кронштейн стальной 40×40: 1 шт. Ещё товар или ячейка назначения"
        # A second unit scanned by mistake: «Отменить» takes it back before anything is recorded.
        assert scan(page, K40)["prompt"].startswith("Кронштейн стальной 40×40: 2 шт.")
        taken_back = press(page, "#undo", "/undo")
        assert taken_back["prompt"].startswith("Кронштейн стальной 40×40: 1 шт.")
        assert stock(base) == {("K-40", "A-01-01-01"): 2, ("K-40", "RCV-01"): 3}
        accepted(page, scan(page, cell_code(102)), "Перемещено 1 шт. из RCV-01 в A-01-01-02")
        # An empty source: the move is refused when it would complete, nothing moves.
        scan(page, cell_code(102))
        scan(page, S16)
        refused(page, scan(page, cell_code(101)), "В ячейке A-01-01-02 нет товара S-16")
        page.close()

        assert stock(base) == {("K-40", "A-01-01-01"): 2, ("K-40", "A-01-01-02"): 1, ("K-40", "RCV-01"): 2}
        moves = outbox(app.state.db, "UnitsMoved")
        assert [(m["to_cell_id"], m["qty"]) for m in moves] == [(101, 1), (101, 1), (102, 1)]
        latest = journal(base, 3)
        assert [j["outcome"] for j in latest] == ["refused", "ok", "ok"]
        assert latest[0]["code"] == cell_code(101) and latest[0]["source"] == "browser:ТСД-1"
        assert "нет товара S-16" in str(latest[0]["message"])
        assert [j["outcome"] for j in journal(base, 20) if j["code"] == cell_code(777)] == ["invalid"]


def test_blind_count_sends_book_and_counted(browser, tmp_path):
    app = small_site(tmp_path)
    with serve_app(app) as base:
        page = sign_in(browser, base, "ТСД-2", BADGE, PIN)
        receive_loose(page, K40, 5, 101)
        receive_loose(page, S16, 2, 101)

        assert choose(page, "count")["prompt"] == "Отсканируйте ячейку для пересчёта"
        opened = scan(page, cell_code(101))
        assert opened["prompt"] == "Ячейка A-01-01-01: 0 шт. Сканируйте товар или «Завершить»"
        for n in (1, 2, 3):
            counted = scan(page, K40)
            assert counted["prompt"] == f"Ячейка A-01-01-01: {n} шт. Сканируйте товар или «Завершить»"
        # Blind: the book (5 and 2) is never on the screen while counting.
        assert "5" not in page.locator("#prompt").inner_text() + page.locator("#message").inner_text()
        accepted(page, press(page, "#finish", "/finish"), "Пересчёт ячейки A-01-01-01 записан")
        page.close()

        sent = {c["sku"]: (c["cell_id"], c["book"], c["counted"]) for c in outbox(app.state.db, "CellCounted")}
        assert sent == {"K-40": (101, 5, 3), "S-16": (101, 2, 0)}  # the unscanned item counted as 0
        # Nothing changes in stock until the office approves the sheet.
        assert stock(base) == {("K-40", "A-01-01-01"): 5, ("S-16", "A-01-01-01"): 2}
        assert journal(base, 1)[0]["code"] == "finish"


def test_pack_boxes_print_a_label_and_a_pallet(browser, tmp_path, printer):
    app = small_site(tmp_path, [f"Упаковка-1=127.0.0.1:{printer.port}"])
    box1, box2, pallet = sscc("4601234", 201), sscc("4601234", 202), sscc("4601234", 203, extension=3)
    with serve_app(app) as base:
        page = sign_in(browser, base, "ТСД-3", BADGE, PIN)
        receive_loose(page, K40, 5, 101)

        choose(page, "pack")
        assert scan(page, cell_code(101))["prompt"].startswith("Ячейка A-01-01-01. Отсканируйте этикетку SSCC")
        scan(page, box1)
        scan(page, K40)
        assert scan(page, K40)["prompt"].startswith(f"Упаковка {box1}: 2 шт.")
        assert page.locator("#label").is_hidden()
        accepted(page, press(page, "#finish", "/finish"), f"Упаковка {box1} закрыта")
        assert page.locator("#label").is_visible()

        with page.expect_response(lambda r: r.url.endswith("/api/v1/labels/print")) as printed:
            page.click("#label")
        assert printed.value.ok
        page.wait_for_function("document.querySelector('#message').textContent.startsWith('Этикетка')")
        assert page.locator("#message").inner_text() == f"Этикетка {box1} отправлена на Упаковка-1"
        assert printer.received.wait(10)
        expected = render_zpl(BoxLabel("—", "", 1, 1, "K-40 × 2", box1, None), (58, 40), 203)
        assert printer.jobs == [expected.encode("utf-8")]
        assert box1 in printer.jobs[0].decode("utf-8")

        scan(page, box2)
        scan(page, K40)
        accepted(page, press(page, "#finish", "/finish"), f"Упаковка {box2} закрыта")
        refused(page, scan(page, box1), box1)  # a closed box is not reopened
        scan(page, pallet)
        scan(page, box1)
        scan(page, box2)
        accepted(page, press(page, "#finish", "/finish"), f"Упаковка {pallet} закрыта")
        page.close()

        view = httpx.get(f"{base}/api/v1/packages/{pallet}").json()
        assert view["status"] == "closed" and view["kind"] == "pallet"
        assert sorted(str(child["sscc"]) for child in view["children"]) == sorted([box1, box2])
        assert view["contents"] == [{"sku": "K-40", "qty": 3}]
        assert stock(base) == {("K-40", "A-01-01-01"): 5}  # packing moves nothing out of the cell
        assert [e["package"] for e in outbox(app.state.db, "PackageClosed")] == [box1, box2, pallet]


# --- receive and ship on the demo company's site W1, central stopped while the operator works ------------------------
def edge_of_central(tmp_path: Path, mosquitto, engine):
    """Site W1's edge bootstrapped from central through the broker: (app, central's sync worker, broker address)."""
    address = BrokerAddress.parse(mosquitto.url)
    central = CentralSync(engine, address)
    central.start()
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path, mqtt_url=mosquitto.url))
    return app, central, address


def catch_up(engine, address, app, tmp_path: Path) -> CentralSync:
    """Start central again and wait until it has applied everything the edge recorded."""
    central = CentralSync(engine, address)
    central.start()
    newest = state.outbox_seq(app.state.db)
    wait_until(lambda: central_applied(engine, "W1") == newest, 30, "central to catch up")
    assert central_stock(engine, "W1") == edge_stock(tmp_path / "W1.db")
    return central


def test_receive_against_the_expected_receipt_over_under_defective_and_closed(
    browser, mosquitto, central_url, tmp_path
):
    engine = create_central_engine(central_url)
    app, central, address = edge_of_central(tmp_path, mosquitto, engine)
    db = app.state.db
    try:
        with serve_app(app) as base:
            wait_until(lambda: state.get(db, "bootstrapped") == 1, 30, "central's snapshot")
            with engine.connect() as conn:
                number = conn.execute(
                    select(s.supply_orders.c.number).where(s.supply_orders.c.status == "open").order_by(s.supply_orders.c.id)
                ).scalars().first()  # fmt: skip
            assert number is not None
            with engine.begin() as conn:
                code = send_expected_receipt(conn, number, "W1")
            wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [code]).fetchone(), 20, "the receipt")
            central.stop()  # from here on the office is gone

            lines = json.loads(db.execute("SELECT payload FROM tasks WHERE id = ?", [code]).fetchone()[0])["lines"]
            assert len(lines) >= 2
            first, second = lines[0], lines[1]
            eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
            stranger = next(sku for sku in sorted(eans) if sku not in {line["sku"] for line in lines})
            receiving = db.execute("SELECT id, address FROM cells WHERE kind = 'receiving' ORDER BY id").fetchone()
            badge = db.execute("SELECT badge FROM staff WHERE role = 'warehouse_manager' ORDER BY badge").fetchone()[0]
            before = stock(base)

            page = sign_in(browser, base, "ТСД-4", badge, "1234")
            choose(page, "receive")
            assert page.locator("#defective").is_visible()
            started = scan(page, code)
            accepted(page, started, "")  # the message names the supply order and the supplier
            assert number in str(started["message"])
            assert str(started["prompt"]).startswith(f"Поставка {number}: принято 0 из")
            refused(page, scan(page, eans[stranger]), "не заказан")  # not on the supply order: not taken
            # Line 1: two more than ordered go into the receiving cell …
            scan(page, eans[first["sku"]])
            quantity(page, first["expected"] + 2)
            accepted(page, scan(page, cell_barcode(receiving[0])), f"Принято {first['expected'] + 2} шт.")
            # … and three defective units on top: recorded with «Брак», not put into stock.
            scan(page, eans[first["sku"]])
            quantity(page, 3)
            defect = press(page, "#defective", "/defective")
            assert defect["ok"] and "Брак" in str(defect["message"]), defect
            # Line 2: one short. The other lines: nothing arrived.
            scan(page, eans[second["sku"]])
            quantity(page, second["expected"] - 1)
            accepted(page, scan(page, cell_barcode(receiving[0])), f"Принято {second['expected'] - 1} шт.")
            closed = press(page, "#finish", "/finish")
            assert closed["ok"] and "Расхождения" in str(closed["message"]), closed
            assert shown(page)[1:] == ("message ok", "ok")
            refused(page, scan(page, code), "уже завершена")  # a closed receipt is not scanned again
            page.close()

            after = stock(base)
            grown = {key: qty - before.get(key, 0) for key, qty in after.items() if qty != before.get(key, 0)}
            assert grown == {
                (first["sku"], receiving[1]): first["expected"] + 2,
                (second["sku"], receiving[1]): second["expected"] - 1,
            }
            [not_ordered] = [j for j in journal(base, 50) if j["code"] == eans[stranger]]
            assert not_ordered["outcome"] == "refused" and "не заказан" in str(not_ordered["message"])
            [closing] = outbox(db, "ReceiptClosed")
            assert closing["receipt"] == code
            assert db.execute("SELECT status FROM tasks WHERE id = ?", [code]).fetchone()[0] == "done"

            central = catch_up(engine, address, app, tmp_path)
            with engine.connect() as conn:
                register = {c["sku"]: c for c in claims(conn) if c["receipt"] == code}
                receipt_status = conn.execute(
                    select(s.expected_receipts.c.status).where(s.expected_receipts.c.code == code)
                ).scalar_one()
            assert receipt_status == "closed"
            assert register[first["sku"]]["over"] == 2 and register[first["sku"]]["defective"] == 3
            assert register[second["sku"]]["under"] == 1
            assert stranger not in register
    finally:
        central.stop()


def test_ship_a_picked_task(browser, mosquitto, central_url, tmp_path):
    engine = create_central_engine(central_url)
    app, central, address = edge_of_central(tmp_path, mosquitto, engine)
    db = app.state.db
    try:
        with serve_app(app) as base:
            wait_until(lambda: state.get(db, "bootstrapped") == 1, 30, "central's snapshot")
            order, code, _lines = issue_first_pickable(engine)
            wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [code]).fetchone(), 20, "the task")
            central.stop()  # from here on the office is gone

            task = json.loads(db.execute("SELECT payload FROM tasks WHERE id = ?", [code]).fetchone()[0])
            eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
            badge = db.execute("SELECT badge FROM staff WHERE role = 'picker' ORDER BY badge").fetchone()[0]
            page = sign_in(browser, base, "ТСД-5", badge, "1234")

            choose(page, "ship")
            assert page.locator("#finish").inner_text() == "Отгрузить"
            refused(page, scan(page, code), "ещё не собрано")  # not picked yet
            choose(page, "pick")
            scan(page, code)
            for line in task["lines"]:
                scan(page, cell_barcode(line["cell_id"]))
                scan(page, eans[line["sku"]])
                if line["qty"] > 1:
                    quantity(page, line["qty"])
            done = press(page, "#finish", "/finish")
            assert done["ok"] and "завершено" in str(done["message"]) and "недостача" not in str(done["message"]), done

            choose(page, "ship")
            units = sum(line["qty"] for line in task["lines"])
            ready = scan(page, code)
            accepted(page, ready, f"Заказ {order}")
            assert f"{units} шт. в {task['assembly_cell']}" in str(ready["prompt"])
            before = stock(base)
            shipped = press(page, "#finish", "/finish")
            accepted(page, shipped, f"Отгружено по заказу {order}: {units} шт.")
            refused(page, scan(page, code), "нечего отгружать")
            page.close()

            after = stock(base)
            left = {sku: before.get((sku, task["assembly_cell"]), 0) - after.get((sku, task["assembly_cell"]), 0)
                    for sku in {line["sku"] for line in task["lines"]}}  # fmt: skip
            wanted: dict[str, int] = {}
            for line in task["lines"]:
                wanted[line["sku"]] = wanted.get(line["sku"], 0) + line["qty"]
            assert left == wanted
            events = [e for e in outbox(db, "UnitsShipped") if e["shipment"] == code]
            assert {e["sku"]: e["qty"] for e in events} == wanted
            assert sorted(shipped["event_seqs"]) == [
                r[0] for r in db.execute(
                    "SELECT seq FROM outbox WHERE type = 'UnitsShipped' AND payload ->> 'shipment' = ? ORDER BY seq",
                    [code],
                )
            ]  # fmt: skip

            central = catch_up(engine, address, app, tmp_path)
            with engine.connect() as conn:
                shipment = conn.execute(
                    select(s.shipments.c.task_received_at, s.shipments.c.shipped_at, s.orders.c.status)
                    .join(s.orders, s.orders.c.id == s.shipments.c.order_id)
                    .where(s.orders.c.number == order)
                ).one()
            assert shipment.status == "shipped" and shipment.task_received_at <= shipment.shipped_at
    finally:
        central.stop()
