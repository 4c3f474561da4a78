"""transfers: components W1 → S1 and finished goods S1 → W1, and the shop's consumption ledger

Revision ID: 0008_transfers
Revises: 0007_orders
Create Date: 2026-11-26 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_transfers"
down_revision = "0007_orders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("from_site_id", sa.Integer(), nullable=False),
        sa.Column("to_site_id", sa.Integer(), nullable=False),
        sa.Column("pick_code", sa.String(length=13), nullable=False),
        sa.Column("receipt_code", sa.String(length=13), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pick_lines", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('components', 'finished')", name=op.f("ck_transfers_kind")),
        sa.CheckConstraint(
            "status IN ('requested', 'picked', 'shipped', 'received')", name=op.f("ck_transfers_status")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_transfers_created_by_users")),
        sa.ForeignKeyConstraint(["from_site_id"], ["sites.id"], name=op.f("fk_transfers_from_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["production_tasks.id"], name=op.f("fk_transfers_task_id_production_tasks")
        ),
        sa.ForeignKeyConstraint(["to_site_id"], ["sites.id"], name=op.f("fk_transfers_to_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint("number", name=op.f("uq_transfers_number")),
        sa.UniqueConstraint("pick_code", name=op.f("uq_transfers_pick_code")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_transfers_receipt_code")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        for column in ("created_by", "from_site_id", "task_id", "to_site_id"):
            batch_op.create_index(batch_op.f(f"ix_transfers_{column}"), [column], unique=False)

    op.create_table(
        "transfer_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("picked", sa.Integer(), server_default="0", nullable=False),
        sa.Column("shipped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("received", sa.Integer(), server_default="0", nullable=False),
        sa.Column("defective", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_transfer_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_transfer_lines_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_lines")),
        sa.UniqueConstraint("transfer_id", "item_id", name="uq_transfer_lines_transfer_item"),
    )
    with op.batch_alter_table("transfer_lines", schema=None) as batch_op:
        for column in ("item_id", "transfer_id"):
            batch_op.create_index(batch_op.f(f"ix_transfer_lines_{column}"), [column], unique=False)

    op.create_table(
        "shop_consumption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("task_number", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("short", sa.Integer(), server_default="0", nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('production', 'scrap', 'overuse', 'produced')", name=op.f("ck_shop_consumption_purpose")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_shop_consumption_item_id_items")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_shop_consumption_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_consumption")),
    )
    with op.batch_alter_table("shop_consumption", schema=None) as batch_op:
        for column in ("item_id", "site_id", "task_number"):
            batch_op.create_index(batch_op.f(f"ix_shop_consumption_{column}"), [column], unique=False)


def downgrade() -> None:
    for table, columns in (
        ("shop_consumption", ("item_id", "site_id", "task_number")),
        ("transfer_lines", ("item_id", "transfer_id")),
        ("transfers", ("created_by", "from_site_id", "task_id", "to_site_id")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
