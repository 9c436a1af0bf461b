"""Staff single sign-on (OpenID Connect).

- staff_user (oidc_issuer, oidc_subject), unique: the provider account bound at a staff
  user's first SSO login; later logins find the user by it instead of by email.
- oidc_state: states of SSO logins that came back, so a state cookie works once.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.create_index("ix_staff_user_oidc", ["oidc_issuer", "oidc_subject"], unique=True)
    op.create_table(
        "oidc_state",
        sa.Column("state_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    with op.batch_alter_table("oidc_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_state_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oidc_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_state_expires_at"))
    op.drop_table("oidc_state")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_user_oidc")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
