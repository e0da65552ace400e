"""Exporting and erasing one person's data (Regulation 2018/1725, Articles 17 and 19) (flush, never commit)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.appointments.models import Appointment
from tracker.audit.models import AuditEntry
from tracker.audit.services import record_event
from tracker.contacts.models import Person
from tracker.core.time import utcnow
from tracker.events.models import Attendance, AttendanceImport, EventInvitation, Registration
from tracker.extensions import db
from tracker.files.services import delete_files
from tracker.mail.models import OutboxMessage
from tracker.tickets.models import TicketMessage

#: What erased text reads as.
PLACEHOLDER = "[erased]"
#: Fields of people and accounts that are personal data.
PERSONAL_FIELDS = {"given_name", "family_name", "email", "phone", "display_name", "note", "position"}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _mail_about(email: str) -> sa.ColumnElement:
    pattern = f"%{email}%"
    return sa.or_(OutboxMessage.recipients.like(pattern), OutboxMessage.cc.like(pattern))


def _history(person: Person, user: User | None, appointment_ids: list[int]) -> list[AuditEntry]:
    about = [sa.and_(AuditEntry.entity_type == "people", AuditEntry.entity_id == person.id)]
    if appointment_ids:
        about.append(sa.and_(AuditEntry.entity_type == "appointments", AuditEntry.entity_id.in_(appointment_ids)))
    if user is not None:
        about.append(sa.and_(AuditEntry.entity_type == "users", AuditEntry.entity_id == user.id))
        about.append(AuditEntry.actor_id == user.id)
    about.append(AuditEntry.actor_label.like(f"{person.email}%"))
    # Attendance entries are about the event and name the person in their note.
    about.append(sa.and_(AuditEntry.entity_type == "events", AuditEntry.note.like(f"%{person.full_name}%")))
    return list(db.session.scalars(sa.select(AuditEntry).where(sa.or_(*about)).order_by(AuditEntry.id)))


def _account(person: Person) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.or_(User.person_id == person.id, User.email == person.email)))


def export_person(person: Person, *, by: Any) -> dict[str, Any]:
    """Everything held about a person, as plain JSON-ready data; the export is audited."""
    user = _account(person)
    appointments = list(db.session.scalars(sa.select(Appointment).where(Appointment.person_id == person.id)))
    messages = list(db.session.scalars(sa.select(OutboxMessage).where(_mail_about(person.email)).order_by(OutboxMessage.id)))
    data = {
        "exported_at": utcnow().isoformat(),
        "person": {
            "id": person.id, "given_name": person.given_name, "family_name": person.family_name,
            "email": person.email, "phone": person.phone, "preferred_language": person.preferred_language,
            "country": person.member_state.code if person.member_state else None,
            "organisation": person.organisation.name if person.organisation else None,
            "created_at": _iso(person.created_at), "updated_at": _iso(person.updated_at),
            "erased_at": _iso(person.erased_at),
        },
        "roles": [{"kind": r.kind, "country": r.member_state.code, "since": _iso(r.since_on), "until": _iso(r.until_on)}
                  for r in person.roles],
        "appointments": [{
            "id": a.id, "campaign": a.campaign.code, "country": a.member_state.code, "kind": a.kind, "state": a.state,
            "organisation": a.organisation.name if a.organisation else None, "position": a.position,
            "languages": a.language_list, "since": _iso(a.since_on), "until": _iso(a.until_on),
            "asked_at": _iso(a.requested_at), "times_asked": a.request_count, "answered_at": _iso(a.answered_at),
            "answered_how": a.answered_how, "note": a.note,
        } for a in appointments],
        "events": {
            "invitations": [{"event": i.event_id, "email": i.email, "language": i.language, "at": _iso(i.invited_at)}
                            for i in db.session.scalars(sa.select(EventInvitation).where(
                                EventInvitation.person_id == person.id).order_by(EventInvitation.id))],
            "registrations": [{"event": r.event.title, "state": r.state, "asked_at": _iso(r.requested_at)}
                              for r in db.session.scalars(sa.select(Registration).where(
                                  Registration.person_id == person.id).order_by(Registration.id))],
            "attendance": [{"event": a.event.title, "minutes": a.minutes, "joins": a.joins, "source": a.source}
                           for a in db.session.scalars(sa.select(Attendance).where(
                               Attendance.person_id == person.id).order_by(Attendance.id))],
        },
        "ticket_messages": [] if user is None else [
            {"ticket": m.ticket_id, "at": _iso(m.created_at), "text": m.body}
            for m in db.session.scalars(sa.select(TicketMessage).where(TicketMessage.author_id == user.id)
                                        .order_by(TicketMessage.id))],
        "account": None if user is None else {
            "email": user.email, "role": user.role, "display_name": user.display_name, "language": user.locale,
            "enabled": user.is_enabled, "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
        },
        "emails": [{
            "subject": m.subject, "to": m.recipients, "cc": m.cc, "kind": m.kind, "status": m.status,
            "language": m.language, "queued_at": _iso(m.created_at), "text": None if m.is_sensitive else m.text_body,
        } for m in messages],
        "history": [{
            "at": _iso(e.at), "who": e.actor_label, "action": e.action, "what": f"{e.entity_type}#{e.entity_id}",
            "how": e.how, "changes": e.changes, "note": e.note,
        } for e in _history(person, user, [a.id for a in appointments])],
    }
    record_event(action="export_person", entity_type="people", entity_id=person.id,
                 member_state_id=person.member_state_id, by=by, note="JSON export of everything held")
    return data


def _scrub_changes(changes: dict[str, Any], secrets: set[str]) -> dict[str, Any]:
    def scrub(value: Any) -> Any:
        if isinstance(value, str) and any(secret and secret in value for secret in secrets):
            return PLACEHOLDER
        return value

    return {key: ([PLACEHOLDER if v is not None else None for v in pair] if key in PERSONAL_FIELDS
                  else [scrub(v) for v in pair]) if isinstance(pair, list) else pair
            for key, pair in changes.items()}


def erase_person(person: Person, *, by: Any) -> None:
    """Replace a person's personal data everywhere with a placeholder; counts and states stay for statistics."""
    if person.erased_at is not None:
        return
    user = _account(person)
    appointments = list(db.session.scalars(sa.select(Appointment).where(Appointment.person_id == person.id)))
    old_email = person.email
    secrets = {old_email, person.phone, f"{person.given_name} {person.family_name}"} - {""}
    for entry in _history(person, user, [a.id for a in appointments]):
        entry.changes = _scrub_changes(dict(entry.changes or {}), secrets)
        if entry.actor_label.startswith(old_email):
            entry.actor_label = PLACEHOLDER
        if any(secret in (entry.note or "") for secret in secrets):
            entry.note = PLACEHOLDER
    for message in db.session.scalars(sa.select(OutboxMessage).where(_mail_about(old_email))):
        message.recipients = PLACEHOLDER if old_email in message.recipients else message.recipients
        message.cc = PLACEHOLDER if old_email in message.cc else message.cc
        message.text_body, message.html_body = PLACEHOLDER, f"<p>{PLACEHOLDER}</p>"
    for invitation in db.session.scalars(sa.select(EventInvitation).where(sa.or_(
            EventInvitation.person_id == person.id, EventInvitation.email == old_email))):
        invitation.email = f"erased-{person.id}@erased.invalid"
    _scrub_imports(person.id, old_email)
    if user is not None:
        written = list(db.session.scalars(sa.select(TicketMessage).where(TicketMessage.author_id == user.id)))
        for message in written:
            message.author_label, message.body = PLACEHOLDER, PLACEHOLDER
        delete_files("ticket_messages", [m.id for m in written])
    for appointment in appointments:
        appointment.position, appointment.note = "", ""
    delete_files("appointments", [a.id for a in appointments])
    if user is not None:
        user.email = f"erased-user-{user.id}@erased.invalid"
        user.display_name, user.password_hash, user.is_enabled = PLACEHOLDER, None, False
        user.session_version += 1
    person.given_name, person.family_name = PLACEHOLDER, f"#{person.id}"
    person.email, person.phone = f"erased-{person.id}@erased.invalid", ""
    person.erased_at = utcnow()
    db.session.flush()
    record_event(action="erase", entity_type="people", entity_id=person.id, member_state_id=person.member_state_id,
                 by=by, note="personal data erased on request")


def _scrub_imports(person_id: int, email: str) -> None:
    """Attendance reports keep rows as read from the file: the person's own rows lose name and email."""
    for report in db.session.scalars(sa.select(AttendanceImport).where(AttendanceImport.rows.is_not(None))):
        rows = [dict(row) for row in report.rows or []]
        touched = False
        for row in rows:
            if row.get("person_id") == person_id or (row.get("email") or "").lower() == email:
                row["name"], row["email"] = PLACEHOLDER, ""
                touched = True
        if touched:
            report.rows = rows
