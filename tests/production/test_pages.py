"""Pages and API of task status, deficit, new tasks and BOM/routing, with roles (HTTP client, SQLite and
PostgreSQL): the master and the dispatcher see and create, purchasing sees, a sales manager gets 403."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from central.auth.tokens import issue_token
from central.store import schema as s
from tests.production.conftest import login
from tests.production.scenario import TASK, prepare


def test_master_sees_status_deficit_and_bom_pages(office: TestClient, company: Engine) -> None:
    with company.begin() as conn:
        prepare(conn)
    login(office, "master")
    page = office.get("/production/tasks")
    assert page.status_code == 200
    for text in ("Состояние производственных заданий", TASK, "в работе (по данным цеха)", "Комплектность, %",
                 "по плану должно было закончиться 22.11.2026 18:00", "Дефицитная ведомость"):  # fmt: skip
        assert text in page.text
    assert "ПР-00001" not in page.text and "ПР-00001" in office.get("/production/tasks?which=all").text
    task = office.get(f"/production/tasks/{quote(TASK)}")
    assert task.status_code == 200
    assert 'id="kitted">93 %<' in task.text and "заказ поставщику ПЗ-00031" in task.text
    assert office.get(f"/production/tasks/{quote('ПР-99999')}").status_code == 404
    statement = office.get("/production/deficit")
    assert statement.status_code == 200
    assert 'data-sku="КМ-00550"' in statement.text and 'data-task="ПР-00119"' in statement.text
    csv = office.get("/production/deficit.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith("\ufeffАртикул;".encode())
    assert "attachment" in csv.headers["content-disposition"]
    item = office.get(f"/production/items/{quote('ГП-01908')}")
    assert item.status_code == 200
    for text in ("Спецификация", "КМ-00550", "Маршрут", "Операция 1", "WG2", "Итого на единицу"):
        assert text in item.text
    card = office.get(f"/api/v1/production/items/{quote('ГП-01908')}").json()
    assert [(c["sku"], c["qty_per_unit"]) for c in card["components"]][:2] == [("КМ-00022", 3), ("КМ-00550", 3)]
    assert [(o["seq"], o["group_code"], o["norm_minutes_per_unit"]) for o in card["operations"]] == [
        (1, "WG2", 24),
        (2, "WG4", 30),
    ]
    assert office.get(f"/api/v1/production/items/{quote('ГП-99999')}").status_code == 404


def test_dispatcher_creates_tasks_and_bad_input_is_refused_in_russian(office: TestClient, company: Engine) -> None:
    login(office, "dispatcher")
    planning = office.get("/production/planning")
    assert planning.status_code == 200
    assert "Задание вручную" in planning.text and 'data-sku="ГП-01778" data-reason="demand"' in planning.text
    created = office.post("/production/planning", data={"sku": "ГП-01778", "qty": "190", "due": "2026-11-26"},
                          follow_redirects=False)  # fmt: skip
    assert created.status_code == 303 and created.headers["location"].endswith(quote("ПР-00121") + "?created=1")
    refused = office.post("/production/planning", data={"sku": "ГП-01908", "qty": "-3", "due": "2026-12-01"})
    assert refused.status_code == 422 and "Количество должно быть больше нуля" in refused.text
    assert 'value="ГП-01908"' in refused.text  # the form keeps what was typed

    api = office.post("/api/v1/production/tasks", json={"sku": "ГП-01908", "qty": 12, "due": "2026-12-20"})
    assert api.status_code == 201 and api.json()["task"] == "ПР-00122"
    bad = office.post("/api/v1/production/tasks", json={"sku": "ГП-01908", "qty": "много", "due": "2026-12-20"})
    assert bad.status_code == 422 and bad.json() == {"detail": "Количество должно быть целым числом"}
    late = office.post("/api/v1/production/tasks", json={"sku": "ГП-01908", "qty": 1, "due": "2026-11-01"})
    assert late.status_code == 422 and late.json()["detail"] == "Срок 01.11.2026 уже прошёл"
    rows = {r["task"]: r for r in office.get("/api/v1/production/tasks").json()}
    assert rows["ПР-00121"]["status"] == "planned" and rows["ПР-00122"]["qty"] == 12
    assert "ГП-01778" not in {p["sku"] for p in office.get("/api/v1/production/task-proposals").json()}


def test_roles(office: TestClient, company: Engine) -> None:
    with company.connect() as conn:
        ids = dict(conn.execute(select(s.users.c.login, s.users.c.id)).all())
    secret = office.app.state.settings.secret_key.get_secret_value()  # type: ignore[attr-defined]

    def bearer(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(secret, ids[who])}"}

    manager = bearer("manager01")
    for url in ("/api/v1/production/tasks", "/api/v1/production/deficit", "/api/v1/production/task-proposals",
                "/production/tasks", "/production/deficit", "/production/deficit.csv", "/production/planning"):  # fmt: skip
        assert office.get(url, headers=manager).status_code == 403, url
    refused = office.post("/api/v1/production/tasks", json={"sku": "ГП-01908", "qty": 1, "due": "2026-12-01"},
                          headers=manager)  # fmt: skip
    assert refused.status_code == 403
    purchaser = bearer("purchaser")
    statement = office.get("/api/v1/production/deficit", headers=purchaser)
    assert statement.status_code == 200 and statement.json()["short_components"] > 0
    assert office.get("/api/v1/production/tasks", headers=purchaser).status_code == 200
    create = office.post("/api/v1/production/tasks", json={"sku": "ГП-01908", "qty": 1, "due": "2026-12-01"},
                         headers=purchaser)  # fmt: skip
    assert create.status_code == 403
    assert (
        create.json()["detail"] == "Создавать производственные задания может мастер цеха, диспетчер или администратор"
    )
    master = office.post("/api/v1/production/tasks", json={"sku": "ГП-01908", "qty": 1, "due": "2026-12-01"},
                         headers=bearer("master"))  # fmt: skip
    assert master.status_code == 201
