"""The outbox: every email the tracker sends is first a row here."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.time import UTCDateTime, utcnow
from tracker.extensions import db

#: queued: waiting for the relay; sending: claimed by a relay under a lease; sent: accepted by the
#: SMTP server; kept_locally: no SMTP server configured (development inbox); failed: permanently
#: refused or out of attempts; cancelled: withdrawn by staff before it went.
STATUSES = ("queued", "sending", "sent", "kept_locally", "failed", "cancelled")

#: What caused a message, for filtering the mail log.
KINDS = ("account", "reminder", "escalation", "notification", "digest")


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique key so the same email is never queued twice ("reminder:12:EE:3:et").
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: Stable RFC 5322 Message-ID, the same on every attempt.
    message_id: Mapped[str] = mapped_column(sa.String(250), unique=True)
    sender: Mapped[str] = mapped_column(sa.String(254))
    #: The To header, addresses already formatted and cleaned ("Name" <a@b>, ...).
    recipients: Mapped[str] = mapped_column(sa.Text)
    #: The Cc header, formatted like `recipients` (may be empty).
    cc: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    #: One of KINDS.
    kind: Mapped[str] = mapped_column(sa.String(20), default="notification", server_default="notification")
    #: The member state the message concerns, if any (shown on its page).
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: One of STATUSES.
    status: Mapped[str] = mapped_column(sa.String(20), default="queued", index=True)
    #: Delivery attempts made (sets the back-off; only refusals by the server count towards the limit).
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: While status is "sending": until when the claiming relay owns the row.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Which relay run claimed the row (host, process and a random part).
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Whether the message holds a secret link (body hidden in the mail log).
    is_sensitive: Mapped[bool] = mapped_column(default=False)
    #: How many OutboxAttachment rows go with the message (0 for most: no extra query to send it).
    attachment_count: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    @property
    def can_resend(self) -> bool:
        """Failed and cancelled messages can be queued again by staff."""
        return self.status in ("failed", "cancelled")

    @property
    def can_cancel(self) -> bool:
        """Only a message still waiting for the relay can be withdrawn."""
        return self.status == "queued"


class OutboxAttachment(db.Model):
    """A file sent with an outbox message (an invitation's .ics)."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: MIME type with its parameters ("text/calendar; method=PUBLISH").
    content_type: Mapped[str] = mapped_column(sa.String(120))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
