"""Member states, campaigns, presidencies and milestones."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime
from tracker.extensions import db


class MemberState(TimestampMixin, db.Model):
    """One of the 27 EU Member States, with its ministry and Permanent Representation."""

    __tablename__ = "member_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: EU code (EL for Greece), upper case.
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    #: English short name; translated names come from Babel.
    name: Mapped[str] = mapped_column(sa.String(80))
    #: Position in EU protocol order (1 = Belgium).
    protocol_order: Mapped[int] = mapped_column(unique=True)
    #: Official EU languages, space separated (e.g. "nl fr de").
    languages: Mapped[str] = mapped_column(sa.String(40))
    #: Language letters to the ministry are written in.
    correspondence_language: Mapped[str] = mapped_column(sa.String(5))
    ministry_name: Mapped[str] = mapped_column(sa.String(200))
    ministry_address: Mapped[str] = mapped_column(sa.Text, default="")
    permrep_name: Mapped[str] = mapped_column(sa.String(200))
    permrep_address: Mapped[str] = mapped_column(sa.Text, default="")
    #: Functional mailbox of the Permanent Representation.
    permrep_mailbox: Mapped[str] = mapped_column(sa.String(254), default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def language_list(self) -> list[str]:
        """The official languages as a list."""
        return self.languages.split()

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.id

    def __repr__(self) -> str:
        return f"<MemberState {self.code}>"


class Campaign(TimestampMixin, db.Model):
    """A campaign such as Twin it! Part I or Part II."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable code used in URLs and commands (e.g. "twinit-2").
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    part: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: Open campaigns take changes; closed ones stay readable as history.
    is_open: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="campaign", order_by="Milestone.due_at", cascade="all, delete-orphan"
    )
    presidencies: Mapped[list[Presidency]] = relationship(
        back_populates="campaign", order_by="Presidency.starts_on", cascade="all, delete-orphan"
    )

    audit_member_state_id = None

    def __repr__(self) -> str:
        return f"<Campaign {self.code}>"


class Presidency(db.Model):
    """A Council presidency held during a campaign."""

    __tablename__ = "presidencies"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "member_state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    campaign: Mapped[Campaign] = relationship(back_populates="presidencies")
    member_state: Mapped[MemberState] = relationship()


class Milestone(TimestampMixin, db.Model):
    """A campaign deadline with a due moment in Brussels time."""

    __tablename__ = "milestones"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    #: Stable key ("contact_points_confirmed", "introductory_meeting", ...).
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))
    #: The due moment (stored in UTC; shown in Europe/Brussels).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship(back_populates="milestones")
    extensions: Mapped[list[MilestoneExtension]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan"
    )

    audit_member_state_id = None

    def due_for(self, member_state: MemberState) -> datetime:
        """The due moment for one member state, taking its extension into account."""
        for extension in self.extensions:
            if extension.member_state_id == member_state.id:
                return extension.due_at
        return self.due_at

    def is_overdue(self, now: datetime, member_state: MemberState | None = None) -> bool:
        """Whether the (extended) due moment has passed at `now`."""
        due = self.due_for(member_state) if member_state is not None else self.due_at
        return now > due


class MilestoneExtension(TimestampMixin, db.Model):
    """A later due moment granted to one member state for one milestone."""

    __tablename__ = "milestone_extensions"
    __table_args__ = (sa.UniqueConstraint("milestone_id", "member_state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestones.id", ondelete="CASCADE"))
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    milestone: Mapped[Milestone] = relationship(back_populates="extensions")
    member_state: Mapped[MemberState] = relationship()

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id
