"""Excel export of a payroll: a summary sheet, then one worksheet per person with every line and its basis."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from central.payroll.compute import KIND_TITLES, Payroll

MONEY = '#,##0.00" ₽"'


def _title(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name)[:28] or "Лист"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]} {n}", n + 1
    used.add(title)
    return title


def write_xlsx(payroll: Payroll, path: Path) -> None:
    """``write_xlsx(compute_payroll(conn, 2026, 11), Path("payroll-2026-11.xlsx"))``; amounts in roubles."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Свод"
    summary.append([f"Расчёт оплаты труда за {payroll.period}", None, None, f"рабочих дней: {payroll.working_days}"])
    summary.append(["Сотрудник", "Вид оплаты", "Табельный / логин", "Начислено"])
    for cell in summary[2]:
        cell.font = Font(bold=True)
    used = {"Свод"}
    for sheet in payroll.sheets:
        summary.append([sheet.person, KIND_TITLES[sheet.kind], sheet.ref, sheet.total_kop / 100])
        summary.cell(summary.max_row, 4).number_format = MONEY
        ws = book.create_sheet(_title(sheet.person, used))
        ws.append([sheet.person, KIND_TITLES[sheet.kind], sheet.ref, payroll.period])
        ws.append(["Строка", "Основание", "Сумма"])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for line in sheet.lines:
            ws.append([line.title, line.basis, None if line.amount_kop is None else line.amount_kop / 100])
            ws.cell(ws.max_row, 3).number_format = MONEY
        ws.append(["Итого начислено", None, sheet.total_kop / 100])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.cell(ws.max_row, 3).number_format = MONEY
        ws.column_dimensions["A"].width = 48
        ws.column_dimensions["B"].width = 100
        ws.column_dimensions["C"].width = 16
    summary.append(["Итого", None, None, payroll.total_kop / 100])
    summary.cell(summary.max_row, 4).number_format = MONEY
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["D"].width = 18
    book.save(path)
