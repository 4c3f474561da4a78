"""The scanner simulator against a real edge over HTTP, synced through a real Mosquitto to central."""

from __future__ import annotations

import json
from collections import defaultdict

import httpx
import pytest
from click.testing import CliRunner

from central.store.engine import create_central_engine
from central.sync.worker import CentralSync
from edge.app import create_app
from edge.settings import EdgeSettings
from edge.simulator import (
    DatabaseFacts,
    EdgeApiFacts,
    SimulationError,
    damaged,
    plan,
    plan_digest,
    read_stock,
    reason_of,
    run_simulation,
    simulate_scans,
)
from sync.transport import BrokerAddress
from tests.services import serve_app
from tests.sync.helpers import central_applied, central_stock, wait_until


def test_simulated_scans_reach_central_exactly(mosquitto, central_url, tmp_path):
    engine = create_central_engine(central_url)
    worker = CentralSync(engine, BrokerAddress.parse(mosquitto.url))
    worker.start()
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path, mqtt_url=mosquitto.url))
    try:
        with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as client:
            wait_until(lambda: client.get("/api/v1/sync").json()["bootstrapped"], 30, "central's snapshot")
            from_db = DatabaseFacts(tmp_path / "W1.db")
            facts = from_db.read()
            assert EdgeApiFacts(client).read() == facts
            assert len(facts.items) >= 2000
            stock_before = read_stock(client, facts)
            stock_rows_before = client.get("/api/v1/stock").json()

            report = run_simulation(url, scans=300, seed=1, facts=from_db)

            assert report.scans_sent == 300 == report.accepted + report.refused + report.invalid
            assert report.unexpected == 0, report.unexpected_examples
            # The only refusals are the operator mistakes the plan contains.
            assert report.refused + report.invalid == report.planned_refusals
            assert sum(report.refusal_reasons.values()) == report.planned_refusals
            assert report.operations_recorded > 50
            assert report.events_created == report.events_reported == report.operations_recorded
            assert 0 < report.latency_p50_ms <= report.latency_p99_ms

            # Same seed, same barcodes: the plan is a pure function, and the edge's journal holds exactly it.
            plans = plan(facts, stock_before, 300, 1, 4, 0.02)
            assert plan(facts, stock_before, 300, 1, 4, 0.02) == plans
            assert plan_digest(plans) == report.plan_digest
            assert plan_digest(plan(facts, stock_before, 300, 2, 4, 0.02)) != report.plan_digest
            sent: dict[str, list[str]] = defaultdict(list)
            for row in reversed(client.get("/api/v1/scans", params={"limit": 1000}).json()):
                if row["source"] == "simulator":
                    sent[row["workstation"]].append(row["code"])
            assert dict(sent) == {p.workstation: p.codes for p in plans}
            kinds = {a.kind for p in plans for a in p.actions}
            assert {"mode", "scan", "qty"} <= kinds

            # The command as the lead registers it: paced, JSON, facts from the database.
            result = CliRunner().invoke(
                simulate_scans,
                [
                    *("--edge-url", url, "--scans", "40", "--rate", "200", "--seed", "2", "--workstations", "2"),
                    *("--data-dir", str(tmp_path), "--site", "W1", "--json"),
                ],
            )
            assert result.exit_code == 0, result.output
            figures = json.loads(result.output)
            assert figures["scans_sent"] == 40 and figures["unexpected"] == 0
            assert figures["elapsed_s"] >= 39 / 200
            assert figures["rate_per_s"] <= 200 * 1.1

            table = CliRunner().invoke(
                simulate_scans, ["--edge-url", url, "--scans", "6", "--data-dir", str(tmp_path), "--site", "W1"]
            )
            assert table.exit_code == 0, table.output
            assert "events created" in table.output

            with pytest.raises(SimulationError, match="404"):
                run_simulation(url + "/nope", scans=5, facts=from_db)

            newest = client.get("/api/v1/sync").json()["outbox_seq"]
            wait_until(lambda: central_applied(engine, "W1") == newest, 30, "central to apply every event")
            assert central_stock(engine, "W1") == client.get("/api/v1/stock").json()
            assert client.get("/api/v1/stock").json() != stock_rows_before
    finally:
        worker.stop()


def test_unreachable_edge_is_a_sentence():
    result = CliRunner().invoke(simulate_scans, ["--edge-url", "http://127.0.0.1:9", "--scans", "3"])
    assert result.exit_code == 1
    assert "does not answer GET /api/v1/sync" in result.output


def test_damaged_codes_and_reasons():
    assert damaged("4601234567894") == "4601234567895"
    assert damaged("2100000000019")[-1] == "0"
    assert (
        reason_of("В ячейке A-01-01-01 только 3 шт. КМ-00012, запрошено 5") == "В ячейке … только … шт. …, запрошено …"
    )
    assert reason_of("Сначала отсканируйте ячейку-источник") == "Сначала отсканируйте ячейку-источник"
