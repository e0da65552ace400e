"""The service desk: tickets from contact points, their messages, status history and saved replies."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime, utcnow
from tracker.countries.models import MemberState
from tracker.extensions import db

#: What a question is about.
CATEGORIES = ("digitisation", "metadata", "rights", "submission", "events", "other")

#: new: nobody answered yet; open: in hand; waiting: on the country (the SLA clock stops);
#: resolved: answered, may be reopened by a reply; closed: done (a reply is refused).
STATUSES = ("new", "open", "waiting", "resolved", "closed")
#: Statuses whose tickets count as still to be done.
ACTIVE_STATUSES = ("new", "open", "waiting")


class Ticket(TimestampMixin, db.Model):
    """A question from a country to the service desk."""

    __tablename__ = "tickets"
    __table_args__ = (sa.Index("ix_tickets_status_member_state", "status", "member_state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: One of CATEGORIES.
    category: Mapped[str] = mapped_column(sa.String(20))
    subject: Mapped[str] = mapped_column(sa.String(200))
    #: One of STATUSES.
    status: Mapped[str] = mapped_column(sa.String(10), default="new")
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The language the country writes in (replies and notifications use it).
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    #: When the secretariat first answered (the first-response SLA stops).
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the ticket was (last) resolved (the resolution SLA stops).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The ticket this one duplicates (it is closed and points there).
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id", ondelete="SET NULL"))
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    #: When the ticket last changed hands or had a message (sorting the queue).
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    member_state: Mapped[MemberState] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list[TicketMessage]] = relationship(back_populates="ticket", order_by="TicketMessage.id",
                                                        cascade="all, delete-orphan")
    status_changes: Mapped[list[TicketStatusChange]] = relationship(order_by="TicketStatusChange.id",
                                                                   cascade="all, delete-orphan")

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    @property
    def reference(self) -> str:
        """How people quote the ticket ("#42")."""
        return f"#{self.id}"

    @property
    def is_active(self) -> bool:
        """Whether the ticket still needs something done."""
        return self.status in ACTIVE_STATUSES


class TicketMessage(db.Model):
    """A message in a ticket's thread: the question, a reply, or an internal note (staff only)."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: The author's name as shown (kept if the account goes).
    author_label: Mapped[str] = mapped_column(sa.String(254), default="")
    #: Whether the author was staff (a reply) or the country (a question or follow-up).
    from_staff: Mapped[bool] = mapped_column(default=False)
    #: Plain text; shown as text, never as HTML.
    body: Mapped[str] = mapped_column(sa.Text)
    #: An internal note: never shown to the country nor sent to it.
    is_internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.ticket.member_state_id


class TicketStatusChange(db.Model):
    """A ticket entering a status: the history the SLA clock is computed from."""

    __tablename__ = "ticket_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedReply(TimestampMixin, db.Model):
    """A reply the secretariat reuses, written once per language."""

    __tablename__ = "saved_replies"
    __table_args__ = (sa.UniqueConstraint("title", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(5))
    body: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_member_state_id(self) -> None:
        """Saved replies belong to no country."""
        return None
