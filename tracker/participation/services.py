"""Participation statuses and the one rule for when a milestone is met (flush, never commit)."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.countries.models import Campaign, Milestone
from tracker.extensions import db
from tracker.participation.models import MILESTONE_MET_BY, Participation


def participations_for(campaign: Campaign) -> dict[int, Participation]:
    """Each member state's participation in `campaign`, by member state id."""
    rows = db.session.scalars(sa.select(Participation).where(Participation.campaign_id == campaign.id))
    return {row.member_state_id: row for row in rows}


def is_milestone_met(milestone: Milestone, participation: Participation | None, *, contact_points: int) -> bool:
    """Whether a country has met `milestone`: the dashboard and the reminders both ask this."""
    status = MILESTONE_MET_BY.get(milestone.code)
    if participation is not None and status is not None and participation.has_reached(status):
        return True
    # A contact point in office for the campaign confirms the appointment, whatever the status says.
    return milestone.code == "contact_points_confirmed" and contact_points > 0


def is_reminded(participation: Participation | None) -> bool:
    """Paused and non-participating countries get no reminders."""
    return participation is None or participation.is_active
