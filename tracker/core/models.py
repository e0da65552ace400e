"""Column helpers shared by the domain models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.time import UTCDateTime, utcnow


class TimestampMixin:
    """`created_at` and `updated_at` as aware UTC, set when rows are written."""

    #: When the row was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: When the row last changed.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class ConcurrentEditError(Exception):
    """Raised when a form was loaded from a version that is no longer current."""

    def __init__(self, current: object) -> None:
        super().__init__("record changed since the form was loaded")
        #: The record as it is now, for showing to the second writer.
        self.current = current


def check_version(record: object, loaded_version: int | None) -> None:
    """Refuse a save whose form was loaded from an older version of `record`."""
    if loaded_version is not None and loaded_version != record.version:  # type: ignore[attr-defined]
        raise ConcurrentEditError(record)
