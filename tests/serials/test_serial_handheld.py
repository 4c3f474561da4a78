"""Serials at the handheld through the edge's API (WH-1, WH-6): the item's EAN then «Отсканируйте серийный номер»,
or a GS1 code with (21); quantities refused; undo; count lists missing and extra; «Новая коробка»; shipping a box
by its SSCC."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from devices.barcodes import company_code
from edge.app import create_app
from edge.settings import EdgeSettings
from tests.edge.site_data import BADGE, ITEMS, PIN, cell_code
from tests.serials.site import PUMP, PUMP_EAN, gs1, load_serial_site

WS = "ТСД-7"
TASK = company_code("task", 41)
K40 = ITEMS["K-40"][1]


@pytest.fixture
def client(tmp_path):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    load_serial_site(app.state.db)
    client = TestClient(app)
    assert client.post(f"/api/v1/terminal/{WS}/login", json={"badge": BADGE, "pin": PIN}).json()["ok"]
    return client


def scan(client, code):
    return client.post("/api/v1/scans", json={"workstation": WS, "code": code}).json()


def mode(client, name):
    return client.post(f"/api/v1/terminal/{WS}/mode", json={"mode": name}).json()


def act(client, action, body=None):
    return client.post(f"/api/v1/terminal/{WS}/{action}", json=body or {}).json()


def serials(client):
    return {row["serial"]: (row["cell"], row["package"], row["status"]) for row in client.get("/api/v1/serials").json()}


def receive(client, *codes, cell=900):
    mode(client, "receive")
    for code in codes:
        assert scan(client, code)["ok"]
    return scan(client, cell_code(cell))


def test_ean_then_serial_or_a_gs1_code_receives_each_unit_by_its_serial(client):
    mode(client, "receive")
    asked = scan(client, PUMP_EAN)
    assert asked["ok"] and asked["prompt"] == "Отсканируйте серийный номер: P-1 «Насос циркуляционный»"
    assert scan(client, "SN-0001")["ok"]
    both = scan(client, gs1("SN-0002"))
    assert both["ok"] and both["message"] == "Насос циркуляционный: 2 шт. (S/N SN-0002)"
    done = scan(client, cell_code(900))
    assert done["ok"] and done["message"] == "Принято 2 шт. в ячейку RCV-01"
    assert serials(client) == {"SN-0001": ("RCV-01", None, "in_stock"), "SN-0002": ("RCV-01", None, "in_stock")}
    assert client.get(f"/api/v1/serials?sku={PUMP}").json()[0]["sku"] == PUMP
    assert client.get("/api/v1/serials?sku=K-40").json() == []


def test_a_serial_already_in_stock_a_quantity_and_a_repeated_serial_are_refused(client):
    receive(client, gs1("SN1"))
    mode(client, "receive")
    assert scan(client, gs1("SN2"))["ok"]
    again = scan(client, gs1("SN2"))
    assert not again["ok"] and again["message"] == "Серийный номер SN2 уже отсканирован"
    typed = act(client, "qty", {"qty": 5})
    assert not typed["ok"] and "поштучно" in typed["message"]
    counted = scan(client, f"010{PUMP_EAN}375")  # GS1 (37): a count of 5
    assert not counted["ok"] and "поштучно" in counted["message"]
    assert scan(client, gs1("SN1"))["ok"]  # the step does not know; the site refuses it at the cell
    refused = scan(client, cell_code(101))
    assert not refused["ok"] and refused["message"] == "Серийный номер SN1 товара P-1 уже на складе в ячейке RCV-01"
    assert serials(client) == {"SN1": ("RCV-01", None, "in_stock")}


def test_a_code_that_is_no_serial_awaited_is_refused_and_undo_takes_back_the_serial(client):
    mode(client, "receive")
    stray = scan(client, "SN-LOOSE")
    assert not stray["ok"] and "не распознан" in stray["message"]
    scan(client, PUMP_EAN)
    wrong = scan(client, cell_code(900))
    assert (
        not wrong["ok"]
        and wrong["message"] == "Отсканируйте серийный номер товара P-1 «Насос циркуляционный» или «Отмена»"
    )
    assert scan(client, "SN-9")["ok"]
    undone = act(client, "undo")
    assert undone["ok"] and undone["prompt"] == "Отсканируйте товар"
    assert not scan(client, cell_code(900))["ok"]
    assert serials(client) == {}


def test_move_takes_the_serial_from_its_cell_only(client):
    receive(client, gs1("SN1"), gs1("SN2"))
    mode(client, "move")
    scan(client, cell_code(101))
    scan(client, gs1("SN1"))
    refused = scan(client, cell_code(102))
    assert (
        not refused["ok"] and refused["message"] == "Серийный номер SN1 товара P-1 в ячейке RCV-01, а не в A-01-01-01"
    )
    mode(client, "move")
    for code in (cell_code(900), PUMP_EAN, "SN1"):
        assert scan(client, code)["ok"]
    assert scan(client, cell_code(101))["ok"]
    assert serials(client) == {"SN1": ("A-01-01-01", None, "in_stock"), "SN2": ("RCV-01", None, "in_stock")}


def test_count_of_a_serialized_item_records_missing_and_extra_serials(client):
    receive(client, gs1("SN1"), gs1("SN2"), cell=101)
    mode(client, "count")
    for code in (cell_code(101), gs1("SN1"), gs1("SN7")):
        assert scan(client, code)["ok"]
    assert act(client, "finish")["ok"]
    db = client.app.state.db
    row = db.execute("SELECT payload FROM outbox WHERE type = 'CellCounted'").fetchone()
    fact = json.loads(row[0])
    assert (fact["book"], fact["counted"]) == (2, 2)
    assert (fact["serials"], fact["missing"], fact["extra"]) == (["SN1", "SN7"], ["SN2"], ["SN7"])


def pick_task(client) -> None:
    """Pick task 41 for order З-41: 2 pumps and 3 K-40 from A-01-01-01 into ASM-01, picked at the handheld."""
    receive(client, gs1("SN1"), gs1("SN2"), gs1("SN3"), cell=101)
    receive(client, K40, K40, K40, cell=101)
    lines = [
        {"sku": PUMP, "name": "Насос", "qty": 2, "cell_id": 101, "cell": "A-01-01-01"},
        {"sku": "K-40", "name": "Кронштейн", "qty": 3, "cell_id": 101, "cell": "A-01-01-01"},
    ]
    payload = {"id": TASK, "kind": "pick", "order": "З-41", "customer": "ООО «Ромашка»", "assembly_cell_id": 950,
               "assembly_cell": "ASM-01", "lines": lines}  # fmt: skip
    client.app.state.db.table("tasks").insert(
        {"id": TASK, "kind": "pick", "payload": json.dumps(payload), "status": "new", "down_seq": 1,
         "received_at": "2026-11-25T10:00:00+00:00"}
    )  # fmt: skip
    mode(client, "pick")
    assert scan(client, TASK)["ok"] and scan(client, cell_code(101))["ok"]
    typed = act(client, "qty", {"qty": 2})
    assert not typed["ok"] and "поштучно" in typed["message"]
    wrong = scan(client, gs1("SN9"))  # not in stock anywhere: the cell's units all have their serials
    assert wrong["ok"]  # counted in the step; the site refuses when the line completes
    assert not scan(client, gs1("SN1"))["ok"]
    mode(client, "pick")
    assert scan(client, TASK)["ok"] and scan(client, cell_code(101))["ok"]
    assert scan(client, gs1("SN1"))["ok"] and scan(client, gs1("SN2"))["ok"]
    assert scan(client, cell_code(101))["ok"] and act(client, "qty", {"qty": 3})["ok"]
    assert act(client, "finish")["ok"]


def test_a_new_box_gets_the_sites_next_sscc_and_the_box_ships_whole_by_it(client):
    pick_task(client)
    assert serials(client)["SN1"] == ("ASM-01", None, "in_stock")
    mode(client, "pack")
    not_yet = client.post("/api/v1/packages/new", json={"workstation": WS}).json()
    assert (
        not not_yet["ok"] and not_yet["message"] == "Сначала отсканируйте ячейку упаковки" and not_yet["sscc"] is None
    )
    assert scan(client, cell_code(950))["ok"]
    opened = client.post("/api/v1/packages/new", json={"workstation": WS}).json()
    box = opened["sscc"]
    assert box == "046012340000000017" and opened["ok"], opened
    assert opened["message"] == f"Упаковка {box} открыта в ячейке ASM-01"
    assert opened["prompt"].startswith(f"Упаковка {box}: 0 шт.")
    for code in (gs1("SN1"), PUMP_EAN, "SN2", K40, K40, K40):
        assert scan(client, code)["ok"]
    assert act(client, "finish")["ok"]
    assert serials(client)["SN2"] == ("ASM-01", box, "in_stock")
    label = client.post("/api/v1/labels/preview", json={"kind": "pallet", "sscc": box, "contents": "P-1 × 2"})
    assert label.status_code == 200 and label.headers["content-type"] == "image/png"

    mode(client, "ship")
    early = scan(client, box)
    assert not early["ok"] and early["message"] == "Сначала отсканируйте задание на отбор, затем паллету или коробку"
    ready = scan(client, TASK)
    assert ready["ok"] and ready["message"] == "Заказ З-41, ООО «Ромашка»: 5 шт. к отгрузке"
    shipped = scan(client, box)
    assert shipped["ok"] and shipped["message"] == f"Упаковка {box} отгружена: 5 шт. Заказ З-41 отгружен полностью"
    assert client.get("/api/v1/stock").json() == [{"sku": PUMP, "cell": "A-01-01-01", "qty": 1}]
    assert serials(client)["SN1"] == ("ASM-01", box, "shipped")
    assert client.get(f"/api/v1/packages/{box}").json()["status"] == "shipped"
    scan(client, TASK)
    again = scan(client, box)
    assert not again["ok"]
