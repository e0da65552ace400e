"""The audit log: who changed what, when, and how."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.time import UTCDateTime, utcnow
from tracker.extensions import db


class AuditEntry(db.Model):
    """One recorded change to one entity."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_entries_member_state_at", "member_state_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The user who made the change; None for the system and the scheduler.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: Who, as text, kept even when the account is gone.
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    #: create, update, delete or a domain verb (login, invite ...).
    action: Mapped[str] = mapped_column(sa.String(40))
    #: Table name of the entity ("people", "member_states" ...).
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    member_state_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member_states.id", ondelete="SET NULL")
    )
    #: How the change reached us: web, cli, link, email, letter, phone, system.
    how: Mapped[str] = mapped_column(sa.String(20), default="web")
    #: {field: [before, after]} for each changed field.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    actor = relationship("User", foreign_keys=[actor_id])
    member_state = relationship("MemberState")
