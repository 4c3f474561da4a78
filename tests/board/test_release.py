"""Releasing orders to the warehouse (DISP-1, WH-3): refused with the reason and nothing written, accepted once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from central.dispatch.board import BoardQuery, ReleaseRefused, board, release_order
from central.store import schema as s
from devices.barcodes import company_code
from tests.board.checks import assert_wh3, issued_task
from tests.board.helpers import NOW, confirmed_order, free_skus, pay, short_sku, snapshot
from tests.dispatch.company import staff


def _version(engine, number):
    with engine.connect() as conn:
        (row,) = board(conn, BoardQuery(search=number)).rows
    return row.version


def _refused(engine, number, version=None, login="dispatcher"):
    before = snapshot(engine)
    with pytest.raises(ReleaseRefused) as refused:
        release_order(engine, staff(engine, login), number, version, NOW)
    assert snapshot(engine) == before
    return refused.value.status, refused.value.message


def test_each_refusal_says_why_and_writes_nothing(company):
    a, b, c = free_skus(company, 5)
    _, unpaid = confirmed_order(company, [(a, 2)])
    _, short = confirmed_order(company, [(b, 1), (short_sku(company), 3)], form="deferral", variant="wait")
    paid_id, paid = confirmed_order(company, [(c, 2)])
    pay(company, paid_id)

    status, message = _refused(company, unpaid)
    assert status == 409 and message.startswith(f"Оплата заказа {unpaid} не в порядке (предоплата): оплачено 0,00 ₽")
    status, message = _refused(company, short)
    assert status == 409 and message.startswith(f"Заказ {short} не комплектен: на складе зарезервировано")
    assert _refused(company, "З-9999999") == (404, "Заказ З-9999999 не найден")
    with company.connect() as conn:
        draft = conn.execute(select(s.orders.c.number).where(s.orders.c.status == "draft")).scalars().first()
    assert _refused(company, draft) == (409, f"Заказ {draft} — черновик: выпускают только подтверждённые заказы")
    assert _refused(company, paid, login="manager01")[0] == 403

    # The board showed the order, then another payment was entered against it: the dispatcher decided on old data.
    shown = _version(company, paid)
    with company.begin() as conn:
        paid_more = s.invoices.c.paid_kop + 1
        conn.execute(update(s.invoices).where(s.invoices.c.order_id == paid_id).values(paid_kop=paid_more))
    status, message = _refused(company, paid, version=shown)
    assert status == 409 and "изменился после того, как была открыта доска" in message

    done = release_order(company, staff(company, "dispatcher"), paid, _version(company, paid), NOW)
    assert (done.order, done.site, done.lines >= 1) == (paid, "W1", True)
    task, payload = issued_task(company, paid)
    assert (task.site, task.status) == ("W1", "new")
    assert_wh3(payload, paid, {c: 2})
    with company.connect() as conn:
        assert conn.execute(select(s.orders.c.status).where(s.orders.c.number == paid)).scalar_one() == "picking"
        notices = conn.execute(
            select(s.users.c.role, s.notifications.c.subject)
            .join(s.users, s.users.c.id == s.notifications.c.user_id)
            .where(s.notifications.c.kind == "pick_task_issued")
        ).all()
    assert notices and {role for role, _ in notices} == {"warehouse_manager"}
    assert all(subject == f"Задание на сборку заказа {paid} (склад W1)" for _, subject in notices)

    status, message = _refused(company, paid)
    assert status == 409 and message == f"Заказ {paid} уже выпущен на склад (стадия «Собирается»)"


def test_a_batch_releases_each_order_on_its_own(api, company):
    a, b, c = free_skus(company, 5)
    first_id, first = confirmed_order(company, [(a, 1), (b, 1)])
    pay(company, first_id)
    _, unpaid = confirmed_order(company, [(c, 1)])
    second_id, second = confirmed_order(company, [(c, 2)], form="advance")
    pay(company, second_id, share_percent=50)

    response = api.post("dispatcher", "/api/v1/dispatch/release", {"orders": [first, unpaid, second, first]})
    assert response.status_code == 200, response.text
    results = {r["order"]: r for r in response.json()["results"]}
    assert list(results) == [first, unpaid, second] and response.json()["released"] == 2
    assert results[first]["released"] and results[first]["site"] == "W1" and results[first]["task"]
    assert results[second]["released"]
    assert (results[unpaid]["released"], results[unpaid]["status"]) == (False, 409)
    assert results[unpaid]["reason"].startswith(f"Оплата заказа {unpaid} не в порядке")
    assert_wh3(issued_task(company, first)[1], first, {a: 1, b: 1})
    assert_wh3(issued_task(company, second)[1], second, {c: 2})

    again = api.post("dispatcher", f"/api/v1/dispatch/orders/{first}/release", {})
    assert again.status_code == 409 and "уже выпущен на склад" in again.json()["detail"]
    assert api.post("dispatcher", f"/api/v1/dispatch/orders/{unpaid}/release", {}).status_code == 409


def test_roles_of_the_board_and_the_release(api, company):
    a = free_skus(company, 5)[0]
    order_id, number = confirmed_order(company, [(a, 1)])
    pay(company, order_id)
    before = snapshot(company)
    refused = api.post("manager01", "/api/v1/dispatch/release", {"orders": [number]})
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Недостаточно прав")
    assert api.post("manager01", f"/api/v1/dispatch/orders/{number}/release", {}).status_code == 403
    assert api.get("manager01", "/api/v1/dispatch/board").status_code == 403
    assert api.get("storekeeper", "/dispatch/board").status_code == 403
    assert snapshot(company) == before

    shown = api.get("director", f"/api/v1/dispatch/board?q={number}").json()
    (row,) = shown["orders"]
    assert (row["stage"], row["complete"], row["payment_ok"], row["releasable"]) == ("paid", True, True, True)
    assert api.get("director", "/dispatch/board").status_code == 200
    assert api.post("director", "/api/v1/dispatch/release", {"orders": [number]}).status_code == 403
    page = api.get("dispatcher", "/dispatch/board?ready=true")
    assert page.status_code == 200 and number in page.text and "Выпустить на склад" in page.text
    assert api.get("dispatcher", "/api/v1/dispatch/board?stage=nonsense").status_code == 422
    assert api.post("dispatcher", "/api/v1/dispatch/release", {"orders": []}).status_code == 422


def test_two_dispatchers_releasing_the_same_order_at_once_issue_one_task(company):
    order_id, number = confirmed_order(company, [(free_skus(company, 5)[0], 2)])
    pay(company, order_id)
    who = staff(company, "dispatcher")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def release() -> None:
        start.wait()
        try:
            outcomes.append(release_order(company, who, number, None, NOW).task)
        except ReleaseRefused as refused:
            outcomes.append(refused.message)

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    task, _ = issued_task(company, number)  # exactly one pick task
    assert sorted(outcomes) == sorted(
        [company_code("task", task.id), f"Заказ {number} уже выпущен на склад (стадия «Собирается»)"]
    )


def test_the_page_shows_a_refusal_with_its_reason(api, company):
    order_id, number = confirmed_order(company, [(free_skus(company, 5)[0], 1)])
    pay(company, order_id)
    before = snapshot(company)
    form = {"single": number, "versions": [f"{number}|0000000000000000"]}
    page = api.client.post("/dispatch/board/release", data=form, headers=api.headers("dispatcher"))
    assert page.status_code == 409
    assert "Отказано" in page.text and "изменился после того, как была открыта доска" in page.text
    assert api.client.post("/dispatch/board/release", data={}, headers=api.headers("dispatcher")).status_code == 422
    refused = api.client.post("/dispatch/board/release", data=form, headers=api.headers("manager01"))
    assert refused.status_code == 403 and "Недостаточно прав" in refused.text
    assert snapshot(company) == before
