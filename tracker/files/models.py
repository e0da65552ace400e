"""A file received from or about a country (a letter, a scanned reply ...)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tracker.core.time import UTCDateTime, utcnow
from tracker.extensions import db


class StoredFile(db.Model):
    """An uploaded file, stored in the database so it is written in the same transaction as its record."""

    __tablename__ = "stored_files"
    __table_args__ = (sa.Index("ix_stored_files_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name it was uploaded under, cleaned of any path.
    filename: Mapped[str] = mapped_column(sa.String(200))
    #: The type found from the file's first bytes, not the one the browser claimed.
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: The bytes; loaded only when the file is downloaded.
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: What the file belongs to ("appointments", 12).
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    uploaded_by_label: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id
