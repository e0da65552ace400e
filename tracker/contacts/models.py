"""People, their organisations and the roles they hold over time."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db

ORGANISATION_KINDS = ("ministry", "institution", "permanent_representation", "other")
#: Roles other than contact point (contact points are appointments: tracker.appointments).
ROLE_KINDS = ("ministry_official", "institution_expert")


class Organisation(TimestampMixin, db.Model):
    """A ministry, cultural institution or Permanent Representation."""

    __tablename__ = "organisations"
    __table_args__ = (sa.UniqueConstraint("member_state_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: One of ORGANISATION_KINDS.
    kind: Mapped[str] = mapped_column(sa.String(30), default="institution")
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"))

    member_state: Mapped[MemberState | None] = relationship()

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id


class Person(TimestampMixin, db.Model):
    """A person the campaign deals with (personal data: Regulation 2018/1725)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100))
    #: Stored lower case; unique across the tracker.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: The person's country; None for secretariat and Commission staff.
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    #: Language emails and letters to this person are written in.
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="en")
    #: When the person's personal data was erased on request (the row stays for the statistics).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    member_state: Mapped[MemberState | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", order_by="PersonRole.since_on", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        """Given and family name."""
        return f"{self.given_name} {self.family_name}"

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    def current_roles(self, today: date) -> list[PersonRole]:
        """The roles held on `today`."""
        return [role for role in self.roles if role.is_current(today)]


class PersonRole(TimestampMixin, db.Model):
    """A role a person holds for a member state, possibly within one campaign."""

    __tablename__ = "person_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"))
    #: One of ROLE_KINDS.
    kind: Mapped[str] = mapped_column(sa.String(40))
    since_on: Mapped[date]
    until_on: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="roles")
    member_state: Mapped[MemberState] = relationship()
    campaign: Mapped[Campaign | None] = relationship()

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    def is_current(self, today: date) -> bool:
        """Whether the role is held on `today`."""
        return self.since_on <= today and (self.until_on is None or today <= self.until_on)
