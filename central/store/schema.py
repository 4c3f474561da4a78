"""Central's schema in SQLAlchemy Core: the tables every capability reads and writes.

Money is integer kopecks (``*_kop``, BigInteger); quantities are integers in the item's unit; times are
timezone-aware UTC. Central owns everything here except ``stock``, its projection of the edges' facts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _fk(name: str, target: str, nullable: bool = False) -> Column[int]:
    return Column(name, Integer, ForeignKey(f"{target}.id"), nullable=nullable, index=True)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware timestamp stored as UTC on every engine, read back aware (UTC).

    SQLite keeps no offset: an aware value written as is would come back as its wall-clock time with the
    offset lost (a Moscow 09:00 read as 09:00 UTC). Converting to UTC on the way in makes both engines agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None and dialect.name == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _ts(name: str, nullable: bool = False) -> Column[datetime]:
    return Column(name, UtcDateTime(), nullable=nullable)


ROLES = (
    "admin", "sales_manager", "commercial_director", "dispatcher", "purchasing_manager", "warehouse_manager",
    "picker", "controlling_manager", "logistician", "accountant", "director", "shop_master",
)  # fmt: skip

users = Table(
    "users",
    metadata,
    _id(),
    Column("login", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("badge", String(13), unique=True),
    Column("pin_hash", String(200)),  # the PIN typed after the badge at edge terminals (read copy at the edges)
    Column("phone", String(20)),
    Column("email", String(200)),
    Column("active", Boolean, nullable=False, server_default="1"),
    _ts("created_at", nullable=True),
    CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
)

# ACC-1: append-only, hash-chained log of every action (central/audit/); ACC-4: who acted for whom.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    _ts("at"),
    Column("actor", String(64), nullable=False),
    Column("on_behalf_of", String(200)),
    Column("action", String(200), nullable=False),
    Column("target", String(500)),
    Column("before", Text),
    Column("after", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_actor", "actor"),
    Index("ix_audit_log_at", "at"),
)

sites = Table(
    "sites",
    metadata,
    _id(),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    CheckConstraint("kind IN ('warehouse', 'shop')", name="kind"),
)

cells = Table(
    "cells",
    metadata,
    _id(),
    _fk("site_id", "sites"),
    Column("address", String(32), nullable=False),
    Column("barcode", String(13), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    UniqueConstraint("site_id", "address", name="uq_cells_site_address"),
    CheckConstraint("kind IN ('storage', 'receiving', 'assembly', 'shipping')", name="kind"),
)

items = Table(
    "items",
    metadata,
    _id(),
    Column("sku", String(32), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("uom", String(16), nullable=False),
    Column("ean13", String(13), nullable=False, unique=True),
    Column("weight_g", Integer, nullable=False),
    Column("volume_cm3", Integer, nullable=False),
    Column("description", Text),
    Column("planned_cost_kop", BigInteger, nullable=False),
    Column("min_stock", Integer, nullable=False, server_default="0"),
    Column("pack_qty", Integer, nullable=False, server_default="1"),
    Column("serialized", Boolean, nullable=False, server_default="0"),
    Column("lot_tracked", Boolean, nullable=False, server_default="0"),
    CheckConstraint("kind IN ('component', 'semi_finished', 'finished')", name="kind"),
)

price_lists = Table(
    "price_lists",
    metadata,
    _id(),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    CheckConstraint("kind IN ('retail', 'wholesale_1', 'wholesale_2', 'wholesale_3', 'personal')", name="kind"),
)

item_prices = Table(
    "item_prices",
    metadata,
    _id(),
    _fk("price_list_id", "price_lists"),
    _fk("item_id", "items"),
    Column("price_kop", BigInteger, nullable=False),
    Column("effective_from", Date, nullable=False),
    _fk("set_by", "users", nullable=True),
    UniqueConstraint("price_list_id", "item_id", "effective_from", name="uq_item_prices_list_item_from"),
    CheckConstraint("price_kop > 0", name="positive"),
)

suppliers = Table(
    "suppliers",
    metadata,
    _id(),
    Column("name", String(300), nullable=False),
    Column("inn", String(12), nullable=False),
    Column("kpp", String(9)),
    Column("payment_terms", String(200), nullable=False),
    Column("delivery_terms", String(200), nullable=False),
)

supplier_items = Table(
    "supplier_items",
    metadata,
    _id(),
    _fk("supplier_id", "suppliers"),
    _fk("item_id", "items"),
    Column("price_kop", BigInteger, nullable=False),
    Column("lead_time_days", Integer, nullable=False),
    Column("min_order_qty", Integer, nullable=False),
    UniqueConstraint("supplier_id", "item_id", name="uq_supplier_items_supplier_item"),
)

work_center_groups = Table(
    "work_center_groups", metadata, _id(), Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
)  # fmt: skip

work_centers = Table(
    "work_centers", metadata, _id(), _fk("group_id", "work_center_groups"),
    Column("code", String(32), nullable=False, unique=True), Column("name", String(200), nullable=False),
)  # fmt: skip

bom_lines = Table(
    "bom_lines",
    metadata,
    _id(),
    _fk("item_id", "items"),
    _fk("component_id", "items"),
    Column("qty_per_unit", Integer, nullable=False),
    UniqueConstraint("item_id", "component_id", name="uq_bom_lines_item_component"),
)

routing_operations = Table(
    "routing_operations",
    metadata,
    _id(),
    _fk("item_id", "items"),
    Column("seq", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    _fk("group_id", "work_center_groups"),
    Column("norm_minutes_per_unit", Integer, nullable=False),
    UniqueConstraint("item_id", "seq", name="uq_routing_operations_item_seq"),
)

customers = Table(
    "customers",
    metadata,
    _id(),
    Column("name", String(300), nullable=False),
    Column("inn", String(12), nullable=False, unique=True),
    Column("kpp", String(9)),
    Column("ogrn", String(15), nullable=False),
    Column("bank_bik", String(9), nullable=False),
    Column("bank_name", String(200), nullable=False),
    Column("correspondent_account", String(20), nullable=False),
    Column("settlement_account", String(20), nullable=False),
    Column("legal_address", String(400), nullable=False),
    Column("delivery_address", String(400), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("window_from_min", Integer, nullable=False),
    Column("window_to_min", Integer, nullable=False),
    Column("phone", String(20), nullable=False),
    _fk("price_list_id", "price_lists"),
    _fk("manager_id", "users"),
    Column("payment_method", String(16), nullable=False),
    Column("comment", Text),
    _ts("created_at"),
    CheckConstraint("payment_method IN ('prepayment', 'advance', 'deferral', 'consignment')", name="payment"),
)

workers = Table(
    "workers",
    metadata,
    _id(),
    Column("badge", String(13), nullable=False, unique=True),
    Column("pin_hash", String(200)),
    Column("full_name", String(200), nullable=False),
    Column("pay_kind", String(16), nullable=False),
    Column("rate_kop", BigInteger, nullable=False),
    _fk("group_id", "work_center_groups"),
    CheckConstraint("pay_kind IN ('piecework', 'hourly', 'salary')", name="pay_kind"),
)

vehicles = Table(
    "vehicles",
    metadata,
    _id(),
    Column("plate", String(16), nullable=False, unique=True),
    Column("model", String(100), nullable=False),
    Column("capacity_kg", Integer, nullable=False),
    Column("capacity_m3_milli", Integer, nullable=False),
    Column("cost_per_km_kop", BigInteger, nullable=False),
)

carrier_tariffs = Table(
    "carrier_tariffs",
    metadata,
    _id(),
    Column("carrier", String(200), nullable=False),
    Column("base_kop", BigInteger, nullable=False),
    Column("per_kg_kop", BigInteger, nullable=False),
    Column("per_km_kop", BigInteger, nullable=False),
)

ORDER_STATUSES = "('draft', 'confirmed', 'picking', 'shipped', 'completed', 'cancelled')"
orders = Table(
    "orders",
    metadata,
    _id(),
    Column("number", String(20), nullable=False, unique=True),
    _fk("customer_id", "customers"),
    _fk("manager_id", "users"),
    Column("status", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    _ts("created_at"),
    Column("deadline", Date, nullable=False),
    Column("payment_form", String(16), nullable=False),
    Column("return_terms", String(16), nullable=False),
    Column("total_kop", BigInteger, nullable=False),
    CheckConstraint(f"status IN {ORDER_STATUSES}", name="status"),
    Index("ix_orders_created_at", "created_at"),
)

order_lines = Table(
    "order_lines",
    metadata,
    _id(),
    _fk("order_id", "orders"),
    _fk("item_id", "items"),
    Column("qty", Integer, nullable=False),
    Column("price_kop", BigInteger, nullable=False),
    CheckConstraint("qty > 0", name="qty"),
)

reservations = Table(
    "reservations",
    metadata,
    _id(),
    _fk("order_line_id", "order_lines"),
    _fk("item_id", "items"),
    _fk("site_id", "sites"),
    Column("qty", Integer, nullable=False),
    Column("source", String(64), nullable=False),
    _ts("created_at"),
    _ts("expires_at"),
    Column("status", String(16), nullable=False),
    CheckConstraint("status IN ('active', 'released', 'consumed', 'expired')", name="status"),
)

invoices = Table(
    "invoices",
    metadata,
    _id(),
    Column("number", String(20), nullable=False, unique=True),
    _fk("order_id", "orders"),
    Column("issued_on", Date, nullable=False),
    Column("amount_kop", BigInteger, nullable=False),
    Column("vat_kop", BigInteger, nullable=False),
    Column("paid_kop", BigInteger, nullable=False, server_default="0"),
)

payments = Table(
    "payments",
    metadata,
    _id(),
    _fk("customer_id", "customers"),
    _fk("invoice_id", "invoices", nullable=True),
    Column("received_on", Date, nullable=False),
    Column("amount_kop", BigInteger, nullable=False),
    Column("document_number", String(20), nullable=False),
    Column("fingerprint", String(32), unique=True),
    Column("purpose", String(500)),
    # 0014_payments: where the payment came from and who entered it; why it is unmatched and what the accountant
    # decided about it (``review``: not ours — to be returned, or an advance kept on the customer's account).
    Column("source", String(8), nullable=False, server_default="bank"),
    _fk("entered_by", "users", nullable=True),
    _ts("entered_at", nullable=True),
    Column("note", String(300)),
    Column("review", String(16)),
    _fk("matched_by", "users", nullable=True),
    _ts("matched_at", nullable=True),
    CheckConstraint("source IN ('bank', 'manual')", name="source"),
    CheckConstraint("review IN ('not_ours', 'advance')", name="review"),
)

shipments = Table(
    "shipments",
    metadata,
    _id(),
    _fk("order_id", "orders"),
    _fk("site_id", "sites"),
    _ts("task_received_at"),
    _ts("shipped_at"),
    _ts("documents_returned_at", nullable=True),
    _fk("vehicle_id", "vehicles", nullable=True),
)

returns = Table(
    "returns",
    metadata,
    _id(),
    _fk("order_line_id", "order_lines"),
    Column("qty", Integer, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("returned_on", Date, nullable=False),
    CheckConstraint("reason IN ('defect', 'not_needed', 'wrong_item')", name="reason"),
)

supply_orders = Table(
    "supply_orders",
    metadata,
    _id(),
    Column("number", String(20), nullable=False, unique=True),
    _fk("supplier_id", "suppliers"),
    Column("ordered_on", Date, nullable=False),
    Column("eta", Date, nullable=False),
    Column("status", String(16), nullable=False),
    _fk("assignee_id", "users", nullable=True),  # the purchasing manager who follows it (DISP-3, 0015_purchasing)
    CheckConstraint("status IN ('open', 'received', 'cancelled')", name="status"),
)

supply_order_lines = Table(
    "supply_order_lines",
    metadata,
    _id(),
    _fk("supply_order_id", "supply_orders"),
    _fk("item_id", "items"),
    Column("qty", Integer, nullable=False),
    Column("price_kop", BigInteger, nullable=False),
)

production_tasks = Table(
    "production_tasks",
    metadata,
    _id(),
    Column("number", String(20), nullable=False, unique=True),
    _fk("item_id", "items"),
    Column("qty", Integer, nullable=False),
    Column("due", Date, nullable=False),
    Column("status", String(16), nullable=False),
    _ts("released_at", nullable=True),
    _ts("finished_at", nullable=True),
    CheckConstraint("status IN ('planned', 'in_work', 'done', 'cancelled')", name="status"),
)

stock = Table(
    "stock",
    metadata,
    _fk("site_id", "sites"),
    _fk("item_id", "items"),
    _fk("cell_id", "cells"),
    Column("qty", Integer, nullable=False),
    UniqueConstraint("site_id", "item_id", "cell_id", name="uq_stock_site_item_cell"),
    CheckConstraint("qty >= 0", name="qty"),
)

# Sync (SYNC-1..3): the ledger of every fact an edge reported, the per-site downstream log, and what
# central knows of each site's link. The inbox row is written in the transaction that projects the event.
sync_sites = Table(
    "sync_sites",
    metadata,
    Column("site_id", Integer, ForeignKey("sites.id"), primary_key=True),
    Column("applied_seq", BigInteger, nullable=False, server_default="0"),
    Column("down_acked", BigInteger, nullable=False, server_default="0"),
    Column("edge_outbox_seq", BigInteger, nullable=False, server_default="0"),
    Column("edge_acked_seq", BigInteger, nullable=False, server_default="0"),
    Column("presence", String(16), nullable=False, server_default="unknown"),
    _ts("presence_at", nullable=True),
    _ts("last_contact", nullable=True),
    Column("held", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
)

inbox = Table(
    "inbox",
    metadata,
    _fk("site_id", "sites"),
    Column("seq", BigInteger, nullable=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    _ts("occurred_at"),
    Column("actor", String(64)),
    Column("payload", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    _ts("applied_at"),
    UniqueConstraint("site_id", "seq", name="uq_inbox_site_seq"),
)

down_log = Table(
    "down_log",
    metadata,
    _fk("site_id", "sites"),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    _ts("created_at"),
    UniqueConstraint("site_id", "seq", name="uq_down_log_site_seq"),
)

sync_quarantine = Table(
    "sync_quarantine",
    metadata,
    _id(),
    Column("topic", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False),
    _ts("received_at"),
)

# Units picked per pick task and item as the edges reported them, to catch picks beyond the reservation.
picked = Table(
    "picked",
    metadata,
    _fk("site_id", "sites"),
    Column("task", String(64), nullable=False),
    _fk("item_id", "items"),
    Column("qty", Integer, nullable=False),
    UniqueConstraint("site_id", "task", "item_id", name="uq_picked_site_task_item"),
)

sync_exceptions = Table(
    "sync_exceptions",
    metadata,
    _id(),
    _fk("site_id", "sites"),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
    _ts("created_at"),
    _ts("resolved_at", nullable=True),
)

# Optimizer proposals and their review (DISP-2, OPT-1): each run's input snapshot, figures, explanation and
# difference from the current plan; the loans an accepted borrowing proposal made; the tasks it created.
PROPOSAL_KINDS = "('borrowing', 'production', 'routes')"
PROPOSAL_STATUSES = "('proposed', 'accepted', 'rejected', 'stale')"
proposals = Table(
    "proposals",
    metadata,
    _id(),
    Column("kind", String(16), nullable=False),
    _fk("site_id", "sites"),
    _ts("created_at"),
    _fk("created_by", "users"),
    Column("status", String(16), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("diff", JSON, nullable=False),
    _ts("decided_at", nullable=True),
    _fk("decided_by", "users", nullable=True),
    Column("decision_reason", Text),
    CheckConstraint(f"kind IN {PROPOSAL_KINDS}", name="kind"),
    CheckConstraint(f"status IN {PROPOSAL_STATUSES}", name="status"),
    Index("ix_proposals_created_at", "created_at"),
)

loans = Table(
    "loans",
    metadata,
    _id(),
    _fk("proposal_id", "proposals"),
    _fk("site_id", "sites"),
    _fk("lender_order_id", "orders"),
    _fk("borrower_order_id", "orders"),
    _fk("item_id", "items"),
    Column("qty", Integer, nullable=False),
    Column("repayment_kind", String(16), nullable=False),
    Column("repayment_source", String(20), nullable=False),
    Column("repayment_date", Date, nullable=False),
    Column("lender_deadline", Date, nullable=False),
    _fk("lender_reservation_id", "reservations"),
    _fk("borrower_reservation_id", "reservations"),
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    _ts("repaid_at", nullable=True),
    CheckConstraint("qty > 0", name="qty"),
    CheckConstraint("repayment_kind IN ('supply', 'production')", name="repayment_kind"),
    CheckConstraint("status IN ('open', 'repaid')", name="status"),
)

dispatch_tasks = Table(
    "dispatch_tasks",
    metadata,
    _id(),
    Column("kind", String(16), nullable=False),
    _fk("order_id", "orders"),
    _fk("site_id", "sites"),
    _fk("proposal_id", "proposals", nullable=True),
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    CheckConstraint("kind IN ('pick', 'production', 'route')", name="kind"),
    CheckConstraint("status IN ('new', 'in_work', 'done', 'cancelled')", name="status"),
)

# Accepted plans (DISP-2, OPT-2, OPT-3): the production queue and the day's delivery routes that an accepted
# proposal wrote. The current plan of a site (and day, for routes) is the one of its latest accepted proposal.
production_plan_tasks = Table(
    "production_plan_tasks",
    metadata,
    _id(),
    _fk("proposal_id", "proposals"),
    _fk("site_id", "sites"),
    _fk("task_id", "production_tasks"),
    Column("position", Integer, nullable=False),
    _ts("start_at"),
    _ts("end_at"),
    UniqueConstraint("proposal_id", "task_id", name="uq_production_plan_tasks_proposal_task"),
)

production_plan_ops = Table(
    "production_plan_ops",
    metadata,
    _id(),
    _fk("plan_task_id", "production_plan_tasks"),
    _fk("routing_operation_id", "routing_operations"),
    Column("seq", Integer, nullable=False),
    _fk("work_center_id", "work_centers"),
    _ts("start_at"),
    _ts("end_at"),
)

route_plans = Table(
    "route_plans",
    metadata,
    _id(),
    _fk("proposal_id", "proposals"),
    _fk("site_id", "sites"),
    Column("day", Date, nullable=False),
    _fk("vehicle_id", "vehicles"),
    Column("distance_m", Integer, nullable=False),
    Column("cost_kop", BigInteger, nullable=False),
    Column("weight_g", BigInteger, nullable=False),
    Column("volume_cm3", BigInteger, nullable=False),
    _ts("start_at"),
    _ts("end_at"),
)

route_stops = Table(
    "route_stops",
    metadata,
    _id(),
    _fk("route_plan_id", "route_plans"),
    Column("seq", Integer, nullable=False),
    _fk("order_id", "orders"),
    _fk("customer_id", "customers"),
    _ts("eta"),
    _ts("window_from"),
    _ts("window_to"),
    Column("load_position", Integer, nullable=False),
)

route_carrier_shipments = Table(
    "route_carrier_shipments",
    metadata,
    _id(),
    _fk("proposal_id", "proposals"),
    _fk("site_id", "sites"),
    Column("day", Date, nullable=False),
    _fk("order_id", "orders"),
    _fk("carrier_tariff_id", "carrier_tariffs"),
    Column("cost_kop", BigInteger, nullable=False),
    Column("own_cost_kop", BigInteger),
)


# Shop floor, norm-hours and payroll (PROD-2, PROD-3, REP-10). Operations released to a shop edge; the work
# records projected from its Work* events (time in intervals, pauses apart); rules and rates central owns.
shop_group_rules = Table(
    "shop_group_rules",
    metadata,
    Column("group_id", Integer, ForeignKey("work_center_groups.id"), primary_key=True),
    Column("parallel_capable", Boolean, nullable=False, server_default="0"),
)

operation_releases = Table(
    "operation_releases",
    metadata,
    _id(),
    _fk("site_id", "sites"),
    _fk("task_id", "production_tasks"),
    _fk("routing_operation_id", "routing_operations"),
    _ts("released_at"),
    UniqueConstraint("task_id", "routing_operation_id", name="uq_operation_releases_task_operation"),
)

work_records = Table(
    "work_records",
    metadata,
    _id(),
    _fk("site_id", "sites"),
    Column("session", String(64), nullable=False),
    Column("task_number", String(20), nullable=False),
    Column("routing_operation_id", Integer, nullable=False),
    Column("op_seq", Integer, nullable=False),
    Column("operation", String(200), nullable=False),
    Column("sku", String(32), nullable=False),
    Column("group_code", String(32), nullable=False),
    Column("worker_badge", String(13), nullable=False),
    _fk("worker_id", "workers", nullable=True),
    Column("norm_minutes_per_unit", Integer, nullable=False),
    _ts("started_at"),
    _ts("ended_at", nullable=True),
    Column("state", String(16), nullable=False),
    Column("good", Integer, nullable=False, server_default="0"),
    Column("defective", Integer, nullable=False, server_default="0"),
    Column("closed_by_rule", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("site_id", "session", name="uq_work_records_site_session"),
    CheckConstraint("state IN ('running', 'paused', 'finished', 'closed')", name="state"),
)

work_intervals = Table(
    "work_intervals",
    metadata,
    _id(),
    _fk("work_record_id", "work_records"),
    _ts("started_at"),
    _ts("ended_at", nullable=True),
)

work_pauses = Table(
    "work_pauses",
    metadata,
    _id(),
    _fk("work_record_id", "work_records"),
    _ts("started_at"),
    _ts("ended_at", nullable=True),
    Column("reason", String(32), nullable=False),
)

piece_rates = Table(
    "piece_rates",
    metadata,
    Column("routing_operation_id", Integer, ForeignKey("routing_operations.id"), primary_key=True),
    Column("rate_kop", BigInteger, nullable=False),
    CheckConstraint("rate_kop >= 0", name="rate"),
)

manager_pay_terms = Table(
    "manager_pay_terms",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("salary_kop", BigInteger, nullable=False, server_default="0"),
    Column("commission_bp", Integer, nullable=False),  # basis points of paid sales: 300 = 3 %
    CheckConstraint("commission_bp >= 0", name="commission"),
)


# Receiving against expected receipts and counts with approval (WH-5, WH-7, WH-9). An expected receipt is a
# supply order sent to a site under a document code (24…); its lines take the site's ReceiptClosed figures, and
# lines with a difference form the purchasing manager's claims register. A count sheet (INV-19 style) gathers
# the site's CellCounted facts (book vs counted) until approved; approval sends the adjustment down.
expected_receipts = Table(
    "expected_receipts",
    metadata,
    _id(),
    Column("code", String(13), nullable=False, unique=True),
    _fk("supply_order_id", "supply_orders"),
    _fk("site_id", "sites"),
    Column("status", String(16), nullable=False),
    _ts("sent_at"),
    _ts("closed_at", nullable=True),
    Column("closed_by", String(64)),
    CheckConstraint("status IN ('sent', 'closed')", name="status"),
)

receipt_lines = Table(
    "receipt_lines",
    metadata,
    _id(),
    _fk("receipt_id", "expected_receipts"),
    _fk("item_id", "items"),
    Column("expected", Integer, nullable=False),
    Column("received", Integer, nullable=False, server_default="0"),
    Column("defective", Integer, nullable=False, server_default="0"),
    Column("claim_status", String(16)),  # None: no difference; open; settled
    Column("claim_note", Text),
    _ts("settled_at", nullable=True),
    UniqueConstraint("receipt_id", "item_id", name="uq_receipt_lines_receipt_item"),
    CheckConstraint("claim_status IS NULL OR claim_status IN ('open', 'settled')", name="claim_status"),
)

count_tasks = Table(
    "count_tasks",
    metadata,
    _id(),
    Column("code", String(20), nullable=False, unique=True),
    _fk("site_id", "sites"),
    _fk("item_id", "items", nullable=True),
    Column("cells", Text, nullable=False),  # JSON [{"cell_id", "cell"}]
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    _fk("created_by", "users", nullable=True),
    CheckConstraint("status IN ('sent', 'done')", name="status"),
)

count_sheets = Table(
    "count_sheets",
    metadata,
    _id(),
    Column("number", String(20), nullable=False, unique=True),
    _fk("site_id", "sites"),
    Column("count_task", String(20)),
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    _ts("approved_at", nullable=True),
    _fk("approved_by", "users", nullable=True),
    CheckConstraint("status IN ('open', 'approved', 'applied')", name="status"),
)

count_lines = Table(
    "count_lines",
    metadata,
    _id(),
    _fk("sheet_id", "count_sheets"),
    _fk("cell_id", "cells"),
    _fk("item_id", "items"),
    Column("book", Integer, nullable=False),
    Column("counted", Integer, nullable=False),
    Column("count_seq", BigInteger, nullable=False),
    _ts("counted_at"),
    Column("status", String(16), nullable=False),
    Column("message", Text),
    UniqueConstraint("sheet_id", "cell_id", "item_id", name="uq_count_lines_sheet_cell_item"),
    CheckConstraint("status IN ('counted', 'applied', 'refused')", name="status"),
)


# The customer's agreed fulfilment variant of a confirmed order (ORD-4): complete, partial, wait or substitute,
# with the shipments and dates agreed; the reservations it implied are in ``reservations``.
order_decisions = Table(
    "order_decisions",
    metadata,
    _id(),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, unique=True),
    Column("variant", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("shipments", JSON, nullable=False),  # [{"on": "2026-12-03" | null, "lines": [{"sku", "qty"}]}]
    _ts("decided_at"),
    _fk("decided_by", "users"),
    CheckConstraint("variant IN ('complete', 'partial', 'wait', 'substitute')", name="variant"),
)


# Transfers between the main warehouse and the shop (PROD-1). A transfer («ПМ-…») moves a production task's
# components W1 → S1 or its finished goods S1 → W1: a pick task at the source (picked and shipped there) and an
# expected receipt at the destination (received there); its lines follow the two edges' facts. The shop's
# consumption ledger holds what the shop edge reported consumed (by the BOM, scrap, over-use) and produced.
transfers = Table(
    "transfers",
    metadata,
    _id(),
    Column("number", String(20), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    _fk("task_id", "production_tasks"),
    _fk("from_site_id", "sites"),
    _fk("to_site_id", "sites"),
    Column("pick_code", String(13), nullable=False, unique=True),
    Column("receipt_code", String(13), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("pick_lines", JSON, nullable=False),  # [{"sku", "cell_id", "qty"}] as the pick task listed them
    _ts("created_at"),
    _fk("created_by", "users", nullable=True),
    _ts("picked_at", nullable=True),
    _ts("shipped_at", nullable=True),
    _ts("received_at", nullable=True),
    CheckConstraint("kind IN ('components', 'finished')", name="kind"),
    CheckConstraint("status IN ('requested', 'picked', 'shipped', 'received')", name="status"),
)

transfer_lines = Table(
    "transfer_lines",
    metadata,
    _id(),
    _fk("transfer_id", "transfers"),
    _fk("item_id", "items"),
    Column("required", Integer, nullable=False),  # what the task needed of it
    Column("qty", Integer, nullable=False),  # what the pick task asks for (at most what the source holds)
    Column("picked", Integer, nullable=False, server_default="0"),
    Column("shipped", Integer, nullable=False, server_default="0"),
    Column("received", Integer, nullable=False, server_default="0"),
    Column("defective", Integer, nullable=False, server_default="0"),
    UniqueConstraint("transfer_id", "item_id", name="uq_transfer_lines_transfer_item"),
)

shop_consumption = Table(
    "shop_consumption",
    metadata,
    _id(),
    _fk("site_id", "sites"),
    Column("seq", BigInteger, nullable=False),
    Column("task_number", String(20), nullable=False, index=True),
    _fk("item_id", "items"),
    Column("purpose", String(16), nullable=False),
    Column("qty", Integer, nullable=False),  # units taken from stock (produced: units put into stock)
    Column("short", Integer, nullable=False, server_default="0"),  # asked for by the BOM, not in stock
    Column("units", Integer, nullable=False),  # finished or scrapped units the line is for
    Column("reason", Text),
    _ts("occurred_at"),
    CheckConstraint("purpose IN ('production', 'scrap', 'overuse', 'produced')", name="purpose"),
)

# Packages (WH-2): central's projection of the boxes and pallets the sites pack, by SSCC; the site owns them.
packages = Table(
    "packages",
    metadata,
    _id(),
    Column("sscc", String(18), nullable=False, unique=True),
    _fk("site_id", "sites"),
    _fk("cell_id", "cells"),
    Column("parent_sscc", String(18), index=True),
    Column("kind", String(8), nullable=False, server_default="box"),
    Column("status", String(8), nullable=False, server_default="open"),
    Column("seq", BigInteger, nullable=False),  # the site's event that last changed it
    _ts("updated_at"),
    Column("shipment", String(40)),  # 0016: shipped whole under this shipment (pick task) — the package left
    CheckConstraint("kind IN ('box', 'pallet')", name="kind"),
    CheckConstraint("status IN ('open', 'closed')", name="status"),
)

package_units = Table(
    "package_units",
    metadata,
    _id(),
    _fk("package_id", "packages"),
    _fk("item_id", "items"),
    Column("qty", Integer, nullable=False),
    UniqueConstraint("package_id", "item_id", name="uq_package_units_package_item"),
    CheckConstraint("qty > 0", name="qty"),
)

# Notifications (one mechanism for every capability): a row per recipient in the in-app inbox, written in the
# transaction of the fact it tells about; e-mail is delivered afterwards from the rows still ``pending``.
notifications = Table(
    "notifications",
    metadata,
    _id(),
    _fk("user_id", "users"),
    Column("kind", String(32), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("link", String(300)),
    _ts("created_at"),
    _ts("read_at", nullable=True),
    Column("mail_status", String(8), nullable=False, server_default="pending"),
    _ts("mailed_at", nullable=True),
    Column("mail_error", Text),
    CheckConstraint("mail_status IN ('pending', 'sent', 'failed', 'none')", name="mail_status"),
    Index("ix_notifications_mail_status", "mail_status"),
)

# A dispute over an order (ORD-10): open while ``closed_at`` is empty; the order's stage shows it.
order_disputes = Table(
    "order_disputes",
    metadata,
    _id(),
    _fk("order_id", "orders"),
    Column("reason", Text, nullable=False),
    _ts("opened_at"),
    _fk("opened_by", "users"),
    _ts("closed_at", nullable=True),
    _fk("closed_by", "users", nullable=True),
    Column("resolution", Text),
)

# === 0012_sales: contracts and their signed scans, the director's register of planned work (price requests) ===

# Signed contract scans (ORD-7): the manager uploads what the customer signed; the order card shows the latest.
contracts = Table(
    "contracts",
    metadata,
    _id(),
    _fk("order_id", "orders"),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("scan", LargeBinary, nullable=False),
    _ts("uploaded_at"),
    _fk("uploaded_by", "users"),
    CheckConstraint("media_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="media_type"),
    CheckConstraint("size_bytes > 0", name="size"),
)

# The commercial director's register of planned work (PRICE-2): a manager's request to change a price waits
# here until the director approves it (the price is set from the date asked) or rejects it with a reason.
planned_work = Table(
    "planned_work",
    metadata,
    _id(),
    Column("kind", String(16), nullable=False, server_default="price_request"),
    _fk("requested_by", "users"),
    _ts("requested_at"),
    _fk("item_id", "items"),
    _fk("price_list_id", "price_lists"),
    Column("price_kop", BigInteger, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    _fk("decided_by", "users", nullable=True),
    _ts("decided_at", nullable=True),
    Column("decision_note", Text),
    CheckConstraint("kind IN ('price_request')", name="kind"),
    CheckConstraint("status IN ('open', 'approved', 'rejected')", name="status"),
    CheckConstraint("price_kop > 0", name="price"),
)

# === 0013_logistics: transport booking, dispatch documents (TORG-12/UPD, waybill), their return ===

# After picking (LOG-1, LOG-2, WH-6): one dispatch per order and site, created when the site receives the pick
# task; it carries the transport booked (a carrier at its tariff or an own van for a day), the kind of the
# shipping document, when the goods left and when the signed documents are due back (``shipments`` keeps the
# log row and ``documents_returned_at``); ``last_reminded_at`` keeps the reminders to one a day.
dispatches = Table(
    "dispatches",
    metadata,
    _id(),
    _fk("order_id", "orders"),
    _fk("site_id", "sites"),
    _fk("task_id", "dispatch_tasks", nullable=True),
    _ts("created_at"),
    _ts("task_received_at", nullable=True),
    _ts("picked_at", nullable=True),
    Column("short_lines", Text),
    Column("picked", JSON),  # {sku: units} as the site reported the pick; empty: the order's lines
    Column("mode", String(8)),
    _fk("carrier_tariff_id", "carrier_tariffs", nullable=True),
    _fk("vehicle_id", "vehicles", nullable=True),
    Column("delivery_day", Date),
    Column("distance_m", Integer),
    Column("weight_g", BigInteger),
    Column("volume_cm3", BigInteger),
    Column("cost_kop", BigInteger),
    Column("booking_number", String(64)),
    Column("comment", Text),
    _ts("booked_at", nullable=True),
    _fk("booked_by", "users", nullable=True),
    Column("document_kind", String(8)),  # empty: the ``default_document`` setting
    _ts("shipped_at", nullable=True),
    _fk("shipped_by", "users", nullable=True),
    Column("documents_due_on", Date),
    _fk("documents_returned_by", "users", nullable=True),
    _ts("last_reminded_at", nullable=True),
    UniqueConstraint("order_id", "site_id", name="uq_dispatches_order_site"),
    CheckConstraint("mode IN ('carrier', 'van')", name="mode"),
    CheckConstraint("document_kind IN ('torg12', 'upd')", name="document_kind"),
)

# Printed shipping documents, numbered per kind (TORG-12, UPD, waybill) when first printed.
dispatch_documents = Table(
    "dispatch_documents",
    metadata,
    _id(),
    _fk("dispatch_id", "dispatches"),
    Column("kind", String(8), nullable=False),
    Column("number", Integer, nullable=False),
    Column("issued_on", Date, nullable=False),
    _ts("created_at"),
    UniqueConstraint("kind", "number", name="uq_dispatch_documents_kind_number"),
    UniqueConstraint("dispatch_id", "kind", name="uq_dispatch_documents_dispatch_kind"),
    CheckConstraint("kind IN ('torg12', 'upd', 'waybill')", name="kind"),
)

# === 0014_payments: payments entered by hand, review of unmatched ===
# (columns of ``payments`` above: source, entered_by/at, note, review, matched_by/at)

# === 0015_purchasing: purchasing work assigned by the dispatcher ===

# A deficit line taken up by purchasing (DISP-3, PUR-1): the dispatcher or a purchasing manager assigns it; the
# assignee marks it ordered (with the supply order that covers it) or closes it with a note.
purchase_requests = Table(
    "purchase_requests",
    metadata,
    _id(),
    _fk("item_id", "items"),
    Column("qty", Integer, nullable=False),
    Column("needed_by", Date, nullable=True),
    _fk("order_id", "orders", nullable=True),
    _fk("assignee_id", "users", nullable=True),
    Column("status", String(8), nullable=False, server_default="open"),
    _fk("supply_order_id", "supply_orders", nullable=True),
    Column("note", Text),
    _ts("created_at"),
    _fk("created_by", "users"),
    _ts("closed_at", nullable=True),
    CheckConstraint("qty > 0", name="qty"),
    CheckConstraint("status IN ('open', 'ordered', 'closed')", name="status"),
)

# === 0016_serials: serial numbers of units at central ===

# Serialized units per site (WH-1), followed from the sites' events: where each unit is, or how it left.
# ``seq`` is the site's event that last changed it. A serial is unique per item at a site.
serials = Table(
    "serials",
    metadata,
    _id(),
    _fk("site_id", "sites"),
    _fk("item_id", "items"),
    Column("serial", String(64), nullable=False),
    _fk("cell_id", "cells", nullable=True),
    Column("package", String(18)),
    Column("status", String(12), nullable=False, server_default="in_stock"),
    Column("seq", BigInteger, nullable=False),
    _ts("updated_at"),
    UniqueConstraint("site_id", "item_id", "serial", name="uq_serials_site_item_serial"),
    CheckConstraint("status IN ('in_stock', 'shipped', 'consumed', 'written_off')", name="status"),
)
