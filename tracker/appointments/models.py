"""A person appointed as a country's contact point for one campaign."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.contacts.models import Organisation, Person
from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db

#: Every state, in the order the overview lists them.
STATES = ("proposed", "awaiting_confirmation", "confirmed", "declined", "replaced", "ended")
#: States of an appointment still in play.
OPEN_STATES = ("proposed", "awaiting_confirmation", "confirmed")
#: States in which the person holds (or is asked to take) the role.
HOLDING_STATES = ("awaiting_confirmation", "confirmed")
KINDS = ("primary", "alternate")
#: How an answer or a change reached the secretariat.
CHANNELS = ("web", "link", "email", "letter", "phone", "cli")


class Appointment(TimestampMixin, db.Model):
    """A contact point (primary or alternate) of a member state for a campaign, and where it stands."""

    __tablename__ = "appointments"
    __table_args__ = (
        # One primary holding the role per country and campaign; both databases know partial indexes.
        sa.Index(
            "uq_appointments_one_primary", "campaign_id", "member_state_id", unique=True,
            postgresql_where=sa.text("kind = 'primary' AND state IN ('awaiting_confirmation', 'confirmed')"),
            sqlite_where=sa.text("kind = 'primary' AND state IN ('awaiting_confirmation', 'confirmed')"),
        ),
        sa.Index("ix_appointments_campaign_state", "campaign_id", "member_state_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    #: One of KINDS.
    kind: Mapped[str] = mapped_column(sa.String(20), default="primary")
    #: One of STATES.
    state: Mapped[str] = mapped_column(sa.String(30), default="awaiting_confirmation")
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    #: The person's function in their organisation ("Head of the digitisation unit").
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Languages the person works in, space separated codes.
    languages: Mapped[str] = mapped_column(sa.String(80), default="")
    since_on: Mapped[date | None]
    until_on: Mapped[date | None]
    #: The Part I appointment this one continues.
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"))
    #: The appointment whose holder proposed this one (an alternate or a replacement).
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"))
    #: The appointment this one is to replace once accepted.
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"))
    #: The appointment that replaced this one.
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"))
    #: When the secretariat last asked the person to confirm, and how many times it has.
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_count: Mapped[int] = mapped_column(default=0)
    #: When and how the person's answer (confirmation, decline, proposal) reached us.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_how: Mapped[str] = mapped_column(sa.String(20), default="")
    #: A decline's reason or a note on the answer.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Bumped by every answer and state change: a link made before stops acting.
    link_nonce: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
    member_state: Mapped[MemberState] = relationship()
    person: Mapped[Person] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    replaces: Mapped[Appointment | None] = relationship(foreign_keys=[replaces_id], remote_side=[id])
    replaced_by: Mapped[Appointment | None] = relationship(foreign_keys=[replaced_by_id], remote_side=[id])
    proposed_by: Mapped[Appointment | None] = relationship(foreign_keys=[proposed_by_id], remote_side=[id])
    carried_from: Mapped[Appointment | None] = relationship(foreign_keys=[carried_from_id], remote_side=[id])

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    @property
    def is_open(self) -> bool:
        """Still in play: proposed, awaiting confirmation or confirmed."""
        return self.state in OPEN_STATES

    @property
    def language_list(self) -> list[str]:
        """The working languages as a list."""
        return self.languages.split()

    def is_in_office(self, day: date) -> bool:
        """Confirmed and within its dates on `day`."""
        return (
            self.state == "confirmed"
            and (self.since_on is None or self.since_on <= day)
            and (self.until_on is None or day <= self.until_on)
        )
