"""Personal time zone; an unset language follows the browser.

Adds ``timezone`` ("" = the firm's Europe/Berlin) to staff users and contacts. Until now
every user got ``locale='de'`` without choosing it, and nothing recorded a real choice, so
those values become "" (follow the browser's Accept-Language); emails for "" stay German.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("staff_user", "contact")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64),
                                          nullable=False, server_default=""))
        op.execute(sa.text(f"UPDATE {table} SET locale = '' WHERE locale = 'de'"))


def downgrade() -> None:
    for table in _TABLES:
        op.execute(sa.text(f"UPDATE {table} SET locale = 'de' WHERE locale = ''"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("timezone")
