"""Member-state and campaign operations (flush, never commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.appointments.services import count_contact_points
from tracker.audit.services import record_change
from tracker.core.models import check_version
from tracker.countries.models import Campaign, MemberState, Milestone, MilestoneExtension
from tracker.extensions import db
from tracker.participation.models import INACTIVE_STATUSES, MILESTONE_MET_BY, STATUSES, stage_of
from tracker.participation.services import is_milestone_met, is_reminded, participations_for

EDITABLE_FIELDS = (
    "correspondence_language", "ministry_name", "ministry_address",
    "permrep_name", "permrep_address", "permrep_mailbox",
)


def list_member_states() -> list[MemberState]:
    """The 27 member states in protocol order."""
    return list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))


def current_campaign() -> Campaign | None:
    """The open campaign that started last (Part II), else the latest one."""
    return db.session.scalar(
        sa.select(Campaign)
        .options(selectinload(Campaign.milestones).selectinload(Milestone.extensions))
        .order_by(Campaign.is_open.desc(), Campaign.starts_on.desc())
        .limit(1)
    )


def update_member_state(member_state: MemberState, *, values: dict[str, Any], loaded_version: int | None, by: Any) -> None:
    """Change the ministry / Permanent Representation details of a member state."""
    check_version(member_state, loaded_version)
    for field in EDITABLE_FIELDS:
        if field in values:
            value = values[field]
            setattr(member_state, field, value.strip() if isinstance(value, str) else value)
    if member_state.correspondence_language not in member_state.language_list + ["en"]:
        raise ValueError("correspondence_language")
    record_change(member_state, by=by)


def grant_extension(milestone: Milestone, member_state: MemberState, *, due_at: datetime, reason: str, by: Any) -> MilestoneExtension:
    """Give one member state a later due moment for a milestone (or change it)."""
    extension = db.session.scalar(
        sa.select(MilestoneExtension).where(
            MilestoneExtension.milestone_id == milestone.id,
            MilestoneExtension.member_state_id == member_state.id,
        )
    )
    if extension is None:
        extension = MilestoneExtension(milestone=milestone, member_state=member_state, due_at=due_at, reason=reason)
        db.session.add(extension)
        record_change(extension, by=by, action="create")
    else:
        extension.due_at, extension.reason = due_at, reason
        record_change(extension, by=by)
    return extension


@dataclass(frozen=True)
class CountryRow:
    """One line of the dashboard."""

    member_state: MemberState
    contact_points: int
    next_milestone: Milestone | None
    next_due_at: datetime | None
    overdue: list[Milestone]
    #: The country's participation status ("invited" when none is recorded).
    status: str = "invited"
    #: Ids of the milestones the country has met (by the one rule the reminders use).
    met: frozenset[int] = frozenset()

    @property
    def stage(self) -> int:
        """1 to 8 along the workflow; 0 while paused or not participating."""
        return stage_of(self.status)


def dashboard_rows(campaign: Campaign | None, *, today: date, now: datetime, only: int | None = None) -> list[CountryRow]:
    """Per member state: contact points in office, next deadline, overdue milestones."""
    query = sa.select(MemberState).order_by(MemberState.protocol_order)
    if only is not None:
        query = query.where(MemberState.id == only)
    states = list(db.session.scalars(query))
    counts = count_contact_points(today, campaign_id=campaign.id if campaign else None)
    milestones = campaign.milestones if campaign else []
    participations = participations_for(campaign) if campaign else {}
    rows = []
    for state in states:
        upcoming = sorted(
            ((m.due_for(state), m) for m in milestones if not m.is_overdue(now, state)),
            key=lambda pair: pair[0],
        )
        in_office = counts.get(state.id, 0)
        participation = participations.get(state.id)
        met = frozenset(m.id for m in milestones if m.code in MILESTONE_MET_BY
                        and is_milestone_met(m, participation, contact_points=in_office))
        overdue = [
            m for m in milestones
            if m.code in MILESTONE_MET_BY and is_reminded(participation) and m.id not in met and m.is_overdue(now, state)
        ]
        rows.append(
            CountryRow(
                member_state=state,
                contact_points=in_office,
                next_milestone=upcoming[0][1] if upcoming else None,
                next_due_at=upcoming[0][0] if upcoming else None,
                overdue=overdue,
                status=participation.status if participation is not None else "invited",
                met=met,
            )
        )
    return rows


def list_campaigns() -> list[Campaign]:
    """Every campaign, the newest first (Part II, then Part I)."""
    return list(db.session.scalars(sa.select(Campaign).where(Campaign.part > 0).order_by(Campaign.starts_on.desc())))


def campaign_by_code(code: str | None) -> Campaign | None:
    """The campaign with this code (with its milestones), else the current one."""
    if not code:
        return current_campaign()
    return db.session.scalar(
        sa.select(Campaign).where(Campaign.code == code)
        .options(selectinload(Campaign.milestones).selectinload(Milestone.extensions))
    )


@dataclass
class MilestoneProgress:
    """How many countries have met a milestone."""

    milestone: Milestone
    met: int
    expected: int


def milestone_progress(campaign: Campaign, rows: list[CountryRow]) -> list[MilestoneProgress]:
    """Per milestone that a status meets: how many of the participating countries have met it."""
    active = [row for row in rows if row.status not in INACTIVE_STATUSES]
    return [
        MilestoneProgress(milestone, sum(1 for row in active if milestone.id in row.met), len(active))
        for milestone in campaign.milestones if milestone.code in MILESTONE_MET_BY
    ]


def stage_counts(rows: list[CountryRow]) -> dict[str, int]:
    """How many countries are at each status."""
    counts = dict.fromkeys(STATUSES + INACTIVE_STATUSES, 0)
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


@dataclass
class TimelineEntry:
    """One thing that happened to a country, newest first on its page."""

    at: datetime
    #: "audit" (a recorded change), "reminder" (a reminder step dealt with) or "mail" (an email queued).
    kind: str
    record: Any


def timeline_for(member_state: MemberState, *, dispatches: list[Any], limit: int = 100,
                 with_mail: bool = True) -> list[TimelineEntry]:
    """Everything about a country in one list: changes, the reminder `dispatches` the page already holds, and
    emails (a fixed number of queries)."""
    from tracker.audit.models import AuditEntry
    from tracker.mail.models import OutboxMessage

    entries = [TimelineEntry(e.at, "audit", e) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.member_state_id == member_state.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))]
    entries += [TimelineEntry(d.created_at, "reminder", d) for d in dispatches]
    if with_mail:
        entries += [TimelineEntry(m.created_at, "mail", m) for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.member_state_id == member_state.id)
            .order_by(OutboxMessage.created_at.desc()).limit(limit))]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


#: Beyond this many changes in a week the dashboard stops counting.
CHANGES_CAP = 1000


def recent_changes(*, since: datetime, limit: int = 12) -> tuple[int, list[Any]]:
    """How many changes were recorded since `since`, and the latest of them."""
    from tracker.audit.models import AuditEntry

    # Counted up to a cap: past it the dashboard says "1,000 or more", and the count stays cheap on 200,000 rows.
    capped = sa.select(AuditEntry.id).where(AuditEntry.at >= since).limit(CHANGES_CAP).subquery()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0
    latest = list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.at >= since).order_by(AuditEntry.id.desc()).limit(limit)))
    return count, latest
