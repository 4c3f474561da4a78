"""logistics — transport, dispatch documents and their return (LOG-1, LOG-2)

Revision ID: 0013_logistics
Revises: 0012_sales
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_logistics"
down_revision = "0012_sales"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        _ts("created_at", nullable=False),
        _ts("task_received_at"),
        _ts("picked_at"),
        sa.Column("short_lines", sa.Text(), nullable=True),
        sa.Column("picked", sa.JSON(), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=True),
        sa.Column("carrier_tariff_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("delivery_day", sa.Date(), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column("weight_g", sa.BigInteger(), nullable=True),
        sa.Column("volume_cm3", sa.BigInteger(), nullable=True),
        sa.Column("cost_kop", sa.BigInteger(), nullable=True),
        sa.Column("booking_number", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _ts("booked_at"),
        sa.Column("booked_by", sa.Integer(), nullable=True),
        sa.Column("document_kind", sa.String(length=8), nullable=True),
        _ts("shipped_at"),
        sa.Column("shipped_by", sa.Integer(), nullable=True),
        sa.Column("documents_due_on", sa.Date(), nullable=True),
        sa.Column("documents_returned_by", sa.Integer(), nullable=True),
        _ts("last_reminded_at"),
        sa.CheckConstraint("mode IN ('carrier', 'van')", name=op.f("ck_dispatches_mode")),
        sa.CheckConstraint("document_kind IN ('torg12', 'upd')", name=op.f("ck_dispatches_document_kind")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_dispatches_order_id_orders")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_dispatches_site_id_sites")),
        sa.ForeignKeyConstraint(["task_id"], ["dispatch_tasks.id"], name=op.f("fk_dispatches_task_id_dispatch_tasks")),
        sa.ForeignKeyConstraint(
            ["carrier_tariff_id"], ["carrier_tariffs.id"], name=op.f("fk_dispatches_carrier_tariff_id_carrier_tariffs")
        ),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name=op.f("fk_dispatches_vehicle_id_vehicles")),
        sa.ForeignKeyConstraint(["booked_by"], ["users.id"], name=op.f("fk_dispatches_booked_by_users")),
        sa.ForeignKeyConstraint(["shipped_by"], ["users.id"], name=op.f("fk_dispatches_shipped_by_users")),
        sa.ForeignKeyConstraint(
            ["documents_returned_by"], ["users.id"], name=op.f("fk_dispatches_documents_returned_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
        sa.UniqueConstraint("order_id", "site_id", name="uq_dispatches_order_site"),
    )
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        for column in (
            "order_id", "site_id", "task_id", "carrier_tariff_id", "vehicle_id", "booked_by", "shipped_by",
            "documents_returned_by",
        ):  # fmt: skip
            batch_op.create_index(batch_op.f(f"ix_dispatches_{column}"), [column], unique=False)

    op.create_table(
        "dispatch_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispatch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        _ts("created_at", nullable=False),
        sa.CheckConstraint("kind IN ('torg12', 'upd', 'waybill')", name=op.f("ck_dispatch_documents_kind")),
        sa.ForeignKeyConstraint(
            ["dispatch_id"], ["dispatches.id"], name=op.f("fk_dispatch_documents_dispatch_id_dispatches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_documents")),
        sa.UniqueConstraint("kind", "number", name="uq_dispatch_documents_kind_number"),
        sa.UniqueConstraint("dispatch_id", "kind", name="uq_dispatch_documents_dispatch_kind"),
    )
    with op.batch_alter_table("dispatch_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatch_documents_dispatch_id"), ["dispatch_id"], unique=False)


def downgrade() -> None:
    op.drop_table("dispatch_documents")
    op.drop_table("dispatches")
