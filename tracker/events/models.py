"""Events of a campaign, who was invited, who registered, who attended, and calendar feeds."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship

from tracker.contacts.models import Person
from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime, utcnow
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db

#: What kind of event it is; attending the introductory meeting meets its milestone.
KINDS = ("introductory_meeting", "webinar", "cafe", "final_event", "hackathon", "other")

#: Who an event is for: every country's contact points, some countries' contact points, or staff only.
AUDIENCES = ("contact_points", "countries", "staff")

#: registered: has a place; waiting: on the waiting list; cancelled: withdrew (or was withdrawn).
REGISTRATION_STATES = ("registered", "waiting", "cancelled")

#: draft: parsed and matched, waiting for staff to confirm; applied: its rows are the event's
#: attendance; replaced: a later file for the event took its place; discarded: never applied.
IMPORT_STATES = ("draft", "applied", "replaced", "discarded")

event_member_states = sa.Table(
    "event_member_states",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_state_id", sa.ForeignKey("member_states.id"), primary_key=True),
)


class Event(TimestampMixin, db.Model):
    """A meeting, webinar, Café, final event or hackathon of a campaign."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    #: One of KINDS.
    kind: Mapped[str] = mapped_column(sa.String(30))
    #: Title and description in English; other languages in `translations`.
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The IANA zone the event is planned in (times are entered and shown in it).
    time_zone: Mapped[str] = mapped_column(sa.String(40), default="Europe/Brussels")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    venue: Mapped[str] = mapped_column(sa.Text, default="")
    #: One of AUDIENCES; with "countries", `member_states` lists them.
    audience: Mapped[str] = mapped_column(sa.String(20), default="contact_points")
    #: Places for registration; None means no limit.
    capacity: Mapped[int | None]
    #: Whether people beyond the capacity may join a waiting list.
    has_waiting_list: Mapped[bool] = mapped_column(default=False)
    #: Stable iCalendar UID: the same in every .ics, feed and invitation.
    uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: iCalendar SEQUENCE: raised whenever the time or place changes, so calendars update.
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
    member_states: Mapped[list[MemberState]] = relationship(secondary=event_member_states,
                                                            order_by=MemberState.protocol_order)
    translations: Mapped[dict[str, EventTranslation]] = relationship(
        collection_class=attribute_keyed_dict("language"), cascade="all, delete-orphan",
        back_populates="event", lazy="selectin")

    @property
    def audit_member_state_id(self) -> int | None:
        """Events belong to the campaign, not to one member state."""
        return None

    @property
    def zone(self) -> ZoneInfo:
        """The event's own time zone."""
        return ZoneInfo(self.time_zone)

    @property
    def is_cancelled(self) -> bool:
        """Whether the event was called off."""
        return self.cancelled_at is not None

    def local_days(self) -> list[date]:
        """The calendar days the event spans in its own zone."""
        first = self.starts_at.astimezone(self.zone).date()
        last = self.ends_at.astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def has_started(self, now: datetime | None = None) -> bool:
        """Whether the event has begun (registration closes then)."""
        return (now or utcnow()) >= self.starts_at

    def title_in(self, language: str | None) -> str:
        """The title in `language` when translated, else in English."""
        found = self.translations.get(language or "")
        return found.title if found is not None and found.title else self.title

    def description_in(self, language: str | None) -> str:
        """The description in `language` when translated, else in English."""
        found = self.translations.get(language or "")
        return found.description if found is not None and found.description else self.description

    def is_for(self, member_state_id: int | None) -> bool:
        """Whether the contact points of this member state are in the audience."""
        if member_state_id is None or self.audience == "staff":
            return False
        if self.audience == "contact_points":
            return True
        return any(state.id == member_state_id for state in self.member_states)


class EventTranslation(db.Model):
    """An event's title and description in one more language."""

    __tablename__ = "event_translations"
    __table_args__ = (sa.UniqueConstraint("event_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(5))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    event: Mapped[Event] = relationship(back_populates="translations")


class Registration(TimestampMixin, db.Model):
    """A person's place (or place on the waiting list) at an event."""

    __tablename__ = "event_registrations"
    __table_args__ = (sa.UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    #: The person's country when they registered (counts per country).
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: One of REGISTRATION_STATES.
    state: Mapped[str] = mapped_column(sa.String(20), default="registered")
    #: When the person (last) asked for a place: the waiting list's order.
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id


class EventInvitation(db.Model):
    """One invitation email sent for one version (sequence) of an event."""

    __tablename__ = "event_invitations"
    __table_args__ = (sa.UniqueConstraint("event_id", "email", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    #: The event's sequence when invited: a later change sends an update.
    sequence: Mapped[int] = mapped_column(default=0)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceImport(db.Model):
    """A meeting tool's attendance report, parsed and matched, before and after staff confirm it."""

    __tablename__ = "attendance_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: "zoom", "teams", "webex" or "plain", recognised from the content.
    tool: Mapped[str] = mapped_column(sa.String(10))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    #: SHA-256 of the file: the same file imported again changes nothing.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(default=0)
    #: Lines in the file (joins), before adding up per participant.
    line_count: Mapped[int] = mapped_column(default=0)
    #: One of IMPORT_STATES.
    state: Mapped[str] = mapped_column(sa.String(12), default="draft")
    #: The participants, added up and matched: a list of dicts (see events.services.MatchedRow).
    rows: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_by_label: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship()

    @property
    def audit_member_state_id(self) -> int | None:
        """Imports concern many member states."""
        return None

    def count(self, category: str) -> int:
        """How many participants fall in `category` (matched, probable, unmatched, organiser)."""
        return sum(1 for row in self.rows if row["category"] == category)


class Attendance(db.Model):
    """That a person attended an event, for how long and how many times they joined."""

    __tablename__ = "event_attendances"
    __table_args__ = (sa.UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    #: The person's country at the event (what "represented" counts).
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    seconds: Mapped[int] = mapped_column(default=0)
    joins: Mapped[int] = mapped_column(default=1)
    #: "import" (from a report; replaced with it) or "manual" (recorded by staff).
    source: Mapped[str] = mapped_column(sa.String(10), default="manual")
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attendance_imports.id", ondelete="SET NULL"))
    #: How sure the match was (1.0 for an email or a manual record).
    confidence: Mapped[float] = mapped_column(default=1.0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    @property
    def minutes(self) -> int:
        """Time attended, in whole minutes."""
        return round(self.seconds / 60)


class CalendarFeed(db.Model):
    """A secret calendar address (events and deadlines) for one user or one country; revocable."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token: the address itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: A country's feed; None for the user's own feed.
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"))
    #: The language of titles and descriptions in the feed.
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member_state: Mapped[MemberState | None] = relationship()

    @property
    def audit_member_state_id(self) -> int | None:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id
