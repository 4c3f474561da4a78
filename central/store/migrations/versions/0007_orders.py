"""orders: the agreed fulfilment variant of a confirmed order

Revision ID: 0007_orders
Revises: 0006_warehouse
Create Date: 2026-11-25 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_orders"
down_revision = "0006_warehouse"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("shipments", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "variant IN ('complete', 'partial', 'wait', 'substitute')", name=op.f("ck_order_decisions_variant")
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_order_decisions_decided_by_users")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_decisions_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_decisions")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_decisions_order_id")),
    )
    with op.batch_alter_table("order_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_decisions_decided_by"), ["decided_by"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_decisions_decided_by"))
    op.drop_table("order_decisions")
