"""What an edge runs beside its web server: found broker, its own announcement, scanners bound to workstations."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import EdgeSettings
from edge.store import open_site_database
from sync.discovery import ServiceDirectory, announce_broker
from tests.devices.ptys import Pty
from tests.edge.site_data import BADGE, ITEMS, PIN, load_site
from tests.sync.helpers import wait_until


def test_edge_announces_itself_and_finds_the_broker_by_zeroconf(mosquitto, tmp_path):
    broker = announce_broker(mosquitto.port, "127.0.0.1")
    directory = ServiceDirectory()
    try:
        settings = EdgeSettings(site="Z7", data_dir=tmp_path, zeroconf=True, port=18123, host="127.0.0.1")
        with TestClient(create_app(settings)) as client:
            wait_until(lambda: client.get("/api/v1/sync").json()["connected"], 30, "the edge to find the broker")
            assert directory.wait_for(lambda seen: "Z7" in seen and seen["Z7"].present, 30)
            entry = directory.get("Z7")
            assert entry is not None and entry.port == 18123
    finally:
        directory.close()
        broker.close()


def test_a_serial_scanner_scans_into_its_workstation(tmp_path):
    pty = Pty(tmp_path / "ttyACM0")
    db = open_site_database(tmp_path / "W1.db")
    load_site(db)
    db.conn.close()
    spec = f"serial:{pty.link}?workstation=ТСД-9"
    with TestClient(create_app(EdgeSettings(site="W1", data_dir=tmp_path, scanners=[spec]))) as client:
        assert client.post("/api/v1/terminal/ТСД-9/login", json={"badge": BADGE, "pin": PIN}).json()["ok"]
        assert client.post("/api/v1/terminal/ТСД-9/mode", json={"mode": "receive"}).json()["ok"]
        ean = ITEMS["K-40"][1]
        pty.write(ean.encode() + b"\r\n")

        def journalled() -> bool:
            rows = client.get("/api/v1/scans", params={"limit": 5}).json()
            return any(r["code"] == ean for r in rows)

        wait_until(journalled, 10, "the serial scan in the journal")
        row = next(r for r in client.get("/api/v1/scans", params={"limit": 5}).json() if r["code"] == ean)
        assert row["workstation"] == "ТСД-9"
        assert row["source"].startswith("serial:")
        assert row["outcome"] == "ok", json.dumps(row, ensure_ascii=False)
        last = client.get("/api/v1/terminal/ТСД-9/last").json()
        assert last["serial"] >= 3 and last["ok"] and "1 шт." in last["prompt"]
