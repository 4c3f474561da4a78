"""Purchasing work (DISP-3) on the demo company: the dispatcher sees and assigns it, the assignee is told and acts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, select

from central.store import schema as s
from tests.board.conftest import Api
from tests.dispatch.company import seeded


@pytest.fixture
def company(database_url: str) -> Iterator[Engine]:
    engine = seeded(database_url)
    with engine.begin() as conn:
        password = conn.execute(select(s.users.c.password_hash).where(s.users.c.login == "purchaser")).scalar_one()
        conn.execute(
            insert(s.users).values(
                login="purchaser2", full_name="Второй Закупщик", role="purchasing_manager", password_hash=password
            )
        )
    yield engine
    engine.dispose()


def _notices(engine: Engine, login: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(s.notifications.c.subject)
                .join(s.users, s.users.c.id == s.notifications.c.user_id)
                .where(s.users.c.login == login, s.notifications.c.kind == "purchase_assigned")
                .order_by(s.notifications.c.id)
            ).scalars()
        )


def test_the_dispatcher_sees_purchasing_work_and_assigns_it(api: Api, company: Engine):
    work = api.get("dispatcher", "/api/v1/purchasing/work").json()
    assert len(work["supply_orders"]) == 30 and work["requests"] == []
    first = work["supply_orders"][0]
    assert first["supplier"] and first["eta"] and first["lines"] and first["assignee"] is None
    assert [o["eta"] for o in work["supply_orders"]] == sorted(o["eta"] for o in work["supply_orders"])
    assert work["deficit"], "the demo company has deficit lines no inbound covers"
    assert all(d["eta_source"] in (None, "lead_time") and d["assignee"] is None for d in work["deficit"])
    assert {m["login"] for m in work["managers"]} == {"purchaser", "purchaser2"}

    line = work["deficit"][0]
    made = api.post(
        "dispatcher",
        "/api/v1/purchasing/requests",
        {"order": line["order"], "sku": line["sku"], "assignee": "purchaser"},
    )
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    assert _notices(company, "purchaser") == [f"Вам назначена закупка {line['sku']} для заказа {line['order']}"]
    twice = api.post("dispatcher", "/api/v1/purchasing/requests", {"order": line["order"], "sku": line["sku"]})
    assert twice.status_code == 409 and f"уже есть заявка №{request_id}" in twice.json()["detail"]

    assert (
        api.post(
            "dispatcher", f"/api/v1/purchasing/supply-orders/{first['number']}/assign", {"assignee": "purchaser"}
        ).status_code
        == 200
    )
    assert _notices(company, "purchaser")[-1] == f"Вам назначен заказ поставщику {first['number']}"

    work = api.get("dispatcher", "/api/v1/purchasing/work").json()
    (request,) = work["requests"]
    assert (request["sku"], request["qty"], request["order"], request["needed_by"]) == (
        line["sku"], line["short"], line["order"], line["deadline"],
    )  # fmt: skip
    assert (request["status"], request["assignee"]) == ("open", "purchaser")
    shown = next(d for d in work["deficit"] if (d["order"], d["sku"]) == (line["order"], line["sku"]))
    assert (shown["assignee"], shown["request_id"]) == ("purchaser", request_id)

    mine = api.get("purchaser", "/api/v1/purchasing/work").json()["mine"]
    assert [r["id"] for r in mine["requests"]] == [request_id]
    assert [o["number"] for o in mine["supply_orders"]] == [first["number"]]
    page = api.get("purchaser", "/purchasing")
    assert page.status_code == 200
    assert (
        page.text.index("Мои задачи")
        < page.text.index("Заявки на закупку")
        < page.text.index("Дефицит без поступления")
    )


def test_the_assignee_marks_ordered_then_closes(api: Api, company: Engine):
    line = api.get("dispatcher", "/api/v1/purchasing/work").json()["deficit"][0]
    body = {"order": line["order"], "sku": line["sku"], "assignee": "purchaser"}
    request_id = api.post("dispatcher", "/api/v1/purchasing/requests", body).json()["id"]

    other = api.post("purchaser2", f"/api/v1/purchasing/requests/{request_id}/ordered", {"supply_order": "ПЗ-00002"})
    assert other.status_code == 403 and "другого менеджера" in other.json()["detail"]
    unknown = api.post("purchaser", f"/api/v1/purchasing/requests/{request_id}/ordered", {"supply_order": "ПЗ-99999"})
    assert unknown.status_code == 404
    ordered = api.post("purchaser", f"/api/v1/purchasing/requests/{request_id}/ordered", {"supply_order": "ПЗ-00002"})
    assert ordered.status_code == 200, ordered.text
    again = api.post("purchaser", f"/api/v1/purchasing/requests/{request_id}/ordered", {"supply_order": "ПЗ-00003"})
    assert again.status_code == 409

    blank = api.post("purchaser", f"/api/v1/purchasing/requests/{request_id}/close", {"note": "   "})
    assert blank.status_code == 422 and blank.json()["detail"] == "Напишите, почему заявка закрывается"
    closed = api.post("purchaser", f"/api/v1/purchasing/requests/{request_id}/close", {"note": "Поставщик подтвердил"})
    assert closed.status_code == 200
    (request,) = api.get("dispatcher", "/api/v1/purchasing/work").json()["requests"]
    assert (request["status"], request["supply_order"], request["note"]) == (
        "closed",
        "ПЗ-00002",
        "Поставщик подтвердил",
    )
    assert (
        api.post(
            "dispatcher", f"/api/v1/purchasing/requests/{request_id}/assign", {"assignee": "purchaser2"}
        ).status_code
        == 409
    )


def test_who_may_do_what(api: Api, company: Engine):
    with company.connect() as conn:
        sku = conn.execute(select(s.items.c.sku).order_by(s.items.c.id)).scalars().first()
    assert api.get("manager01", "/api/v1/purchasing/work").status_code == 403
    assert api.get("manager01", "/purchasing").status_code == 403
    assert api.get("director", "/purchasing").status_code == 200
    refused = api.post("manager01", "/api/v1/purchasing/requests", {"sku": sku, "qty": 5})
    assert refused.status_code == 403
    assert api.post("director", "/api/v1/purchasing/requests", {"sku": sku, "qty": 5}).status_code == 403

    # A purchasing manager takes work for themselves, not for a colleague; the dispatcher gives it to anyone.
    own = api.post("purchaser2", "/api/v1/purchasing/requests", {"sku": sku, "qty": 5})
    assert own.status_code == 201
    request_id = own.json()["id"]
    given = api.post("purchaser2", f"/api/v1/purchasing/requests/{request_id}/assign", {"assignee": "purchaser"})
    assert given.status_code == 403
    not_a_buyer = api.post("dispatcher", f"/api/v1/purchasing/requests/{request_id}/assign", {"assignee": "dispatcher"})
    assert not_a_buyer.status_code == 422 and "не менеджер по закупке" in not_a_buyer.json()["detail"]
    moved = api.post("dispatcher", f"/api/v1/purchasing/requests/{request_id}/assign", {"assignee": "purchaser"})
    assert moved.status_code == 200
    assert _notices(company, "purchaser") == [f"Вам назначена закупка {sku}"] and _notices(company, "purchaser2") == []
    assert api.post("dispatcher", "/api/v1/purchasing/requests", {"sku": sku}).status_code == 422
    assert api.post("dispatcher", "/api/v1/purchasing/requests", {"sku": "НЕТ-1", "qty": 1}).status_code == 404
    missing = api.post("dispatcher", "/api/v1/purchasing/requests", {"sku": sku, "order": "З-0000001"})
    assert missing.status_code == 409 and "нет строки" in missing.json()["detail"]


def test_the_page_forms_assign_and_report(api: Api, company: Engine):
    line = api.get("dispatcher", "/api/v1/purchasing/work").json()["deficit"][0]
    form = {"order": line["order"], "sku": line["sku"], "assignee": "purchaser2"}
    posted = api.client.post(
        "/purchasing/requests", data=form, headers=api.headers("dispatcher"), follow_redirects=False
    )
    assert posted.status_code == 303 and posted.headers["location"] == "/purchasing?done=created"
    assert _notices(company, "purchaser2") == [f"Вам назначена закупка {line['sku']} для заказа {line['order']}"]
    page = api.get("purchaser2", "/purchasing?done=created")
    assert "Заявка на закупку создана" in page.text and line["sku"] in page.text
    again = api.client.post("/purchasing/requests", data=form, headers=api.headers("dispatcher"))
    assert again.status_code == 409 and "уже есть заявка" in again.text
