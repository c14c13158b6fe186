"""process_definition.element_properties: the <camunda:property> values drawn on each element

Revision ID: 0002_element_properties
Revises: dd610accd66e
Create Date: 2026-11-28 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_element_properties"
down_revision = "dd610accd66e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_definition") as batch_op:
        batch_op.add_column(sa.Column("element_properties", sa.JSON(), nullable=False, server_default="{}"))


def downgrade():
    with op.batch_alter_table("process_definition") as batch_op:
        batch_op.drop_column("element_properties")
