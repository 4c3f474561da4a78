"""packages by SSCC (WH-2)

Revision ID: 0010_packages
Revises: 0009_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_packages"
down_revision = "0009_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sscc", sa.String(length=18), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("parent_sscc", sa.String(length=18), nullable=True),
        sa.Column("kind", sa.String(length=8), server_default="box", nullable=False),
        sa.Column("status", sa.String(length=8), server_default="open", nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('box', 'pallet')", name=op.f("ck_packages_kind")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_packages_status")),
        sa.ForeignKeyConstraint(["cell_id"], ["cells.id"], name=op.f("fk_packages_cell_id_cells")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_packages_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("sscc", name=op.f("uq_packages_sscc")),
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        for column in ("cell_id", "parent_sscc", "site_id"):
            batch_op.create_index(batch_op.f(f"ix_packages_{column}"), [column], unique=False)

    op.create_table(
        "package_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_package_units_qty")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_package_units_item_id_items")),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], name=op.f("fk_package_units_package_id_packages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_units")),
        sa.UniqueConstraint("package_id", "item_id", name=op.f("uq_package_units_package_item")),
    )
    with op.batch_alter_table("package_units", schema=None) as batch_op:
        for column in ("item_id", "package_id"):
            batch_op.create_index(batch_op.f(f"ix_package_units_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("package_units")
    op.drop_table("packages")
