"""The handheld's real path over HTTP: login, scans, refusals, undo, counts, and the scan journal."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import EdgeSettings
from tests.edge.site_data import BADGE, ITEMS, PIN, cell_code, load_site
from tests.edge.test_disk_full import fill
from tests.sync.helpers import wait_until

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


# --- group commit: many terminals at once --------------------------------------------------------------------
S16 = ITEMS["S-16"][1]
BAD = K40[:-1] + str((int(K40[-1]) + 1) % 10)


@pytest.fixture
def terminals(tmp_path):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    load_site(app.state.db)
    return app.state.terminals


def sign_in(terminals, workstation: str, mode_name: str) -> None:
    assert terminals.login(workstation, BADGE, PIN).ok
    assert terminals.choose_mode(workstation, mode_name).ok


def in_parallel(*calls):
    """Run each call in its own thread at once; their answers in the order given."""
    answers: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            answers[n] = calls[n]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return answers


def outbox_seqs(terminals) -> list[int]:
    return [row[0] for row in terminals.db.execute("SELECT seq FROM outbox ORDER BY seq")]


def test_concurrent_terminals_every_acknowledged_scan_is_in_the_outbox_exactly_once(terminals):
    receivers = [f"ТСД-П{n}" for n in range(10)]
    movers = [f"ТСД-М{n}" for n in range(6)]
    for ws in receivers:
        sign_in(terminals, ws, "receive")
    for ws in movers:
        sign_in(terminals, ws, "move")

    def receive(ws: str):
        answers = []
        for n in range(40):
            if n % 5 == 4:
                answers.append(terminals.scan(ws, BAD))  # refused before anything is written
            for code in (K40, K40, cell_code(900)):
                answers.append(terminals.scan(ws, code))
        return answers

    def move(ws: str):
        answers = []
        for n in range(60):
            source = cell_code(102) if n % 4 == 3 else cell_code(900)  # A-01-01-02 never holds anything
            for code in (source, K40, cell_code(101)):
                answers.append(answer := terminals.scan(ws, code))
            if not answer.ok:  # refused at the destination: start the step again
                terminals.choose_mode(ws, "move")
        return answers

    per_terminal = in_parallel(
        *[lambda ws=ws: receive(ws) for ws in receivers], *[lambda ws=ws: move(ws) for ws in movers]
    )
    answers = [a for got in per_terminal for a in got]
    acknowledged = [seq for a in answers if a.ok for seq in a.event_seqs]
    assert len(acknowledged) == len(set(acknowledged))
    # Every acknowledged event is in the outbox once, nothing else is, and the sequence has no gap.
    assert outbox_seqs(terminals) == sorted(acknowledged) == list(range(1, len(acknowledged) + 1))
    received = [a for a in answers if a.ok and a.message.startswith("Принято")]
    moved = [a for a in answers if a.ok and a.message.startswith("Перемещено")]
    refused_moves = [a for a in answers if not a.ok and "В ячейке" in a.message]
    assert len(received) == 10 * 40 and len(acknowledged) == len(received) + len(moved)
    assert len(refused_moves) >= 6 * 15  # every fourth move of each mover, and any that lost the race for RCV-01
    stock = dict(terminals.db.execute("SELECT cell_id, qty FROM stock WHERE sku = 'K-40'").fetchall())
    assert stock.get(101, 0) == len(moved)
    assert stock.get(900, 0) == 2 * len(received) - len(moved)
    outcomes = dict(terminals.db.execute("SELECT outcome, count(*) FROM scans GROUP BY outcome").fetchall())
    assert outcomes == {
        "ok": len([a for a in answers if a.ok]),
        "invalid": 10 * 8,
        "refused": len(refused_moves),
    }


def test_scans_waiting_for_a_commit_share_the_next_one_and_a_refusal_takes_back_only_itself(terminals):
    sign_in(terminals, "ТСД-1", "receive")
    sign_in(terminals, "ТСД-2", "move")
    sign_in(terminals, "ТСД-3", "receive")
    for ws in ("ТСД-1", "ТСД-3"):
        assert terminals.scan(ws, K40).ok
    assert terminals.scan("ТСД-2", cell_code(102)).ok
    assert terminals.scan("ТСД-2", S16).ok
    commits = terminals.commits
    with terminals.lock:  # a COMMIT in flight: the three scans queue for the next group
        threads = Parallel(
            lambda: terminals.scan("ТСД-1", cell_code(900)),
            lambda: terminals.scan("ТСД-2", cell_code(101)),  # A-01-01-02 holds no S-16: refused
            lambda: terminals.scan("ТСД-3", cell_code(900)),
        )
        wait_until(lambda: terminals.queued == 3, 10, "three scans waiting for the group")
    first, refused, third = threads.answers()
    assert terminals.commits == commits + 1
    assert first.ok and third.ok and refused.ok is False
    assert refused.message.startswith("В ячейке A-01-01-02 нет товара S-16")
    assert refused.prompt.startswith("Саморез 4,2×16 оцинк.: 1 шт.")  # the refused step stays
    assert sorted(first.event_seqs + third.event_seqs) == outbox_seqs(terminals) == [1, 2]
    assert terminals.db.execute("SELECT qty FROM stock WHERE sku = 'K-40' AND cell_id = 900").fetchone()[0] == 2
    assert [r[0] for r in terminals.db.execute("SELECT outcome FROM scans ORDER BY id DESC LIMIT 3")].count("ok") == 2


def test_a_failing_group_answers_every_scan_with_the_error_and_writes_nothing(terminals):
    workstations = ["ТСД-1", "ТСД-2", "ТСД-3"]
    for ws in workstations:
        sign_in(terminals, ws, "receive")
        assert terminals.scan(ws, K40).ok
    db = terminals.db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute(f"PRAGMA max_page_count = {pages}")  # no room to grow: SQLite answers as for a full disk
    fill(db, "INSERT INTO scans (at, workstation, source, code, outcome, message) VALUES ('t', 'w', 's', 'c', 'ok', ?)")
    journal_rows = db.execute("SELECT count(*) FROM scans").fetchone()[0]
    with terminals.lock:
        threads = Parallel(*[lambda ws=ws: terminals.scan(ws, cell_code(900)) for ws in workstations])
        wait_until(lambda: terminals.queued == 3, 10, "three scans waiting for the group")
    answers = threads.answers()
    for answer in answers:
        assert answer.ok is False and answer.beep == "error"
        assert "НЕ записан" in answer.message and "места" in answer.message
        assert answer.prompt.startswith("Кронштейн стальной 40×40: 1 шт.")  # the step stays, to be scanned again
    assert outbox_seqs(terminals) == []
    assert db.execute("SELECT count(*) FROM stock").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == journal_rows

    db.execute("PRAGMA max_page_count = 1073741823")  # space freed: the same scans go through
    again = in_parallel(*[lambda ws=ws: terminals.scan(ws, cell_code(900)) for ws in workstations])
    assert all(a.ok for a in again)
    assert outbox_seqs(terminals) == [1, 2, 3]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class Parallel:
    """Start each call in its own thread now; ``answers()`` joins them and returns their answers in order."""

    def __init__(self, *calls) -> None:
        self.results: list[object] = [None] * len(calls)
        self.threads = [threading.Thread(target=self._run, args=(n, call)) for n, call in enumerate(calls)]
        for thread in self.threads:
            thread.start()

    def _run(self, n: int, call) -> None:
        self.results[n] = call()

    def answers(self) -> list[Any]:
        for thread in self.threads:
            thread.join()
        return self.results
