"""The outbox: every email the tracker sends is first a row here."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.time import UTCDateTime, utcnow
from tracker.extensions import db

STATUSES = ("queued", "sent", "kept_locally", "failed", "cancelled")


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change that causes it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique key so the same email is never queued twice ("password-reset:12:...").
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: Stable RFC 5322 Message-ID, the same on every attempt.
    message_id: Mapped[str] = mapped_column(sa.String(250), unique=True)
    sender: Mapped[str] = mapped_column(sa.String(254))
    #: Comma-separated addresses.
    recipients: Mapped[str] = mapped_column(sa.Text)
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    #: One of STATUSES.
    status: Mapped[str] = mapped_column(sa.String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Whether the message holds a secret link (hidden from listings).
    is_sensitive: Mapped[bool] = mapped_column(default=False)
