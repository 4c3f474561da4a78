"""The handheld's scan steps: each mode advances, completes a command, or refuses with the reason."""

from __future__ import annotations

from edge.terminal.session import (
    ScannedCell,
    ScannedItem,
    TypedQuantity,
    finish_count,
    prompt,
    start,
    step,
    undo,
)
from edge.warehouse.domain import Cell, CountCell, Item, MoveUnits, ReceiveUnits

BRACKET = Item("K-40", "Кронштейн 40×40")
SCREW = Item("S-16", "Саморез 4,2×16")
A1 = Cell(1, "A-01-01-01", "storage")
A2 = Cell(2, "A-01-01-02", "storage")


def run(mode, *inputs):
    session, replies = start(mode), []
    for scanned in inputs:
        session, reply = step(session, scanned)
        replies.append(reply)
    return session, replies


def test_receive_counts_scans_then_the_cell_completes():
    session, replies = run("receive", ScannedItem(BRACKET), ScannedItem(BRACKET), ScannedCell(A1))
    assert [r.ok for r in replies] == [True, True, True]
    assert replies[-1].commands == (ReceiveUnits("K-40", 1, 2),)
    assert replies[-1].message == "Принято 2 шт. в ячейку A-01-01-01"
    assert prompt(session) == "Отсканируйте товар"


def test_receive_a_typed_quantity_replaces_the_count():
    _, replies = run("receive", ScannedItem(BRACKET), TypedQuantity(24), ScannedCell(A1))
    assert replies[-1].commands == (ReceiveUnits("K-40", 1, 24),)


def test_move_source_items_destination():
    session, replies = run("move", ScannedCell(A1), ScannedItem(BRACKET, qty=3), ScannedCell(A2))
    assert replies[-1].commands == (MoveUnits("K-40", 1, 2, 3),)
    assert prompt(session) == "Отсканируйте ячейку-источник"


def test_move_item_before_a_cell_is_refused_and_changes_nothing():
    session, replies = run("move", ScannedItem(BRACKET))
    assert not replies[0].ok
    assert replies[0].message == "Сначала отсканируйте ячейку-источник"
    assert session == start("move")


def test_a_second_item_while_one_is_pending_is_refused():
    session, replies = run("move", ScannedCell(A1), ScannedItem(BRACKET), ScannedItem(SCREW))
    assert not replies[-1].ok
    assert "Другой товар: S-16" in replies[-1].message
    assert session.item == BRACKET
    assert session.qty == 1


def test_prompt_always_names_the_next_step():
    session, _ = run("move", ScannedCell(A1))
    assert prompt(session) == "Ячейка A-01-01-01. Отсканируйте товар"
    session, _ = step(session, ScannedItem(BRACKET))
    assert prompt(session) == "Кронштейн 40×40: 1 шт. Ещё товар или ячейка назначения"


def test_undo_takes_back_the_last_scan_only():
    session, _ = run("move", ScannedCell(A1), ScannedItem(BRACKET), ScannedItem(BRACKET))
    session, reply = undo(session)
    assert reply.ok
    assert session.qty == 1
    session, _ = undo(session)
    session, _ = undo(session)
    assert session.cell is None
    assert undo(session)[1].ok is False


def test_blind_count_reports_counted_and_missing_skus():
    session, _ = run("count", ScannedCell(A1), ScannedItem(BRACKET), ScannedItem(BRACKET))
    session, reply = finish_count(session, book_skus={"K-40", "S-16"})
    assert reply.commands == (CountCell("K-40", 1, 2), CountCell("S-16", 1, 0))
    assert session == start("count")


def test_typed_zero_is_refused():
    session, replies = run("receive", ScannedItem(BRACKET), TypedQuantity(0))
    assert not replies[-1].ok
    assert session.qty == 1
