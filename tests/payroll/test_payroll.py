"""Payroll for November 2026 on a hand-made company, every amount computed on paper."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from central.payroll.calendar import working_days
from central.payroll.cli import payroll
from central.payroll.compute import compute_payroll, rub
from central.store.engine import create_central_engine, migrate
from tests.payroll.company import month_of_work, seed


def company(url):
    engine = create_central_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        seed(conn)
        month_of_work(conn)
    return engine


def test_calendar_2026():
    assert [len(working_days(2026, m)) for m in range(1, 13)] == [15, 19, 21, 22, 19, 21, 23, 21, 22, 22, 20, 22]


def test_november_payroll_is_exact_to_the_kopeck(database_url):
    engine = company(database_url)
    with engine.connect() as conn:
        result = compute_payroll(conn, 2026, 11)
    sheets = {sheet.ref: sheet for sheet in result.sheets}
    assert result.working_days == 20
    # Piecework: 450 norm-min × 455.37 ₽ / 60 = 3 415.275 ₽ → 341 528 kop; 16 × 12.50 ₽ = 20 000 kop.
    piece = sheets["2200000020001"]
    assert [line.amount_kop for line in piece.lines if line.amount_kop is not None] == [20_000, 341_528]
    assert piece.total_kop == 361_528
    assert any("закрыто по окончании смены" in line.basis for line in piece.lines)
    # Hourly: (253 + 300) min = 33 180 s × 383.33 ₽ / 3600 = 3 533.0248… ₽ → 353 302 kop.
    hourly = sheets["2200000020002"]
    assert hourly.total_kop == 353_302
    assert "33180 с = 9,22 ч" in hourly.lines[-1].basis
    # Salary: 95 123.45 ₽ × 2 / 20 = 9 512.345 ₽ → 951 235 kop; the holiday and the Saturday are listed apart.
    salary = sheets["2200000020003"]
    assert salary.total_kop == 951_235
    assert salary.lines[1].basis.startswith("04.11, 28.11")
    # manager01: salary 50 000 ₽ + 2.5 % of (12 345.67 + 1 000.01) ₽ = 333.642 ₽ → 33 364 kop.
    assert [line.amount_kop for line in sheets["manager01"].lines if line.amount_kop is not None] == [5_000_000, 33_364]
    # manager02, no terms: 3 % of 9 999.99 ₽ = 299.9997 ₽ → 30 000 kop.
    assert sheets["manager02"].total_kop == 30_000
    assert "accountant" not in sheets
    assert result.total_kop == 361_528 + 353_302 + 951_235 + 5_033_364 + 30_000
    engine.dispose()


def test_cli_json_and_excel(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    company(url).dispose()
    out = tmp_path / "payroll.xlsx"
    result = CliRunner().invoke(payroll, ["--period", "2026-11", "--json", "--xlsx", str(out), "--database-url", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_kop"] == 6_729_429
    assert {s["ref"]: s["total_kop"] for s in data["sheets"]}["2200000020001"] == 361_528
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["Свод", "Аксёнов Антон"]
    rows = list(book["Аксёнов Антон"].iter_rows(values_only=True))
    assert rows[-1][:3] == ("Итого начислено", None, 3615.28)
    text = CliRunner().invoke(payroll, ["--period", "2026-11", "--database-url", url])
    assert rub(6_729_429) in text.output
    bad = CliRunner().invoke(payroll, ["--period", "2026-13", "--database-url", url])
    assert bad.exit_code == 2
