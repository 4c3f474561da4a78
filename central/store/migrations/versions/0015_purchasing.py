"""purchasing work assigned by the dispatcher (DISP-3)

Revision ID: 0015_purchasing
Revises: 0014_payments
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_purchasing"
down_revision = "0014_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supply_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_supply_orders_assignee_id_users"), "users", ["assignee_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_supply_orders_assignee_id"), ["assignee_id"], unique=False)

    op.create_table(
        "purchase_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), server_default="open", nullable=False),
        sa.Column("supply_order_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("qty > 0", name=op.f("ck_purchase_requests_qty")),
        sa.CheckConstraint("status IN ('open', 'ordered', 'closed')", name=op.f("ck_purchase_requests_status")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_purchase_requests_item_id_items")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_purchase_requests_order_id_orders")),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_purchase_requests_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["supply_order_id"], ["supply_orders.id"], name=op.f("fk_purchase_requests_supply_order_id_supply_orders")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_purchase_requests_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_requests")),
    )
    with op.batch_alter_table("purchase_requests", schema=None) as batch_op:
        for column in ("item_id", "order_id", "assignee_id", "supply_order_id", "created_by"):
            batch_op.create_index(batch_op.f(f"ix_purchase_requests_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("purchase_requests")
    with op.batch_alter_table("supply_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_orders_assignee_id"))
        batch_op.drop_constraint(batch_op.f("fk_supply_orders_assignee_id_users"), type_="foreignkey")
        batch_op.drop_column("assignee_id")
