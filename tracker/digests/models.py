"""Archived status digests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tracker.core.time import UTCDateTime, utcnow
from tracker.countries.models import Campaign
from tracker.extensions import db
from tracker.files.models import StoredFile


class Digest(db.Model):
    """One digest of a campaign as it was built: its figures, its HTML email and its PDF."""

    __tablename__ = "digests"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    #: "weekly" (the scheduler) or "on_demand" (a person or a command).
    kind: Mapped[str] = mapped_column(sa.String(10))
    #: The ISO week of a weekly digest ("2026-W47"): one per campaign and week. None on demand.
    period: Mapped[str | None] = mapped_column(sa.String(10))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    built_by_label: Mapped[str] = mapped_column(sa.String(254))
    #: The previous digest of the campaign, whose figures "what changed" compares with.
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("digests.id", ondelete="SET NULL"))
    #: The figures as built: headline counts and each country's status (compared by the next digest).
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: The HTML email as sent (self-contained: tables, no images).
    html: Mapped[str] = deferred(mapped_column(sa.Text, default=""))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: Who it was emailed to (comma-separated) and when it was put in the outbox.
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    campaign: Mapped[Campaign] = relationship()
    file: Mapped[StoredFile] = relationship()
    previous: Mapped[Digest | None] = relationship(remote_side=[id])

    audit_member_state_id = None

    @property
    def filename(self) -> str:
        """"digest_twinit-2_2026-11-21_12.pdf"."""
        return f"digest_{self.campaign.code}_{self.built_at.date().isoformat()}_{self.id}.pdf"
