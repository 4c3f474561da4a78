"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 04:03:56.458396
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "carrier_tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=200), nullable=False),
        sa.Column("base_kop", sa.BigInteger(), nullable=False),
        sa.Column("per_kg_kop", sa.BigInteger(), nullable=False),
        sa.Column("per_km_kop", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_tariffs")),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=False),
        sa.Column("ean13", sa.String(length=13), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("volume_cm3", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("planned_cost_kop", sa.BigInteger(), nullable=False),
        sa.Column("min_stock", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pack_qty", sa.Integer(), server_default="1", nullable=False),
        sa.Column("serialized", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("lot_tracked", sa.Boolean(), server_default="0", nullable=False),
        sa.CheckConstraint("kind IN ('component', 'semi_finished', 'finished')", name=op.f("ck_items_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("ean13", name=op.f("uq_items_ean13")),
        sa.UniqueConstraint("sku", name=op.f("uq_items_sku")),
    )
    op.create_table(
        "price_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('retail', 'wholesale_1', 'wholesale_2', 'wholesale_3', 'personal')",
            name=op.f("ck_price_lists_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_lists")),
        sa.UniqueConstraint("code", name=op.f("uq_price_lists_code")),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint("kind IN ('warehouse', 'shop')", name=op.f("ck_sites_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_sites_code")),
    )
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("inn", sa.String(length=12), nullable=False),
        sa.Column("kpp", sa.String(length=9), nullable=True),
        sa.Column("payment_terms", sa.String(length=200), nullable=False),
        sa.Column("delivery_terms", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("badge", sa.String(length=13), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'sales_manager', 'commercial_director', 'dispatcher', 'purchasing_manager', 'warehouse_manager', 'picker', 'controlling_manager', 'logistician', 'accountant', 'director', 'shop_master')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("badge", name=op.f("uq_users_badge")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    op.create_table(
        "vehicles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("capacity_kg", sa.Integer(), nullable=False),
        sa.Column("capacity_m3_milli", sa.Integer(), nullable=False),
        sa.Column("cost_per_km_kop", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicles")),
        sa.UniqueConstraint("plate", name=op.f("uq_vehicles_plate")),
    )
    op.create_table(
        "work_center_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_center_groups")),
        sa.UniqueConstraint("code", name=op.f("uq_work_center_groups_code")),
    )
    op.create_table(
        "bom_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("qty_per_unit", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["component_id"], ["items.id"], name=op.f("fk_bom_lines_component_id_items")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_bom_lines_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bom_lines")),
        sa.UniqueConstraint("item_id", "component_id", name="uq_bom_lines_item_component"),
    )
    with op.batch_alter_table("bom_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bom_lines_component_id"), ["component_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bom_lines_item_id"), ["item_id"], unique=False)

    op.create_table(
        "cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=32), nullable=False),
        sa.Column("barcode", sa.String(length=13), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint("kind IN ('storage', 'receiving', 'assembly', 'shipping')", name=op.f("ck_cells_kind")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_cells_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cells")),
        sa.UniqueConstraint("barcode", name=op.f("uq_cells_barcode")),
        sa.UniqueConstraint("site_id", "address", name="uq_cells_site_address"),
    )
    with op.batch_alter_table("cells", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cells_site_id"), ["site_id"], unique=False)

    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("inn", sa.String(length=12), nullable=False),
        sa.Column("kpp", sa.String(length=9), nullable=True),
        sa.Column("ogrn", sa.String(length=15), nullable=False),
        sa.Column("bank_bik", sa.String(length=9), nullable=False),
        sa.Column("bank_name", sa.String(length=200), nullable=False),
        sa.Column("correspondent_account", sa.String(length=20), nullable=False),
        sa.Column("settlement_account", sa.String(length=20), nullable=False),
        sa.Column("legal_address", sa.String(length=400), nullable=False),
        sa.Column("delivery_address", sa.String(length=400), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("window_from_min", sa.Integer(), nullable=False),
        sa.Column("window_to_min", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("payment_method", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "payment_method IN ('prepayment', 'advance', 'deferral', 'consignment')", name=op.f("ck_customers_payment")
        ),
        sa.ForeignKeyConstraint(["manager_id"], ["users.id"], name=op.f("fk_customers_manager_id_users")),
        sa.ForeignKeyConstraint(
            ["price_list_id"], ["price_lists.id"], name=op.f("fk_customers_price_list_id_price_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("inn", name=op.f("uq_customers_inn")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_price_list_id"), ["price_list_id"], unique=False)

    op.create_table(
        "item_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("price_kop", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("price_kop > 0", name=op.f("ck_item_prices_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_item_prices_item_id_items")),
        sa.ForeignKeyConstraint(
            ["price_list_id"], ["price_lists.id"], name=op.f("fk_item_prices_price_list_id_price_lists")
        ),
        sa.ForeignKeyConstraint(["set_by"], ["users.id"], name=op.f("fk_item_prices_set_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_prices")),
        sa.UniqueConstraint("price_list_id", "item_id", "effective_from", name="uq_item_prices_list_item_from"),
    )
    with op.batch_alter_table("item_prices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_prices_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_prices_price_list_id"), ["price_list_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_prices_set_by"), ["set_by"], unique=False)

    op.create_table(
        "production_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'in_work', 'done', 'cancelled')", name=op.f("ck_production_tasks_status")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_production_tasks_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_tasks")),
        sa.UniqueConstraint("number", name=op.f("uq_production_tasks_number")),
    )
    with op.batch_alter_table("production_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_tasks_item_id"), ["item_id"], unique=False)

    op.create_table(
        "routing_operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("norm_minutes_per_unit", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["work_center_groups.id"], name=op.f("fk_routing_operations_group_id_work_center_groups")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_routing_operations_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_operations")),
        sa.UniqueConstraint("item_id", "seq", name="uq_routing_operations_item_seq"),
    )
    with op.batch_alter_table("routing_operations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_operations_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_routing_operations_item_id"), ["item_id"], unique=False)

    op.create_table(
        "supplier_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("price_kop", sa.BigInteger(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("min_order_qty", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_supplier_items_item_id_items")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_supplier_items_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_items")),
        sa.UniqueConstraint("supplier_id", "item_id", name="uq_supplier_items_supplier_item"),
    )
    with op.batch_alter_table("supplier_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplier_items_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supplier_items_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "supply_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("eta", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint("status IN ('open', 'received', 'cancelled')", name=op.f("ck_supply_orders_status")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"], name=op.f("fk_supply_orders_supplier_id_suppliers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_supply_orders_number")),
    )
    with op.batch_alter_table("supply_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_orders_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "work_centers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["work_center_groups.id"], name=op.f("fk_work_centers_group_id_work_center_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_centers")),
        sa.UniqueConstraint("code", name=op.f("uq_work_centers_code")),
    )
    with op.batch_alter_table("work_centers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_centers_group_id"), ["group_id"], unique=False)

    op.create_table(
        "workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=13), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("pay_kind", sa.String(length=16), nullable=False),
        sa.Column("rate_kop", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("pay_kind IN ('piecework', 'hourly', 'salary')", name=op.f("ck_workers_pay_kind")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["work_center_groups.id"], name=op.f("fk_workers_group_id_work_center_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
        sa.UniqueConstraint("badge", name=op.f("uq_workers_badge")),
    )
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workers_group_id"), ["group_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("payment_form", sa.String(length=16), nullable=False),
        sa.Column("return_terms", sa.String(length=16), nullable=False),
        sa.Column("total_kop", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'confirmed', 'picking', 'shipped', 'completed', 'cancelled')",
            name=op.f("ck_orders_status"),
        ),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")),
        sa.ForeignKeyConstraint(["manager_id"], ["users.id"], name=op.f("fk_orders_manager_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_created_at", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_manager_id"), ["manager_id"], unique=False)

    op.create_table(
        "stock",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty >= 0", name=op.f("ck_stock_qty")),
        sa.ForeignKeyConstraint(["cell_id"], ["cells.id"], name=op.f("fk_stock_cell_id_cells")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_stock_item_id_items")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_stock_site_id_sites")),
        sa.UniqueConstraint("site_id", "item_id", "cell_id", name="uq_stock_site_item_cell"),
    )
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_cell_id"), ["cell_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_site_id"), ["site_id"], unique=False)

    op.create_table(
        "supply_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supply_order_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("price_kop", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_supply_order_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["supply_order_id"], ["supply_orders.id"], name=op.f("fk_supply_order_lines_supply_order_id_supply_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_order_lines")),
    )
    with op.batch_alter_table("supply_order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_order_lines_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supply_order_lines_supply_order_id"), ["supply_order_id"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount_kop", sa.BigInteger(), nullable=False),
        sa.Column("vat_kop", sa.BigInteger(), nullable=False),
        sa.Column("paid_kop", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_invoices_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("price_kop", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_order_lines_qty")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_order_lines_item_id_items")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("task_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("documents_returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_shipments_site_id_sites")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name=op.f("fk_shipments_vehicle_id_vehicles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_vehicle_id"), ["vehicle_id"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount_kop", sa.BigInteger(), nullable=False),
        sa.Column("document_number", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_payments_customer_id_customers")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_payments_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_payments_fingerprint")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_invoice_id"), ["invoice_id"], unique=False)

    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'released', 'consumed', 'expired')", name=op.f("ck_reservations_status")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_reservations_item_id_items")),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_reservations_order_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_reservations_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservations_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservations_order_line_id"), ["order_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservations_site_id"), ["site_id"], unique=False)

    op.create_table(
        "returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=False),
        sa.CheckConstraint("reason IN ('defect', 'not_needed', 'wrong_item')", name=op.f("ck_returns_reason")),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_returns_order_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_returns_order_line_id"), ["order_line_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_returns_order_line_id"))

    op.drop_table("returns")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservations_site_id"))
        batch_op.drop_index(batch_op.f("ix_reservations_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_reservations_item_id"))

    op.drop_table("reservations")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_payments_customer_id"))

    op.drop_table("payments")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_vehicle_id"))
        batch_op.drop_index(batch_op.f("ix_shipments_site_id"))
        batch_op.drop_index(batch_op.f("ix_shipments_order_id"))

    op.drop_table("shipments")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_item_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_order_id"))

    op.drop_table("invoices")
    with op.batch_alter_table("supply_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_order_lines_supply_order_id"))
        batch_op.drop_index(batch_op.f("ix_supply_order_lines_item_id"))

    op.drop_table("supply_order_lines")
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_site_id"))
        batch_op.drop_index(batch_op.f("ix_stock_item_id"))
        batch_op.drop_index(batch_op.f("ix_stock_cell_id"))

    op.drop_table("stock")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_manager_id"))
        batch_op.drop_index(batch_op.f("ix_orders_customer_id"))
        batch_op.drop_index("ix_orders_created_at")

    op.drop_table("orders")
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workers_group_id"))

    op.drop_table("workers")
    with op.batch_alter_table("work_centers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_centers_group_id"))

    op.drop_table("work_centers")
    with op.batch_alter_table("supply_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_orders_supplier_id"))

    op.drop_table("supply_orders")
    with op.batch_alter_table("supplier_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_items_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_supplier_items_item_id"))

    op.drop_table("supplier_items")
    with op.batch_alter_table("routing_operations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_operations_item_id"))
        batch_op.drop_index(batch_op.f("ix_routing_operations_group_id"))

    op.drop_table("routing_operations")
    with op.batch_alter_table("production_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_tasks_item_id"))

    op.drop_table("production_tasks")
    with op.batch_alter_table("item_prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_prices_set_by"))
        batch_op.drop_index(batch_op.f("ix_item_prices_price_list_id"))
        batch_op.drop_index(batch_op.f("ix_item_prices_item_id"))

    op.drop_table("item_prices")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_price_list_id"))
        batch_op.drop_index(batch_op.f("ix_customers_manager_id"))

    op.drop_table("customers")
    with op.batch_alter_table("cells", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cells_site_id"))

    op.drop_table("cells")
    with op.batch_alter_table("bom_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bom_lines_item_id"))
        batch_op.drop_index(batch_op.f("ix_bom_lines_component_id"))

    op.drop_table("bom_lines")
    op.drop_table("work_center_groups")
    op.drop_table("vehicles")
    op.drop_table("users")
    op.drop_table("suppliers")
    op.drop_table("sites")
    op.drop_table("price_lists")
    op.drop_table("items")
    op.drop_table("carrier_tariffs")
