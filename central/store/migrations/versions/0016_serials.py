"""serial numbers of units (WH-1), packages shipped whole (WH-6)

Revision ID: 0016_serials
Revises: 0015_purchasing
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_serials"
down_revision = "0015_purchasing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "serials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=True),
        sa.Column("package", sa.String(length=18), nullable=True),
        sa.Column("status", sa.String(length=12), server_default="in_stock", nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('in_stock', 'shipped', 'consumed', 'written_off')", name=op.f("ck_serials_status")
        ),
        sa.ForeignKeyConstraint(["cell_id"], ["cells.id"], name=op.f("fk_serials_cell_id_cells")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_serials_item_id_items")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_serials_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serials")),
        sa.UniqueConstraint("site_id", "item_id", "serial", name=op.f("uq_serials_site_item_serial")),
    )
    with op.batch_alter_table("serials", schema=None) as batch_op:
        for column in ("cell_id", "item_id", "site_id"):
            batch_op.create_index(batch_op.f(f"ix_serials_{column}"), [column], unique=False)
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipment", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_column("shipment")
    op.drop_table("serials")
