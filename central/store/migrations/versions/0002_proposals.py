"""proposals, loans and dispatch tasks (DISP-2, OPT-1)

Revision ID: 0002_proposals
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_proposals"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('borrowing', 'production', 'routes')", name=op.f("ck_proposals_kind")),
        sa.CheckConstraint("status IN ('proposed', 'accepted', 'rejected', 'stale')", name=op.f("ck_proposals_status")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_proposals_created_by_users")),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_proposals_decided_by_users")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_proposals_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_created_at", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_decided_by"), ["decided_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_site_id"), ["site_id"], unique=False)

    op.create_table(
        "dispatch_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('pick', 'production', 'route')", name=op.f("ck_dispatch_tasks_kind")),
        sa.CheckConstraint("status IN ('new', 'in_work', 'done', 'cancelled')", name=op.f("ck_dispatch_tasks_status")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_dispatch_tasks_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_dispatch_tasks_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_dispatch_tasks_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_tasks")),
    )
    with op.batch_alter_table("dispatch_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatch_tasks_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_tasks_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_tasks_site_id"), ["site_id"], unique=False)

    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("lender_order_id", sa.Integer(), nullable=False),
        sa.Column("borrower_order_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("repayment_kind", sa.String(length=16), nullable=False),
        sa.Column("repayment_source", sa.String(length=20), nullable=False),
        sa.Column("repayment_date", sa.Date(), nullable=False),
        sa.Column("lender_deadline", sa.Date(), nullable=False),
        sa.Column("lender_reservation_id", sa.Integer(), nullable=False),
        sa.Column("borrower_reservation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("repaid_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("repayment_kind IN ('supply', 'production')", name=op.f("ck_loans_repayment_kind")),
        sa.CheckConstraint("status IN ('open', 'repaid')", name=op.f("ck_loans_status")),
        sa.CheckConstraint("qty > 0", name=op.f("ck_loans_qty")),
        sa.ForeignKeyConstraint(["borrower_order_id"], ["orders.id"], name=op.f("fk_loans_borrower_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["borrower_reservation_id"], ["reservations.id"], name=op.f("fk_loans_borrower_reservation_id_reservations")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_loans_item_id_items")),
        sa.ForeignKeyConstraint(["lender_order_id"], ["orders.id"], name=op.f("fk_loans_lender_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["lender_reservation_id"], ["reservations.id"], name=op.f("fk_loans_lender_reservation_id_reservations")
        ),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], name=op.f("fk_loans_proposal_id_proposals")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_loans_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loans_borrower_order_id"), ["borrower_order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_borrower_reservation_id"), ["borrower_reservation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_lender_order_id"), ["lender_order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_lender_reservation_id"), ["lender_reservation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_site_id"))
        batch_op.drop_index(batch_op.f("ix_loans_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_loans_lender_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_loans_lender_order_id"))
        batch_op.drop_index(batch_op.f("ix_loans_item_id"))
        batch_op.drop_index(batch_op.f("ix_loans_borrower_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_loans_borrower_order_id"))

    op.drop_table("loans")
    with op.batch_alter_table("dispatch_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_tasks_site_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_tasks_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_tasks_order_id"))

    op.drop_table("dispatch_tasks")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_site_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_decided_by"))
        batch_op.drop_index(batch_op.f("ix_proposals_created_by"))
        batch_op.drop_index("ix_proposals_created_at")

    op.drop_table("proposals")
