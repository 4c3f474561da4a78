"""The labels API on a real edge app with the small test site, printing to a real TCP listener; the printer
registry with configured printers and with printers found by zeroconf on loopback."""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from zeroconf import ServiceInfo

from devices.labels import CellLabel, UnitLabel, render_zpl
from edge.app import create_app
from edge.labels import routes as label_routes
from edge.labels.printers import PrinterEntry, PrinterRegistry, parse_printer_spec
from edge.settings import EdgeSettings
from sync.discovery import DiscoveredService, ServiceDirectory, open_zeroconf
from tests.devices.test_labels_printer import FakePrinter, free_port
from tests.edge.site_data import ITEMS, load_site
from tests.services import require

SSCC = "046012340000000017"


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    server = FakePrinter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def edge_app(tmp_path, registry: PrinterRegistry) -> FastAPI:
    """The edge app of site W1 with the test site's read copies, the labels router and ``registry``."""
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    load_site(app.state.db)
    if not any(getattr(route, "path", "") == "/api/v1/printers" for route in app.routes):
        app.include_router(label_routes.router)  # until the composition root includes it
    app.state.printers = registry
    return app


@pytest.fixture
def client(tmp_path, printer) -> TestClient:
    dead = free_port()
    registry = PrinterRegistry.from_specs([f"Упаковка-1=127.0.0.1:{printer.port}", f"Сломанный=127.0.0.1:{dead}"])
    return TestClient(edge_app(tmp_path, registry))


def test_cell_preview_is_a_png_of_the_label_size(client):
    response = client.get("/api/v1/labels/cell/101.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (464, 320)
    bigger = client.get("/api/v1/labels/cell/101.png", params={"scale": 2, "width_mm": 100, "height_mm": 60})
    assert Image.open(io.BytesIO(bigger.content)).size == (1598, 960)  # 799 × 480 dots, twice


def test_cell_zpl_comes_from_the_sites_read_copy(client):
    response = client.get("/api/v1/labels/cell/101.zpl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == render_zpl(CellLabel(101, "A-01-01-01", "storage"))
    assert "^FDA-01-01-01^FS" in response.text
    assert "Ячейка · приёмка" in client.get("/api/v1/labels/cell/900.zpl").text


def test_unknown_cell_is_404_in_russian(client):
    for suffix in ("png", "zpl"):
        response = client.get(f"/api/v1/labels/cell/777.{suffix}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Ячейки 777 на этом складе нет"}


def test_print_cell_sends_exactly_the_zpl_to_the_named_printer(client, printer):
    response = client.post("/api/v1/labels/print", json={"kind": "cell", "cell_id": 102, "printer": "Упаковка-1"})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = render_zpl(CellLabel(102, "A-01-01-02", "storage"))
    assert printer.received.wait(5)
    assert printer.jobs == [expected.encode("utf-8")]
    assert body["zpl"] == expected
    assert body["bytes"] == len(expected.encode("utf-8"))
    assert body["kind"] == "cell"
    assert body["printer"] == {
        "name": "Упаковка-1",
        "host": "127.0.0.1",
        "port": printer.port,
        "source": "configured",
        "unique_id": "Упаковка-1",
        "model": "",
    }


def test_print_unit_takes_name_and_ean_from_the_catalogue(client, printer):
    response = client.post(
        "/api/v1/labels/print",
        json={"kind": "unit", "sku": "K-40", "serial": "SN0001234", "printer": "Упаковка-1", "copies": 3},
    )
    assert response.status_code == 200, response.text
    name, code = ITEMS["K-40"]
    expected = render_zpl(UnitLabel(name, "K-40", code, "SN0001234"), copies=3)
    assert printer.received.wait(5)
    assert printer.jobs == [expected.encode("utf-8")]
    assert "^PQ3" in expected


def test_print_box_and_pallet(client, printer):
    box = {
        "kind": "box",
        "order": "З-000123",
        "customer": "ООО «Ромашка»",
        "box": 1,
        "boxes": 2,
        "contents": "K-40 × 12",
        "sscc": SSCC,
        "printer": "Упаковка-1",
    }
    assert client.post("/api/v1/labels/print", json=box).status_code == 200
    pallet = {"kind": "pallet", "sscc": SSCC, "contents": "K-40 × 480", "weight_kg": "412.5", "printer": "Упаковка-1"}
    response = client.post("/api/v1/labels/print", json=pallet)
    assert response.status_code == 200, response.text
    assert f"^FD>;>800{SSCC}^FS" in response.json()["zpl"]
    assert "Брутто 412,5 кг" in response.json()["zpl"]


def test_unknown_printer_is_404_and_a_missing_one_422(client):
    response = client.post("/api/v1/labels/print", json={"kind": "cell", "cell_id": 101, "printer": "Нет такого"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Принтер «Нет такого» не найден ни в настройках, ни в сети"}
    response = client.post("/api/v1/labels/print", json={"kind": "cell", "cell_id": 101})
    assert response.status_code == 422
    assert response.json() == {"detail": "Выберите принтер, на котором печатать этикетку"}


def test_unreachable_printer_is_502_with_the_operators_message(client):
    response = client.post("/api/v1/labels/print", json={"kind": "cell", "cell_id": 101, "printer": "Сломанный"})
    assert response.status_code == 502
    assert response.json()["detail"].startswith("Принтер «Сломанный» (127.0.0.1:")
    assert "отклонил соединение" in response.json()["detail"]


def test_bad_label_data_is_refused_in_russian(client):
    bad_sscc = {
        "kind": "pallet",
        "sscc": "046012340000000018",
        "contents": "x",
        "weight_kg": 1,
        "printer": "Упаковка-1",
    }
    response = client.post("/api/v1/labels/print", json=bad_sscc)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Этикетку не собрать:")
    response = client.post("/api/v1/labels/print", json={"kind": "unit", "sku": "NOPE", "printer": "Упаковка-1"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Товара с артикулом NOPE в каталоге склада нет"}


def test_preview_of_any_kind(client):
    response = client.post(
        "/api/v1/labels/preview",
        json={
            "kind": "box",
            "order": "З-1",
            "customer": "ИП Сидоров",
            "box": 1,
            "boxes": 1,
            "contents": "x",
            "code": "B1",
        },
    )
    assert response.status_code == 200, response.text
    assert Image.open(io.BytesIO(response.content)).size == (464, 320)


def test_printers_lists_the_configured_ones(client, printer):
    response = client.get("/api/v1/printers")
    assert response.status_code == 200
    assert [(p["name"], p["source"]) for p in response.json()] == [
        ("Сломанный", "configured"),
        ("Упаковка-1", "configured"),
    ]


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("Упаковка-1=10.0.0.5:9100", ("Упаковка-1", "10.0.0.5", 9100)),
        ("Склад = zebra.local", ("Склад", "zebra.local", 9100)),
        ("V6=[fe80::1]:9101", ("V6", "fe80::1", 9101)),
    ],
)
def test_printer_specs(spec, parsed):
    assert parse_printer_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["10.0.0.5", "=10.0.0.5", "A=10.0.0.5:port", "A=10.0.0.5:70000"])
def test_bad_printer_specs_are_refused(spec):
    with pytest.raises(ValueError, match="printer"):
        parse_printer_spec(spec)


class StaticDirectory:
    def __init__(self, entries: dict[str, DiscoveredService]) -> None:
        self.entries = entries
        self.closed = False

    def snapshot(self) -> dict[str, DiscoveredService]:
        return dict(self.entries)

    def close(self) -> None:
        self.closed = True


def service(name: str, host: str, port: int, *, present: bool = True, **txt: str) -> DiscoveredService:
    kind = "_pdl-datastream._tcp.local."
    return DiscoveredService(txt.get("UUID", name), f"{name}.{kind}", kind, host, port, (host,), txt, present)


def test_discovered_printers_follow_configured_ones_and_never_shadow_them():
    registry = PrinterRegistry.from_specs(["Упаковка-1=10.0.0.5"])
    directory = StaticDirectory(
        {
            "u-1": service("Zebra ZD421", "10.0.0.7", 9100, UUID="u-1", ty="Zebra ZD421-203dpi"),
            "u-2": service("Упаковка-1", "10.0.0.8", 9100, UUID="u-2"),
            "u-3": service("Старый", "10.0.0.9", 9100, UUID="u-3", present=False),
        }
    )
    registry.use_directory(directory)
    assert [(p.name, p.host, p.source) for p in registry.printers()] == [
        ("Упаковка-1", "10.0.0.5", "configured"),
        ("Zebra ZD421", "10.0.0.7", "zeroconf"),
    ]
    assert registry.get("u-1") == PrinterEntry("Zebra ZD421", "10.0.0.7", 9100, "zeroconf", "u-1", "Zebra ZD421-203dpi")
    assert registry.get("Старый") is None
    registry.close()
    assert directory.closed
    assert [p.source for p in registry.printers()] == ["configured"]


def test_printer_found_by_zeroconf_is_one_entry_however_often_it_moves(tmp_path, printer):
    # Real multicast on loopback, as tests/sync/test_discovery.py: a printer announces _pdl-datastream-like
    # service (our own type, so nothing else on this host interferes), moves to another port, says goodbye.
    kind = f"_sy{secrets.token_hex(4)}._tcp.local."
    try:
        announcer, listener = open_zeroconf(["127.0.0.1"]), open_zeroconf(["127.0.0.1"])
    except OSError as error:
        require(f"Multicast on loopback ({error})", False, "a kernel with multicast on lo")
    registry = PrinterRegistry()
    try:
        assert registry.start_discovery(listener, service_type=kind)
        assert registry.start_discovery(listener, service_type=kind)  # idempotent
        info = ServiceInfo(
            kind,
            f"Zebra ZD421.{kind}",
            port=free_port(),
            properties={"UUID": "zd421-0001", "ty": "Zebra ZD421"},
            server="zd421.local.",
            parsed_addresses=["127.0.0.1"],
        )
        announcer.register_service(info)
        directory = registry._directory
        assert isinstance(directory, ServiceDirectory)
        assert directory.wait_for(lambda s: "zd421-0001" in s, 10), "no multicast between zeroconf instances"
        moved = ServiceInfo(
            kind,
            f"Zebra ZD421.{kind}",
            port=printer.port,
            properties={"UUID": "zd421-0001", "ty": "Zebra ZD421"},
            server="zd421.local.",
            parsed_addresses=["127.0.0.1"],
        )
        announcer.update_service(moved)
        assert directory.wait_for(lambda s: s["zd421-0001"].port == printer.port, 10)
        assert [(p.name, p.port, p.unique_id) for p in registry.printers()] == [
            ("Zebra ZD421", printer.port, "zd421-0001")
        ]
        # The API prints to it by its name, at its new port.
        app = edge_app(tmp_path, registry)
        response = TestClient(app).post(
            "/api/v1/labels/print", json={"kind": "cell", "cell_id": 101, "printer": "Zebra ZD421"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["printer"]["source"] == "zeroconf"
        assert printer.received.wait(5)
        announcer.unregister_service(moved)
        assert directory.wait_for(lambda s: not s["zd421-0001"].present, 10)
        assert registry.printers() == []
    finally:
        registry.close()
        announcer.close()
        listener.close()


def test_a_site_pallets_label_weighs_its_contents_plus_the_tare(client, printer):
    from edge.warehouse.domain import ReceiveUnits
    from edge.warehouse.packing import ClosePackage, NestPackage, PackUnits
    from edge.warehouse.service import handle

    db = client.app.state.db
    db.execute("UPDATE items SET weight_g = 150 WHERE sku = 'K-40'")
    box, pallet = SSCC, "346012340000000018"
    handle(db, ReceiveUnits("K-40", 101, 10), actor="t")
    handle(db, PackUnits(box, 101, "K-40", 10), actor="t")
    handle(db, ClosePackage(box), actor="t")
    handle(db, NestPackage(pallet, box, 101), actor="t")
    handle(db, ClosePackage(pallet), actor="t")
    body = {"kind": "pallet", "sscc": pallet, "contents": "K-40 × 10", "printer": "Упаковка-1"}
    response = client.post("/api/v1/labels/print", json=body)
    assert response.status_code == 200, response.text
    assert "Брутто 26,8 кг" in response.json()["zpl"]  # 10 × 150 g + a box 300 g + a pallet 25 kg
    boxed = {"kind": "box", "order": "—", "customer": "", "box": 1, "boxes": 1, "contents": "K-40 × 10", "sscc": box}
    assert "Брутто 1,8 кг" in client.post("/api/v1/labels/print", json={**boxed, "printer": "Упаковка-1"}).json()["zpl"]
    db.execute("UPDATE items SET weight_g = NULL WHERE sku = 'K-40'")
    unknown = client.post("/api/v1/labels/print", json=body)
    assert unknown.status_code == 422
    assert unknown.json()["detail"].startswith(f"Вес упаковки {pallet} не вычислить")
    assert client.post("/api/v1/labels/print", json={**body, "weight_kg": "30"}).status_code == 200
