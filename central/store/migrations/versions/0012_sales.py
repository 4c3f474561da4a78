"""sales office — signed contract scans and the register of planned work (ORD-7, PRICE-2)

Revision ID: 0012_sales
Revises: 0011_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_sales"
down_revision = "0011_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("scan", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/jpeg', 'image/png')", name=op.f("ck_contracts_media_type")
        ),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_contracts_size")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_contracts_order_id_orders")),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name=op.f("fk_contracts_uploaded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        for column in ("order_id", "uploaded_by"):
            batch_op.create_index(batch_op.f(f"ix_contracts_{column}"), [column], unique=False)

    op.create_table(
        "planned_work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="price_request", nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("price_kop", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('price_request')", name=op.f("ck_planned_work_kind")),
        sa.CheckConstraint("status IN ('open', 'approved', 'rejected')", name=op.f("ck_planned_work_status")),
        sa.CheckConstraint("price_kop > 0", name=op.f("ck_planned_work_price")),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"], name=op.f("fk_planned_work_requested_by_users")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_planned_work_item_id_items")),
        sa.ForeignKeyConstraint(
            ["price_list_id"], ["price_lists.id"], name=op.f("fk_planned_work_price_list_id_price_lists")
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_planned_work_decided_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_work")),
    )
    with op.batch_alter_table("planned_work", schema=None) as batch_op:
        for column in ("requested_by", "item_id", "price_list_id", "decided_by"):
            batch_op.create_index(batch_op.f(f"ix_planned_work_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("planned_work")
    op.drop_table("contracts")
