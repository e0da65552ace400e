"""The service desk: opening, answering, assigning, merging and reporting tickets, with SLAs (flush, never commit)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from tracker.accounts.models import Role, User
from tracker.audit.services import record_change, record_event
from tracker.core.models import check_version
from tracker.core.time import utcnow
from tracker.countries.models import MemberState
from tracker.extensions import db
from tracker.files.models import StoredFile
from tracker.files.services import files_of, sniff_ticket_type, store_upload
from tracker.mail.services import configured_addresses, queue_email
from tracker.tickets import sla
from tracker.tickets.models import ACTIVE_STATUSES, SavedReply, Ticket, TicketMessage, TicketStatusChange

#: Attachments of ticket messages are stored under this entity type.
FILES = "ticket_messages"


class TicketRefused(Exception):
    """Something the rules do not allow; `reason` is a key of labels.REFUSALS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- service levels ----------------------------------------------------------------------------


def holidays() -> frozenset[date]:
    """The Commission's holidays from the TRACKER_HOLIDAYS setting."""
    cached = current_app.extensions.get("tracker.holidays")
    if cached is None:
        cached = current_app.extensions["tracker.holidays"] = sla.parse_holidays(current_app.config["HOLIDAYS"])
    return cached


@dataclass(frozen=True)
class Service:
    """A ticket's two service levels now."""

    first_response: sla.Clock
    resolution: sla.Clock

    @property
    def breached(self) -> bool:
        """Either level is (or was) missed."""
        return self.first_response.breached or self.resolution.breached

    @property
    def overdue(self) -> bool:
        """A level is missed and the ticket still needs doing (what stands out in the queue)."""
        return (self.first_response.breached and not self.first_response.stopped) or (
            self.resolution.breached and not self.resolution.stopped)


def service_of(ticket: Ticket, now: datetime | None = None) -> Service:
    """First response within TRACKER_SLA_FIRST_RESPONSE_DAYS, resolution within TRACKER_SLA_RESOLUTION_DAYS."""
    now = now or utcnow()
    changes = [(change.status, change.at) for change in ticket.status_changes] or [("new", ticket.created_at)]
    config = current_app.config
    resolved_at = (ticket.resolved_at or ticket.closed_at) if ticket.status in ("resolved", "closed") else None
    return Service(
        first_response=sla.clock(changes, stopped_at=ticket.first_response_at or resolved_at, now=now,
                                 days=config["SLA_FIRST_RESPONSE_DAYS"], holidays=holidays()),
        resolution=sla.clock(changes, stopped_at=resolved_at, now=now, days=config["SLA_RESOLUTION_DAYS"],
                             holidays=holidays()),
    )


# -- reading -----------------------------------------------------------------------------------


@dataclass
class QueueFilter:
    """What the queue shows."""

    status: str | None = None
    category: str | None = None
    member_state_id: int | None = None
    assignee_id: int | None = None
    #: Only tickets whose service level is missed and still running.
    overdue: bool = False
    #: Words to find in subjects and messages.
    text: str = ""


def _search_clause(text: str, *, internal: bool):
    pattern = f"%{text.strip().lower()}%"
    bodies = sa.select(TicketMessage.ticket_id).where(sa.func.lower(TicketMessage.body).like(pattern))
    if not internal:
        bodies = bodies.where(TicketMessage.is_internal.is_(False))
    return sa.or_(sa.func.lower(Ticket.subject).like(pattern), Ticket.id.in_(bodies))


def queue(wanted: QueueFilter, *, member_state_id: int | None = None, internal: bool = True,
          now: datetime | None = None, limit: int = 500) -> list[tuple[Ticket, Service]]:
    """Tickets with their service levels: overdue first, then by last activity (one country's for a contact point)."""
    now = now or utcnow()
    query = (sa.select(Ticket).options(selectinload(Ticket.status_changes), selectinload(Ticket.member_state),
                                       selectinload(Ticket.assignee))
             .order_by(Ticket.last_activity_at.desc(), Ticket.id.desc()).limit(limit))
    if member_state_id is not None:
        query = query.where(Ticket.member_state_id == member_state_id)
    if wanted.status == "active":
        query = query.where(Ticket.status.in_(ACTIVE_STATUSES))
    elif wanted.status:
        query = query.where(Ticket.status == wanted.status)
    if wanted.category:
        query = query.where(Ticket.category == wanted.category)
    if wanted.member_state_id:
        query = query.where(Ticket.member_state_id == wanted.member_state_id)
    if wanted.assignee_id == 0:
        query = query.where(Ticket.assignee_id.is_(None))
    elif wanted.assignee_id:
        query = query.where(Ticket.assignee_id == wanted.assignee_id)
    if wanted.text.strip():
        query = query.where(_search_clause(wanted.text, internal=internal))
    rows = [(ticket, service_of(ticket, now)) for ticket in db.session.scalars(query)]
    if wanted.overdue:
        rows = [row for row in rows if row[1].overdue]
    rows.sort(key=lambda row: not row[1].overdue)
    return rows


def overdue_count(now: datetime | None = None) -> int:
    """How many tickets still to do have missed a service level (the dashboard's warning)."""
    active = db.session.scalars(sa.select(Ticket).where(Ticket.status.in_(ACTIVE_STATUSES))
                                .options(selectinload(Ticket.status_changes)))
    return sum(1 for ticket in active if service_of(ticket, now).overdue)


def thread_of(ticket: Ticket, *, internal: bool) -> list[tuple[TicketMessage, list[StoredFile]]]:
    """The messages with their attachments, oldest first (internal notes only for staff)."""
    messages = [m for m in ticket.messages if internal or not m.is_internal]
    attached = files_of(FILES, [m.id for m in messages])
    return [(message, attached.get(message.id, [])) for message in messages]


def attachment_of(ticket: Ticket, file_id: int, *, internal: bool) -> StoredFile | None:
    """An attachment of this ticket's thread that the reader may download."""
    visible = [m.id for m in ticket.messages if internal or not m.is_internal]
    if not visible:
        return None
    return db.session.scalar(sa.select(StoredFile).where(StoredFile.id == file_id, StoredFile.entity_type == FILES,
                                                         StoredFile.entity_id.in_(visible)))


def staff_users() -> list[User]:
    """Who tickets can be assigned to."""
    return list(db.session.scalars(sa.select(User).where(User.role == Role.SECRETARIAT, User.is_enabled)
                                   .order_by(User.display_name, User.email)))


def saved_replies(language: str | None = None) -> list[SavedReply]:
    """Saved replies, those in `language` first."""
    replies = list(db.session.scalars(sa.select(SavedReply).order_by(SavedReply.title, SavedReply.language)))
    return sorted(replies, key=lambda reply: reply.language != language) if language else replies


# -- changing ----------------------------------------------------------------------------------


def _enter(ticket: Ticket, status: str, at: datetime) -> None:
    """Record a status change: the SLA history."""
    if ticket.status == status and ticket.status_changes:
        return
    ticket.status = status
    ticket.status_changes.append(TicketStatusChange(status=status, at=at))


def _attach(message: TicketMessage, uploads: list[tuple[BinaryIO, str]], *, by: Any) -> list[StoredFile]:
    limit = current_app.config["TICKET_ATTACHMENT_MAX_BYTES"]
    return [store_upload(stream, name, member_state_id=message.ticket.member_state_id, entity_type=FILES,
                         entity_id=message.id, by=by, limit=limit, sniff=sniff_ticket_type)
            for stream, name in uploads]


def open_ticket(member_state: MemberState, *, by: User, category: str, subject: str, body: str,
                uploads: list[tuple[BinaryIO, str]] = (), language: str = "en", now: datetime | None = None,
                notify: bool = True) -> Ticket:
    """A contact point's question (or one the secretariat records for a country), with its attachments."""
    now = now or utcnow()
    if not body.strip() or not subject.strip():
        raise TicketRefused("empty")
    ticket = Ticket(member_state=member_state, category=category, subject=subject.strip()[:200], opened_by=by,
                    language=language, last_activity_at=now, created_at=now, status="new")
    ticket.status_changes.append(TicketStatusChange(status="new", at=now))
    db.session.add(ticket)
    message = TicketMessage(ticket=ticket, author_id=by.id, author_label=by.name, from_staff=by.is_staff,
                            body=body.strip(), created_at=now)
    db.session.add(message)
    db.session.flush()
    _attach(message, list(uploads), by=by)
    record_change(ticket, by=by, action="create", note=ticket.subject)
    if notify:
        _tell_desk(ticket, message, new=True)
    return ticket


def reply(ticket: Ticket, *, by: User, body: str, uploads: list[tuple[BinaryIO, str]] = (), internal: bool = False,
          then: str | None = None, now: datetime | None = None, notify: bool = True) -> TicketMessage:
    """Add to the thread: staff reply (or note), or the country follows up (which reopens a resolved ticket)."""
    now = now or utcnow()
    if not body.strip():
        raise TicketRefused("empty")
    if ticket.status == "closed":
        raise TicketRefused("closed")
    if internal and not by.is_secretariat:
        raise TicketRefused("not_staff")
    message = TicketMessage(ticket=ticket, author_id=by.id, author_label=by.name, from_staff=by.is_staff,
                            body=body.strip(), is_internal=internal, created_at=now)
    db.session.add(message)
    db.session.flush()
    _attach(message, list(uploads), by=by)
    ticket.last_activity_at = now
    if internal:
        record_event(action="note", entity_type="tickets", entity_id=ticket.id, member_state_id=ticket.member_state_id,
                     by=by)
        return message
    if by.is_staff:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        _enter(ticket, then if then in ("open", "waiting", "resolved") else "open", now)
        if ticket.status == "resolved":
            ticket.resolved_at = now
        if ticket.assignee_id is None:
            ticket.assignee_id = by.id
        if notify:
            _tell_country(ticket, message)
    else:
        if ticket.status in ("waiting", "resolved"):
            ticket.resolved_at = None
            _enter(ticket, "open", now)
        if notify:
            _tell_desk(ticket, message, new=False)
    record_event(action="reply", entity_type="tickets", entity_id=ticket.id, member_state_id=ticket.member_state_id,
                 by=by, note=f"status {ticket.status}")
    return message


def set_status(ticket: Ticket, status: str, *, by: User, loaded_version: int | None = None,
               now: datetime | None = None) -> None:
    """Resolve, close, reopen or put a ticket on hold (waiting on the country)."""
    now = now or utcnow()
    check_version(ticket, loaded_version)
    if status == ticket.status:
        return
    if not by.is_staff and status != "closed":
        raise TicketRefused("not_staff")
    if ticket.status == "closed" and status != "open":
        raise TicketRefused("closed")
    _enter(ticket, status, now)
    if status == "resolved":
        ticket.resolved_at = now
    elif status == "closed":
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = ticket.closed_at = None
    ticket.last_activity_at = now
    record_change(ticket, by=by, action="status")


def assign(ticket: Ticket, assignee: User | None, *, by: User) -> None:
    """Give the ticket to a member of the secretariat (or to nobody)."""
    if assignee is not None and not assignee.is_secretariat:
        raise TicketRefused("not_staff")
    ticket.assignee_id = assignee.id if assignee else None
    record_change(ticket, by=by, action="assign")


def link(ticket: Ticket, *, asset_id: int | None, event_id: int | None, by: User) -> None:
    """Tie the ticket to the asset or the event it is about (an asset of its own country only)."""
    from tracker.events.models import Event
    from tracker.participation.models import Asset

    if asset_id is not None:
        asset = db.session.get(Asset, asset_id)
        if asset is None or asset.member_state_id != ticket.member_state_id:
            raise TicketRefused("other_country")
    if event_id is not None and db.session.get(Event, event_id) is None:
        raise TicketRefused("unknown")
    ticket.asset_id, ticket.event_id = asset_id, event_id
    record_change(ticket, by=by, action="link")


def merge(duplicate: Ticket, into: Ticket, *, by: User, now: datetime | None = None) -> None:
    """Close a duplicate in favour of another ticket of the same country; both threads say so."""
    now = now or utcnow()
    if duplicate.id == into.id:
        raise TicketRefused("same")
    if duplicate.member_state_id != into.member_state_id:
        raise TicketRefused("other_country")
    if into.status == "closed" or into.merged_into_id is not None:
        raise TicketRefused("closed")
    # The duplicate's page tells the country where the conversation goes on (in the reader's language).
    duplicate.merged_into_id = into.id
    db.session.add(TicketMessage(ticket=into, author_id=by.id, author_label=by.name, from_staff=True, is_internal=True,
                                 body=f"{duplicate.reference} ({duplicate.subject}) was merged into this ticket.",
                                 created_at=now))
    _enter(duplicate, "closed", now)
    duplicate.closed_at = now
    duplicate.resolved_at = duplicate.resolved_at or now
    into.last_activity_at = now
    record_change(duplicate, by=by, action="merge", note=f"into {into.reference}")


def save_reply(reply_: SavedReply | None, *, title: str, language: str, body: str, by: User,
               loaded_version: int | None = None) -> SavedReply:
    """Create or change a saved reply."""
    taken = sa.select(SavedReply.id).where(SavedReply.title == title.strip(), SavedReply.language == language)
    if reply_ is not None:
        taken = taken.where(SavedReply.id != reply_.id)
    if db.session.scalar(taken) is not None:
        raise TicketRefused("duplicate_reply")
    if reply_ is None:
        reply_ = SavedReply(title=title.strip(), language=language, body=body.strip())
        db.session.add(reply_)
        record_change(reply_, by=by, action="create")
        return reply_
    check_version(reply_, loaded_version)
    reply_.title, reply_.language, reply_.body = title.strip(), language, body.strip()
    record_change(reply_, by=by)
    return reply_


def delete_saved_reply(reply_: SavedReply, *, by: User) -> None:
    """Remove a saved reply."""
    record_event(action="delete", entity_type="saved_replies", entity_id=reply_.id, by=by, note=reply_.title)
    db.session.delete(reply_)


# -- notifications -----------------------------------------------------------------------------


def _country_readers(ticket: Ticket) -> list[User]:
    """The contact points who follow the ticket: whoever opened it or wrote in it, with an account still enabled."""
    ids = {m.author_id for m in ticket.messages if not m.from_staff and m.author_id} | (
        {ticket.opened_by_id} if ticket.opened_by_id else set())
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids), User.is_enabled,
                                                         User.member_state_id == ticket.member_state_id)))


def _tell_country(ticket: Ticket, message: TicketMessage) -> None:
    """Each contact point following the ticket gets the reply in their language."""
    from tracker.accounts.services import mail_language_of
    from tracker.core.urls import absolute_url

    for reader in _country_readers(ticket):
        language = mail_language_of(reader, ticket.language)
        queue_email(key=f"ticket-reply:{message.id}:{reader.id}", to=[(reader.name, reader.email)],
                    template="tickets/emails/reply", language=language, member_state_id=ticket.member_state_id,
                    ticket=ticket, message=message, link=absolute_url("tickets.show", ticket_id=ticket.id))


def _tell_desk(ticket: Ticket, message: TicketMessage, *, new: bool) -> None:
    """The assignee, or else the secretariat's desk addresses, hear of a new ticket or a follow-up."""
    from tracker.core.urls import absolute_url

    if ticket.assignee is not None and ticket.assignee.is_enabled:
        recipients = [(ticket.assignee.name, ticket.assignee.email)]
    else:
        configured = configured_addresses("SERVICE_DESK_EMAILS")
        recipients = [("", address) for address in configured] or [(u.name, u.email) for u in staff_users()]
    if not recipients:
        return
    queue_email(key=f"ticket-desk:{message.id}", to=recipients, template="tickets/emails/desk", language="en",
                member_state_id=ticket.member_state_id, ticket=ticket, message=message, new=new,
                link=absolute_url("tickets.show", ticket_id=ticket.id))


# -- reports -----------------------------------------------------------------------------------


@dataclass
class Report:
    """Tickets per category and per country, and the median working days to answer and to resolve."""

    total: int
    by_category: Counter
    by_country: Counter
    median_first_response_days: float | None
    median_resolution_days: float | None
    first_response_met: int
    first_response_counted: int
    resolution_met: int
    resolution_counted: int
    overdue: int


def report(*, since: datetime | None = None, now: datetime | None = None) -> Report:
    """The service desk's figures (over tickets opened since `since`, or all)."""
    now = now or utcnow()
    query = sa.select(Ticket).options(selectinload(Ticket.status_changes), selectinload(Ticket.member_state))
    if since is not None:
        query = query.where(Ticket.created_at >= since)
    tickets = list(db.session.scalars(query.where(Ticket.merged_into_id.is_(None))))
    services = [(t, service_of(t, now)) for t in tickets]
    answered = [s.first_response for t, s in services if t.first_response_at is not None]
    resolved = [s.resolution for t, s in services if s.resolution.stopped]
    return Report(
        total=len(tickets), by_category=Counter(t.category for t in tickets),
        by_country=Counter(t.member_state.code for t in tickets),
        median_first_response_days=sla.median_days(c.used for c in answered),
        median_resolution_days=sla.median_days(c.used for c in resolved),
        first_response_met=sum(1 for c in answered if not c.breached), first_response_counted=len(answered),
        resolution_met=sum(1 for c in resolved if not c.breached), resolution_counted=len(resolved),
        overdue=sum(1 for _t, s in services if s.overdue),
    )
