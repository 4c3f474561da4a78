"""The handheld's real path over HTTP: login, scans, refusals, undo, counts, and the scan journal."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import EdgeSettings
from tests.edge.site_data import BADGE, ITEMS, PIN, cell_code, load_site

WS = "ТСД-1"
K40 = ITEMS["K-40"][1]


@pytest.fixture
def client(tmp_path):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    load_site(app.state.db)
    client = TestClient(app)
    assert client.post(f"/api/v1/terminal/{WS}/login", json={"badge": BADGE, "pin": PIN}).json()["ok"]
    return client


def scan(client, code):
    return client.post("/api/v1/scans", json={"workstation": WS, "code": code}).json()


def mode(client, name):
    return client.post(f"/api/v1/terminal/{WS}/mode", json={"mode": name}).json()


def test_scans_before_login_are_refused(tmp_path):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    load_site(app.state.db)
    answer = TestClient(app).post("/api/v1/scans", json={"workstation": "X", "code": K40}).json()
    assert answer["ok"] is False
    assert answer["beep"] == "error"
    assert answer["message"] == "Войдите: отсканируйте бейдж и введите PIN-код"


def test_wrong_pin_is_refused(tmp_path):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    load_site(app.state.db)
    answer = TestClient(app).post(f"/api/v1/terminal/{WS}/login", json={"badge": BADGE, "pin": "0000"}).json()
    assert answer == {
        "ok": False,
        "beep": "error",
        "message": "Неверный бейдж или PIN-код",
        "prompt": "Отсканируйте бейдж",
        "mode": "login",
        "operator": None,
        "event_seqs": [],
        "serial": 1,  # the workstation's first answer
    }


def test_receive_then_move_by_scanning(client):
    mode(client, "receive")
    scan(client, K40)
    scan(client, K40)
    done = scan(client, cell_code(900))
    assert done["ok"] and done["beep"] == "ok"
    assert done["message"] == "Принято 2 шт. в ячейку RCV-01"
    assert done["event_seqs"] == [1]
    mode(client, "move")
    scan(client, cell_code(900))
    scan(client, K40)
    moved = scan(client, cell_code(101))
    assert moved["message"] == "Перемещено 1 шт. из RCV-01 в A-01-01-01"
    assert client.get("/api/v1/stock").json() == [
        {"sku": "K-40", "cell": "A-01-01-01", "qty": 1},
        {"sku": "K-40", "cell": "RCV-01", "qty": 1},
    ]


def test_wrong_cell_is_refused_with_the_reason_and_the_step_stays(client):
    mode(client, "move")
    scan(client, cell_code(102))
    scan(client, K40)
    refused = scan(client, cell_code(101))
    assert refused["ok"] is False
    assert refused["beep"] == "error"
    assert refused["message"] == "В ячейке A-01-01-02 нет товара K-40 «Кронштейн стальной 40×40»"
    assert refused["prompt"] == "Кронштейн стальной 40×40: 1 шт. Ещё товар или ячейка назначения"
    assert client.get("/api/v1/stock").json() == []


def test_invalid_barcode_is_refused_not_guessed(client):
    mode(client, "receive")
    bad = K40[:-1] + str((int(K40[-1]) + 1) % 10)
    answer = scan(client, bad)
    assert answer["ok"] is False
    assert bad in answer["message"]


def test_unknown_item_is_refused(client):
    from tests.edge.site_data import ean13

    answer = scan(client, ean13("460999999999"))
    assert answer["ok"] is False
    assert "не найден в справочнике" in answer["message"]


def test_undo_and_typed_quantity(client):
    mode(client, "receive")
    scan(client, K40)
    scan(client, K40)
    assert client.post(f"/api/v1/terminal/{WS}/undo").json()["prompt"].startswith("Кронштейн стальной 40×40: 1 шт.")
    client.post(f"/api/v1/terminal/{WS}/qty", json={"qty": 12})
    assert scan(client, cell_code(900))["message"] == "Принято 12 шт. в ячейку RCV-01"


def test_blind_count_and_journal(client):
    mode(client, "receive")
    scan(client, K40)
    scan(client, cell_code(900))
    mode(client, "count")
    scan(client, cell_code(900))
    finished = client.post(f"/api/v1/terminal/{WS}/finish").json()
    assert finished["message"] == "Пересчёт ячейки RCV-01 записан"
    journal = client.get("/api/v1/scans?limit=3").json()
    assert [j["outcome"] for j in journal] == ["ok", "ok", "ok"]
    assert journal[0]["code"] == "finish"
    assert journal[1]["code"] == cell_code(900)
    assert journal[1]["source"] == "browser"
    assert journal[1]["operator"] == BADGE


def test_journal_limit_is_validated(client):
    assert client.get("/api/v1/scans?limit=0").status_code == 422
