"""Serials end to end (WH-1, WH-6): units received, moved, picked, packed in a site-numbered box, counted and the
box shipped by its SSCC at the handheld while central is stopped; central then catches up over Mosquitto and
shows every unit where the site has it; a rebuilt edge starts from central's snapshot with the same serials."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from central.app import create_app
from central.auth.tokens import issue_token
from central.settings import CentralSettings
from central.store import schema as s
from devices.barcodes import cell_barcode, company_code
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from edge.terminal.session import Mode
from edge.warehouse.service import open_new_package, package_view, serial_rows
from tests.sync.helpers import central_stock, edge_stock, linked_site

WS = "ТСД-8"
TASK = company_code("task", 987_654)  # a task of the site's own for this test; central knows no such task


def test_serials_agree_after_scanning_with_central_down(mosquitto, central_url, tmp_path):
    with linked_site(mosquitto.url, central_url, tmp_path) as w1:
        engine, path, db = w1.engine, w1.path, w1.db
        sku, ean = db.execute("SELECT sku, ean13 FROM items WHERE serialized = 1 ORDER BY sku").fetchone()
        storage, other = (r[0] for r in db.execute("SELECT id FROM cells WHERE kind = 'storage' ORDER BY id LIMIT 2"))
        assembly = db.execute("SELECT id FROM cells WHERE kind = 'assembly' ORDER BY id").fetchone()[0]
        address_of = dict(db.execute("SELECT id, address FROM cells").fetchall())
        w1.stop_central()  # the office is away while the warehouse works

        terminals = Terminals(db, resolve)
        badge = db.execute("SELECT badge FROM staff WHERE role = 'picker' ORDER BY badge").fetchone()[0]
        assert terminals.login(WS, badge, "1234").ok

        def scans(mode: Mode, *codes: str) -> None:
            assert terminals.choose_mode(WS, mode).ok
            for code in codes:
                answer = terminals.scan(WS, code)
                assert answer.ok, (code, answer.message)

        scans("receive", ean, "E2E-1", ean, "E2E-2", f"010{ean}21E2E-3", ean, "E2E-4", cell_barcode(storage))
        refused = terminals.scan(WS, ean), terminals.scan(WS, "E2E-1"), terminals.scan(WS, cell_barcode(other))
        assert not refused[-1].ok and "уже на складе" in refused[-1].message
        scans("move", cell_barcode(storage), ean, "E2E-4", cell_barcode(other))
        lines = [{"sku": sku, "name": "—", "qty": 2, "cell_id": storage, "cell": address_of[storage]}]
        task = {"id": TASK, "kind": "pick", "order": "E2E", "customer": "—", "assembly_cell_id": assembly,
                "assembly_cell": address_of[assembly], "lines": lines}  # fmt: skip
        db.table("tasks").insert(
            {"id": TASK, "kind": "pick", "payload": json.dumps(task), "status": "new", "down_seq": 0,
             "received_at": "2026-11-25T10:00:00+00:00"}
        )  # fmt: skip
        scans("pick", TASK, cell_barcode(storage), ean, "E2E-1", ean, "E2E-2")
        assert terminals.finish(WS).ok
        scans("pack", cell_barcode(assembly))
        box = open_new_package(db, assembly, "4601234", 7, actor=f"badge:{badge}")
        scans("pack", cell_barcode(assembly), box, ean, "E2E-1", ean, "E2E-2")
        assert terminals.finish(WS).ok
        scans("count", cell_barcode(storage), ean, "E2E-3", ean, "E2E-9")
        assert terminals.finish(WS).ok
        scans("ship", TASK, box)

        at_edge = {row["serial"]: row for row in serial_rows(db, sku)}
        assert {k: (v["cell_id"], v["package"], v["status"]) for k, v in at_edge.items()} == {
            "E2E-1": (assembly, box, "shipped"),
            "E2E-2": (assembly, box, "shipped"),
            "E2E-3": (storage, None, "in_stock"),
            "E2E-4": (other, None, "in_stock"),
        }
        counted = json.loads(
            db.execute(
                "SELECT payload FROM outbox WHERE type = 'CellCounted' AND json_extract(payload, '$.sku') = ?", [sku]
            ).fetchone()[0]
        )
        assert ("missing" in counted, counted["extra"]) == (False, ["E2E-9"])  # an empty list is left out

        w1.start_central()
        w1.catch_up()
        assert central_stock(engine, "W1") == edge_stock(path)
        settings = CentralSettings(database_url=central_url)
        with engine.connect() as conn:
            user_id = conn.execute(select(s.users.c.id).where(s.users.c.role == "warehouse_manager")).scalar()
            held = conn.execute(select(s.sync_sites.c.held)).scalars().all()
        assert user_id is not None and not any(held)
        headers = {"Authorization": f"Bearer {issue_token(settings.secret_key.get_secret_value(), user_id)}"}
        with TestClient(create_app(settings, engine)) as client:
            for serial, row in at_edge.items():
                answer = client.get(f"/api/v1/serials/{sku}/{serial}", headers=headers)
                assert answer.status_code == 200, answer.text
                unit = answer.json()
                assert (unit["site"], unit["cell"], unit["package"], unit["status"], unit["seq"]) == (
                    "W1", row["cell"], row["package"], row["status"], row["seq"]
                )  # fmt: skip
            missing = client.get(f"/api/v1/serials/{sku}/E2E-9", headers=headers)
            assert missing.status_code == 404 and "не найден" in missing.json()["detail"]
            shipped = client.get(f"/api/v1/packages/{box}", headers=headers).json()
            assert shipped["status"] == "shipped" and shipped["contents"] == [{"sku": sku, "qty": 2}]

        # The site's disk is replaced: the new edge refuses a serial in stock and knows the shipped box.
        rebuilt = w1.rebuild_edge()
        assert serial_rows(rebuilt, sku) == serial_rows(db, sku)
        view = package_view(rebuilt, box)
        assert view is not None and view["status"] == "shipped"
        assert open_new_package(rebuilt, assembly, "4601234", 7, actor="t") > box  # never issued twice
