"""Where each member state stands in a campaign."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db

#: The workflow in order; a later status includes the earlier ones.
STATUSES = (
    "invited",
    "contact_points_confirmed",
    "participation_pack_sent",
    "introductory_meeting_attended",
    "asset_selected",
    "submission_in_progress",
    "submitted",
    "published",
)
#: Statuses outside the workflow: the country receives no reminders while in them.
INACTIVE_STATUSES = ("not_participating", "paused")

#: The status that meets each milestone: reminders and the dashboard use this one rule.
MILESTONE_MET_BY = {
    "contact_points_confirmed": "contact_points_confirmed",
    "introductory_meeting": "introductory_meeting_attended",
    "asset_submitted": "submitted",
}


class Participation(TimestampMixin, db.Model):
    """A member state's status in one campaign."""

    __tablename__ = "participations"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "member_state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: One of STATUSES or INACTIVE_STATUSES.
    status: Mapped[str] = mapped_column(sa.String(40), default="invited")
    #: Why the country is paused or not participating (or why staff corrected the status).
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
    member_state: Mapped[MemberState] = relationship()

    @property
    def is_active(self) -> bool:
        """False while the country is paused or not participating."""
        return self.status not in INACTIVE_STATUSES

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    def has_reached(self, status: str) -> bool:
        """Whether the workflow has reached `status` (never while inactive)."""
        if not self.is_active or status not in STATUSES:
            return False
        return STATUSES.index(self.status) >= STATUSES.index(status)
