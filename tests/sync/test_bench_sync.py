"""``stockyard bench sync`` runs end to end on a small backlog and reports every figure (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edge.sync.bench import MOSQUITTO, sync_bench
from tests.services import require


def test_bench_sync_reports_its_figures():
    require("Mosquitto", Path(MOSQUITTO).exists(), "apt-get install mosquitto")
    result = CliRunner().invoke(sync_bench, ["--events", "2000", "--seconds", "1", "--rate", "100", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["backlog_events"] == 2000
    assert figures["steady_events"] >= 50
    assert figures["catch_up_events_per_s"] > 0 and figures["reference_rows_per_s"] > 0
    assert figures["latency_p99_ms"] >= figures["latency_p50_ms"] > 0
