"""Column helpers shared by the domain models, and the scheduler's record of its job runs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.time import UTCDateTime, utcnow
from tracker.extensions import db


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


class SchedulerRun(db.Model):
    """The latest run of one scheduler job: when, where, and whether it succeeded (for /metrics)."""

    __tablename__ = "scheduler_runs"

    #: The job's id ("relay-outbox", "send-due-reminders", "weekly-digest").
    job: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    last_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The exception's class name of the last failure (never its message, which may hold data).
    last_error: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Which scheduler ran it last: host name and process id.
    last_host: Mapped[str] = mapped_column(sa.String(120), default="")
    runs: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)


def begin_writing() -> None:
    """Before a GET writes: on SQLite, end its read transaction; the next one takes the write lock (waiting for it)."""
    from flask import g, has_request_context

    if has_request_context():
        g.sqlite_writing = True  # read by tracker._sqlite_begin: BEGIN IMMEDIATE from now on
    session = db.session
    if session.get_bind().dialect.name == "sqlite" and not (session.new or session.dirty or session.deleted):
        session.commit()
