"""The bench command objects: JSON shape, tables, and one-sentence errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from optimizer.cli import borrowing_bench, jobshop_bench, routes_bench

BENCH = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


def _run(command, args):
    return CliRunner().invoke(command, args, catch_exceptions=False)


def test_jobshop_json_has_makespan_schedule_and_gap():
    result = _run(
        jobshop_bench,
        ["--instance", str(BENCH / "jsplib" / "instances" / "ft06.txt"), "--time-limit", "10", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (row,) = data["results"]
    assert row["instance"] == "ft06"
    assert row["makespan"] == 55
    assert row["best_known"] == 55
    assert row["gap"] == 0.0
    assert row["feasible"] is True
    assert all(len(op) == 5 for op in row["schedule"])
    assert len(row["schedule"]) == 36
    assert data["summary"]["mean_gap"] == 0.0


def test_jobshop_table_and_fjs_format():
    result = _run(
        jobshop_bench,
        ["--instance", str(BENCH / "brandimarte" / "instances" / "mk01.fjs"), "--format", "fjs", "--time-limit", "3"],
    )
    assert result.exit_code == 0, result.output
    assert "mk01" in result.stdout
    assert "mean gap" in result.stdout


def test_routes_json_shape_with_vroom_beside():
    result = _run(
        routes_bench,
        ["--solomon", str(BENCH / "solomon" / "instances" / "C101.txt"), "--time-limit", "4", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (row,) = data["results"]
    assert row["instance"] == "C101"
    for key in ("vehicles", "distance", "routes", "best_known", "gap", "vroom_vehicles", "vroom_distance", "vs_vroom"):
        assert key in row
    assert row["feasible"] is True
    assert sorted(n for r in row["routes"] for n in r) == list(range(1, 101))
    assert row["best_known"]["distance"] == 828.94
    assert row["vs_vroom"] <= 0.0


def test_routes_generates_fresh_instances():
    result = _run(routes_bench, ["--generate", "1", "--seed", "4", "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    assert "all feasible: True" in result.stdout


def test_borrowing_reports_time_and_checker_verdict():
    result = _run(borrowing_bench, ["--orders", "300", "--items", "100", "--seed", "2", "--time-limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["checker"] == "pass"
    assert data["solve_seconds"] <= 3.5
    assert data["shipped_orders"] >= 0


def test_bad_input_exits_non_zero_with_a_sentence(tmp_path):
    missing = _run(jobshop_bench, ["--instance", str(tmp_path / "nope.txt")])
    assert missing.exit_code != 0
    assert "does not exist" in missing.output
    unknown = _run(jobshop_bench, ["--instance", str(tmp_path), "--format", "xml"])
    assert unknown.exit_code != 0
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("hello world\n", encoding="utf-8")
    broken = _run(jobshop_bench, ["--instance", str(garbage)])
    assert broken.exit_code != 0
    assert "cannot read garbage" in broken.output
    nothing = _run(routes_bench, [])
    assert nothing.exit_code != 0
    assert "--solomon" in nothing.output
    not_solomon = _run(routes_bench, ["--solomon", str(garbage)])
    assert not_solomon.exit_code != 0
    assert "not a Solomon" in not_solomon.output


def test_every_command_has_help():
    for command in (routes_bench, jobshop_bench, borrowing_bench):
        result = _run(command, ["--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output
