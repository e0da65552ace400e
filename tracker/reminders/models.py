"""Reminder ladders (steps relative to a milestone) and what was done for each country."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin
from tracker.core.time import BRUSSELS, UTCDateTime, brussels
from tracker.countries.models import MemberState, Milestone
from tracker.extensions import db

#: Who a step writes to.
#: contact_points: the country's current contact points.
#: contact_points_permrep_cc: the same, with the Permanent Representation's mailbox in copy.
#: permrep_escalation: the Permanent Representation's mailbox, the contact points in copy.
AUDIENCES = ("contact_points", "contact_points_permrep_cc", "permrep_escalation")

#: The ladder a milestone gets by default: (days from the due day, audience, needs approval).
DEFAULT_LADDER = (
    (-14, "contact_points", False),
    (-3, "contact_points", False),
    (0, "contact_points", False),
    (2, "contact_points_permrep_cc", False),
    (7, "permrep_escalation", True),
)

#: Reminders go at this Brussels time on their day.
SEND_TIME = time(9, 0)
#: On the due day the reminder goes at least this long before the deadline.
ON_THE_DAY_LEAD = timedelta(hours=2)

#: What became of a step for one country.
#: sent: emails queued; awaiting_approval: an escalation waiting for the secretariat;
#: dismissed: the secretariat decided not to send it; superseded: a later step of the
#: same ladder was due at the same time and went instead.
DISPATCH_STATUSES = ("sent", "awaiting_approval", "dismissed", "superseded")


class ReminderStep(TimestampMixin, db.Model):
    """One rung of a milestone's reminder ladder."""

    __tablename__ = "reminder_steps"
    __table_args__ = (sa.UniqueConstraint("milestone_id", "offset_days", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    #: Days from the due day: negative before, 0 on the day, positive after.
    offset_days: Mapped[int]
    #: One of AUDIENCES.
    audience: Mapped[str] = mapped_column(sa.String(40), default="contact_points")
    #: Whether the secretariat approves each email before it goes (escalations).
    requires_approval: Mapped[bool] = mapped_column(default=False)
    #: Reminders planned before this moment are not sent by themselves (set when the step is
    #: created or moved), so a ladder set up late sends no stale reminders.
    active_from_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    milestone: Mapped[Milestone] = relationship()

    audit_member_state_id = None

    @property
    def is_escalation(self) -> bool:
        """Escalations are addressed to the Permanent Representation."""
        return self.audience == "permrep_escalation"

    def planned_for(self, due_at: datetime) -> datetime:
        """When this step goes for a country whose (extended) due moment is `due_at`."""
        due_day = due_at.astimezone(BRUSSELS).date()
        day = due_day + timedelta(days=self.offset_days)
        # Ministries do not read mail at weekends: a reminder before the deadline comes on the
        # Friday before, one after it on the Monday after.
        while self.offset_days and day.weekday() >= 5:
            day += timedelta(days=-1 if self.offset_days < 0 else 1)
        planned = brussels(day, SEND_TIME)
        if self.offset_days == 0:
            # On the due day: at the usual time, but at least two hours before the deadline.
            planned = min(planned, due_at - ON_THE_DAY_LEAD)
        return planned


class ReminderDispatch(db.Model):
    """What was done about one step for one member state: it happens once."""

    __tablename__ = "reminder_dispatches"
    __table_args__ = (sa.UniqueConstraint("step_id", "member_state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reminder_steps.id", ondelete="SET NULL"))
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: Days from the due day, kept should the step later be deleted.
    offset_days: Mapped[int]
    audience: Mapped[str] = mapped_column(sa.String(40))
    #: One of DISPATCH_STATUSES.
    status: Mapped[str] = mapped_column(sa.String(20))
    #: When the step was planned for this country, and the due moment it was planned from.
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the tracker acted (queued the emails or asked for approval).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the emails were queued (None while awaiting approval, dismissed or superseded).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who approved or dismissed an escalation.
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The addresses written to, for the country page ("a@b, c@d; cc e@f").
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")

    step: Mapped[ReminderStep | None] = relationship()
    milestone: Mapped[Milestone] = relationship()
    member_state: Mapped[MemberState] = relationship()

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id
