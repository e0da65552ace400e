"""Planning and sending reminders from the ladders (flush, never commit).

Nothing is stored ahead for a reminder: the plan is worked out from the ladders, the (extended)
due moments and each country's status whenever it is asked for, so moving a deadline or granting
an extension re-plans at once. What was done is stored: one ReminderDispatch per step and
country, unique, so a reminder sent is never sent again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from tracker.appointments.services import MILESTONE as APPOINTMENT_MILESTONE
from tracker.appointments.services import count_contact_points, current_contact_points
from tracker.audit.services import record_change
from tracker.contacts.models import Person
from tracker.core.i18n import mail_language
from tracker.core.models import check_version
from tracker.core.time import BRUSSELS, utcnow
from tracker.core.urls import absolute_url
from tracker.countries.models import Campaign, MemberState, Milestone
from tracker.countries.reference import time_zone
from tracker.extensions import db
from tracker.mail.services import queue_email
from tracker.participation.services import is_milestone_met, is_reminded, participations_for
from tracker.reminders.models import AUDIENCES, DEFAULT_LADDER, ReminderDispatch, ReminderStep

#: The page where a country does what a milestone asks; the member state page unless listed.
ACTION_ENDPOINTS: dict[str, str] = {"contact_points_confirmed": "appointments.member_state"}


@dataclass
class PlannedReminder:
    """One step of a ladder for one country, with its moment and what became of it."""

    step: ReminderStep
    milestone: Milestone
    member_state: MemberState
    due_at: datetime
    planned_at: datetime
    #: Not acted on yet: "planned" (in the future), "due" (its moment has come) or "missed" (its moment
    #: passed before the step was set, or too long ago: not sent unless staff ask); else the dispatch's status.
    state: str
    dispatch: ReminderDispatch | None = None


@dataclass
class SendResult:
    """What one evaluation of the ladders did."""

    sent: list[PlannedReminder] = field(default_factory=list)
    awaiting_approval: list[PlannedReminder] = field(default_factory=list)
    superseded: list[PlannedReminder] = field(default_factory=list)
    without_recipient: list[PlannedReminder] = field(default_factory=list)
    emails: int = 0


def _open_campaigns() -> list[Campaign]:
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.is_open.is_(True))
        .options(selectinload(Campaign.milestones).selectinload(Milestone.extensions))
    ))


def plan_reminders(
    as_of: datetime,
    *,
    campaign: Campaign | None = None,
    member_state: MemberState | None = None,
    include_done: bool = False,
) -> list[PlannedReminder]:
    """Every ladder step for every country that still has to meet its milestone, ordered by moment."""
    campaigns = [campaign] if campaign is not None else _open_campaigns()
    if not campaigns:
        return []
    max_late = timedelta(hours=current_app.config["REMINDER_MAX_LATENESS_HOURS"])
    state_query = sa.select(MemberState).order_by(MemberState.protocol_order)
    if member_state is not None:
        state_query = state_query.where(MemberState.id == member_state.id)
    states = list(db.session.scalars(state_query))
    day = as_of.astimezone(BRUSSELS).date()
    planned: list[PlannedReminder] = []
    for camp in campaigns:
        milestone_ids = [m.id for m in camp.milestones]
        steps = list(db.session.scalars(
            sa.select(ReminderStep).where(ReminderStep.milestone_id.in_(milestone_ids))
            .order_by(ReminderStep.milestone_id, ReminderStep.offset_days)
        ))
        if not steps:
            continue
        dispatches = {
            (d.step_id, d.member_state_id): d
            for d in db.session.scalars(
                sa.select(ReminderDispatch).where(ReminderDispatch.milestone_id.in_(milestone_ids))
            )
        }
        participations = participations_for(camp)
        in_office = count_contact_points(day, campaign_id=camp.id)
        milestones = {m.id: m for m in camp.milestones}
        for step in steps:
            milestone = milestones[step.milestone_id]
            for state in states:
                dispatch = dispatches.get((step.id, state.id))
                participation = participations.get(state.id)
                due_at = milestone.due_for(state)
                planned_at = step.planned_for(due_at)
                if dispatch is not None:
                    if include_done:
                        planned.append(PlannedReminder(step, milestone, state, due_at, dispatch.planned_at,
                                                       dispatch.status, dispatch))
                    continue
                if not is_reminded(participation):
                    continue
                if is_milestone_met(milestone, participation, contact_points=in_office.get(state.id, 0)):
                    continue
                if planned_at > as_of:
                    status = "planned"
                elif planned_at < step.active_from_at or as_of - planned_at > max_late:
                    status = "missed"
                else:
                    status = "due"
                planned.append(PlannedReminder(step, milestone, state, due_at, planned_at, status))
    planned.sort(key=lambda item: (item.planned_at, item.member_state.protocol_order, item.step.offset_days))
    return planned


class ContactPointLookup:
    """The contact points in office on one day, per campaign and member state, fetched once per campaign.

    Reminders to confirm the appointments also go to those asked to confirm and yet to answer.
    """

    def __init__(self, items: list[PlannedReminder], day) -> None:
        self._found: dict[tuple[int, bool], dict[int, list[Person]]] = {}
        by_campaign: dict[tuple[int, bool], set[int]] = defaultdict(set)
        for item in items:
            by_campaign[self._key(item)].add(item.member_state.id)
        for (campaign_id, awaiting), state_ids in by_campaign.items():
            self._found[(campaign_id, awaiting)] = current_contact_points(
                list(state_ids), day, campaign_id=campaign_id, include_awaiting=awaiting)

    @staticmethod
    def _key(item: PlannedReminder) -> tuple[int, bool]:
        return item.milestone.campaign_id, item.milestone.code == APPOINTMENT_MILESTONE

    def __call__(self, item: PlannedReminder) -> list[Person]:
        """The contact points `item` writes to."""
        return self._found.get(self._key(item), {}).get(item.member_state.id, [])


@dataclass
class _Recipients:
    to: list[Person | str]
    cc: list[Person | str]


def recipients_for(step: ReminderStep, state: MemberState, contact_points: list[Person]) -> _Recipients:
    """Who a step writes to; a country with no contact point in office is written to via its PermRep."""
    permrep = [state.permrep_mailbox] if state.permrep_mailbox else []
    if step.audience == "permrep_escalation":
        return _Recipients(to=permrep or list(contact_points), cc=list(contact_points) if permrep else [])
    if not contact_points:
        return _Recipients(to=permrep, cc=[])
    cc = permrep if step.audience == "contact_points_permrep_cc" else []
    return _Recipients(to=list(contact_points), cc=cc)


def _address(recipient: Person | str) -> str | tuple[str, str]:
    return (recipient.full_name, recipient.email) if isinstance(recipient, Person) else recipient


def describe_recipients(recipients: _Recipients) -> str:
    def emails(items: list[Person | str]) -> str:
        return ", ".join(item.email if isinstance(item, Person) else item for item in items)

    text = emails(recipients.to)
    return f"{text}; cc {emails(recipients.cc)}" if recipients.cc else text


def _own_zone(state: MemberState, moment: datetime) -> str | None:
    """The country's time zone when its clocks differ from Brussels at `moment` (else None)."""
    zone = ZoneInfo(time_zone(state.code))
    return str(zone) if moment.astimezone(zone).utcoffset() != moment.astimezone(BRUSSELS).utcoffset() else None


def _queue_reminder_emails(item: PlannedReminder, recipients: _Recipients, *, late: bool = False) -> int:
    """Queue the emails of one reminder: one per language of its recipients."""
    state, step, milestone = item.member_state, item.step, item.milestone
    fallback = mail_language(state.correspondence_language)
    groups: dict[str, list[Person | str]] = defaultdict(list)
    if step.is_escalation:
        groups[fallback] = recipients.to
    else:
        for recipient in recipients.to:
            language = (
                mail_language(recipient.preferred_language, state.correspondence_language)
                if isinstance(recipient, Person) else fallback
            )
            groups[language].append(recipient)
    endpoint = ACTION_ENDPOINTS.get(milestone.code, "countries.member_state")
    for language, to in groups.items():
        queue_email(
            key=f"reminder:{milestone.id}:{state.code}:{step.id}:{language}",
            to=[_address(person) for person in to],
            cc=[_address(person) for person in recipients.cc],
            template="reminders/emails/escalation" if step.is_escalation else "reminders/emails/reminder",
            language=language,
            kind="escalation" if step.is_escalation else "reminder",
            member_state_id=state.id,
            milestone=milestone, member_state=state, step=step, due_at=item.due_at,
            zone=_own_zone(state, item.due_at), link=absolute_url(endpoint, code=state.code),
            campaign=milestone.campaign, late=late,
        )
    return len(groups)


def _dispatch(item: PlannedReminder, status: str, *, now: datetime, recipients: str = "", note: str = "",
              by: Any = None) -> ReminderDispatch:
    dispatch = ReminderDispatch(
        step_id=item.step.id, milestone_id=item.milestone.id, member_state_id=item.member_state.id,
        offset_days=item.step.offset_days, audience=item.step.audience, status=status,
        planned_at=item.planned_at, due_at=item.due_at, created_at=now,
        sent_at=now if status == "sent" else None, recipients=recipients, note=note,
        decided_by_id=getattr(by, "id", None) if by is not None and not isinstance(by, str) else None,
    )
    db.session.add(dispatch)
    item.dispatch, item.state = dispatch, status
    return dispatch


def _send(item: PlannedReminder, contact_points: ContactPointLookup, *, now: datetime,
          note: str = "", by: Any = None, late: bool = False) -> int | None:
    """Queue one reminder's emails and record it as sent; None when there is nobody to write to."""
    recipients = recipients_for(item.step, item.member_state, contact_points(item))
    if not recipients.to:
        return None
    emails = _queue_reminder_emails(item, recipients, late=late)
    _dispatch(item, "sent", now=now, recipients=describe_recipients(recipients), note=note, by=by)
    return emails


def send_due_reminders(as_of: datetime | None = None) -> SendResult:
    """Queue every reminder whose moment has come (escalations wait for approval); runs once per step and country."""
    now = utcnow()
    as_of = as_of or now
    result = SendResult()
    due = [item for item in plan_reminders(as_of) if item.state == "due"]
    if not due:
        return result
    contact_points = ContactPointLookup(due, as_of.astimezone(BRUSSELS).date())
    # When several steps of one ladder are due together (the scheduler was down, a deadline moved),
    # only the latest goes: one email rather than a burst of stale ones.
    latest: dict[tuple[int, int, bool], PlannedReminder] = {}
    for item in due:
        key = (item.milestone.id, item.member_state.id, item.step.is_escalation)
        if key not in latest or item.step.offset_days > latest[key].step.offset_days:
            latest[key] = item
    for item in due:
        key = (item.milestone.id, item.member_state.id, item.step.is_escalation)
        if latest[key] is not item:
            _dispatch(item, "superseded", now=now, note=f"step {latest[key].step.offset_days:+d} went instead")
            result.superseded.append(item)
        elif item.step.requires_approval:
            _dispatch(item, "awaiting_approval", now=now)
            result.awaiting_approval.append(item)
        else:
            emails = _send(item, contact_points, now=now)
            if emails is None:
                result.without_recipient.append(item)
            else:
                result.sent.append(item)
                result.emails += emails
    db.session.flush()
    return result


def send_missed_reminders(step: ReminderStep, *, as_of: datetime | None = None, by: Any) -> int:
    """At staff request: send a step's missed reminders now (countries that still have to act)."""
    now = utcnow()
    as_of = as_of or now
    milestone = step.milestone
    items = [
        item for item in plan_reminders(as_of, campaign=milestone.campaign)
        if item.step.id == step.id and item.state == "missed"
    ]
    contact_points = ContactPointLookup(items, as_of.astimezone(BRUSSELS).date())
    sent = 0
    for item in items:
        if _send(item, contact_points, now=now, by=by, note="sent late at the secretariat's request", late=True):
            sent += 1
    record_change(step, by=by, action="update", changes={"missed_reminders_sent": [None, sent]},
                  note="missed reminders sent")
    return sent


def approve_escalation(dispatch: ReminderDispatch, *, by: Any, as_of: datetime | None = None) -> int:
    """The secretariat approves an escalation: its emails are queued now."""
    if dispatch.status != "awaiting_approval" or dispatch.step is None:
        raise ValueError("this escalation is not waiting for approval")
    now = utcnow()
    day = (as_of or now).astimezone(BRUSSELS).date()
    item = PlannedReminder(dispatch.step, dispatch.milestone, dispatch.member_state, dispatch.due_at,
                           dispatch.planned_at, dispatch.status, dispatch)
    recipients = recipients_for(item.step, item.member_state, ContactPointLookup([item], day)(item))
    if not recipients.to:
        raise ValueError("nobody to write to")
    emails = _queue_reminder_emails(item, recipients)
    dispatch.status, dispatch.sent_at = "sent", now
    dispatch.recipients = describe_recipients(recipients)
    dispatch.decided_by_id = by.id
    record_change(dispatch, by=by, note="escalation approved")
    return emails


def dismiss_escalation(dispatch: ReminderDispatch, *, by: Any, note: str = "") -> None:
    """The secretariat decides an escalation should not go."""
    if dispatch.status != "awaiting_approval":
        raise ValueError("this escalation is not waiting for approval")
    dispatch.status = "dismissed"
    dispatch.decided_by_id = by.id
    dispatch.note = note.strip()
    record_change(dispatch, by=by, note="escalation dismissed")


def awaiting_approval() -> list[ReminderDispatch]:
    """Escalations waiting for the secretariat, oldest first."""
    return list(db.session.scalars(
        sa.select(ReminderDispatch).where(ReminderDispatch.status == "awaiting_approval")
        .options(selectinload(ReminderDispatch.member_state), selectinload(ReminderDispatch.milestone))
        .order_by(ReminderDispatch.planned_at)
    ))


def pending_for(member_state: MemberState, as_of: datetime) -> list[PlannedReminder]:
    """A country's reminders still to go (due or planned), for its page."""
    return [item for item in plan_reminders(as_of, member_state=member_state) if item.state in ("planned", "due")]


def count_awaiting_approval() -> int:
    """How many escalations wait for the secretariat (shown on the dashboard)."""
    return db.session.scalar(
        sa.select(sa.func.count(ReminderDispatch.id)).where(ReminderDispatch.status == "awaiting_approval")
    ) or 0


def dispatches_for(member_state: MemberState) -> list[ReminderDispatch]:
    """What was done about reminders for one country, newest first."""
    return list(db.session.scalars(
        sa.select(ReminderDispatch).where(ReminderDispatch.member_state_id == member_state.id)
        .options(selectinload(ReminderDispatch.milestone))
        .order_by(ReminderDispatch.planned_at.desc())
    ))


# -- ladders -----------------------------------------------------------------------------------


def steps_of(milestone: Milestone) -> list[ReminderStep]:
    """A milestone's ladder, earliest step first."""
    return list(db.session.scalars(
        sa.select(ReminderStep).where(ReminderStep.milestone_id == milestone.id).order_by(ReminderStep.offset_days)
    ))


class DuplicateStep(ValueError):
    """The ladder already has a step on that day for that audience."""


def _check_step(milestone: Milestone, offset_days: int, audience: str, *, except_id: int | None = None) -> None:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    clash = db.session.scalar(
        sa.select(ReminderStep.id).where(
            ReminderStep.milestone_id == milestone.id, ReminderStep.offset_days == offset_days,
            ReminderStep.audience == audience, *([ReminderStep.id != except_id] if except_id else []),
        )
    )
    if clash is not None:
        raise DuplicateStep(offset_days)


def add_step(milestone: Milestone, *, offset_days: int, audience: str, requires_approval: bool, by: Any,
             active_from_at: datetime | None = None) -> ReminderStep:
    """Add a rung to a milestone's ladder; it sends nothing for moments already past."""
    _check_step(milestone, offset_days, audience)
    step = ReminderStep(milestone=milestone, offset_days=offset_days, audience=audience,
                        requires_approval=requires_approval, active_from_at=active_from_at or utcnow())
    db.session.add(step)
    db.session.flush()
    record_change(step, by=by, action="create")
    return step


def update_step(step: ReminderStep, *, offset_days: int, audience: str, requires_approval: bool,
                loaded_version: int | None, by: Any) -> None:
    """Change a rung; moving it sends nothing for moments already past."""
    check_version(step, loaded_version)
    _check_step(step.milestone, offset_days, audience, except_id=step.id)
    moved = (offset_days, audience) != (step.offset_days, step.audience)
    step.offset_days, step.audience, step.requires_approval = offset_days, audience, requires_approval
    if moved:
        step.active_from_at = utcnow()
    record_change(step, by=by)


def delete_step(step: ReminderStep, *, by: Any) -> None:
    """Remove a rung; what it already sent stays on record."""
    record_change(step, by=by, action="delete", changes={"offset_days": [step.offset_days, None]})
    db.session.delete(step)
    db.session.flush()


def apply_default_ladder(milestone: Milestone, *, by: Any, active_from_at: datetime | None = None) -> list[ReminderStep]:
    """Add the default ladder's steps that the milestone does not have yet."""
    existing = {(step.offset_days, step.audience) for step in steps_of(milestone)}
    return [
        add_step(milestone, offset_days=offset, audience=audience, requires_approval=approval, by=by,
                 active_from_at=active_from_at)
        for offset, audience, approval in DEFAULT_LADDER
        if (offset, audience) not in existing
    ]


def move_deadline(milestone: Milestone, *, due_at: datetime, by: Any) -> None:
    """Move a milestone's due moment; pending reminders follow it (they are planned from it)."""
    milestone.due_at = due_at
    record_change(milestone, by=by)
