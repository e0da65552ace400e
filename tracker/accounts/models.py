"""User accounts, roles and login attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.contacts.models import Person
from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime, utcnow
from tracker.countries.models import MemberState
from tracker.extensions import db


class Role(StrEnum):
    """What an account may do."""

    SECRETARIAT = "secretariat"
    VIEWER = "viewer"
    CONTACT_POINT = "contact_point"


class User(UserMixin, TimestampMixin, db.Model):
    """A login: secretariat, DG CONNECT viewer or a country's contact point."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'contact_point') = (member_state_id IS NOT NULL)", name="country_iff_contact_point"
        ),
    )
    __audit_exclude__ = ("password_hash", "session_version", "last_login_at", "password_changed_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: argon2 hash; None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    #: The country of a contact point; None for staff.
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Preferred interface language; None means "from the browser".
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: Bumped on logout and password change: older session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    member_state: Mapped[MemberState | None] = relationship()
    person: Mapped[Person | None] = relationship()

    def get_id(self) -> str:
        """Session identifier: the id and the session version, so logout revokes cookies."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Disabled accounts cannot log in."""
        return self.is_enabled

    @property
    def is_secretariat(self) -> bool:
        """Whether the user runs the campaign."""
        return self.role == Role.SECRETARIAT

    @property
    def is_staff(self) -> bool:
        """Secretariat or DG CONNECT viewer: may read every country."""
        return self.role in (Role.SECRETARIAT, Role.VIEWER)

    @property
    def is_contact_point(self) -> bool:
        """Whether the user is bound to one member state."""
        return self.role == Role.CONTACT_POINT

    @property
    def name(self) -> str:
        """A name to show: the display name or the email."""
        return self.display_name or self.email

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    def can_see(self, member_state_id: int | None) -> bool:
        """Whether this user may see data of the given member state."""
        return self.is_staff or (member_state_id is not None and member_state_id == self.member_state_id)


class LoginAttempt(db.Model):
    """One login attempt, counted in the database so limits hold across workers."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    #: Client address as seen by the app (after trusted proxies).
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
