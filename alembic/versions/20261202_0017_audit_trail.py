"""The audit trail gets what the per-client protocol ("Protokoll") shows.

- audit_event.account_id: the client an event belongs to (None for firm-wide events
  such as a staff login), with an index (account_id, id) for its protocol, newest first.
- audit_event.actor_name: who acted, by the name they had at the time.
- audit_event.ip: the address the request came from (logins, downloads, exports).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
# On main, 0016 (staff SSO) already follows 0013; the lead re-chains at merge.
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=""))
        batch_op.create_index("ix_audit_event_account", ["account_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_account")
        batch_op.drop_column("ip")
        batch_op.drop_column("account_id")
        batch_op.drop_column("actor_name")
