"""Events: planning, invitations, registration with a waiting list, attendance imports, calendar feeds."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process
from sqlalchemy.orm import selectinload

from tracker.accounts.models import Role, User
from tracker.appointments.services import current_contact_points, today_in_brussels
from tracker.audit.services import actor_label, record_change, record_event
from tracker.contacts.models import Person
from tracker.core.models import check_version
from tracker.core.security import secret_hash
from tracker.core.text import fold_name
from tracker.core.time import utcnow
from tracker.countries.models import Campaign, MemberState
from tracker.countries.reference import time_zone
from tracker.events.calendars import event_calendar
from tracker.events.models import (
    Attendance,
    AttendanceImport,
    CalendarFeed,
    Event,
    EventInvitation,
    EventTranslation,
    Registration,
)
from tracker.events.reports import ReportError, parse_report
from tracker.extensions import db
from tracker.mail.services import queue_email
from tracker.participation.services import reach_status

#: The fields of an event that staff edit.
EVENT_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "time_zone", "online_url", "venue",
                "audience", "capacity", "has_waiting_list")
#: A change to any of these sends calendars an update (a higher SEQUENCE).
SCHEDULE_FIELDS = ("starts_at", "ends_at", "time_zone", "online_url", "venue")


class EventRefused(Exception):
    """A registration or change the rules do not allow; `reason` is a key of labels.REFUSALS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- events ------------------------------------------------------------------------------------


def events_of(campaign: Campaign | None, *, member_state_id: int | None = None, staff: bool = True) -> list[Event]:
    """The campaign's events by start time: all for staff, else those open to the member state."""
    if campaign is None:
        return []
    query = (sa.select(Event).where(Event.campaign_id == campaign.id).order_by(Event.starts_at, Event.id)
             .options(selectinload(Event.member_states)))
    events = list(db.session.scalars(query))
    return events if staff else [event for event in events if event.is_for(member_state_id)]


def _apply(event: Event, values: dict[str, Any], member_states: list[MemberState] | None) -> bool:
    """Copy the form's values; returns whether the schedule changed."""
    scheduled = {name: getattr(event, name) for name in SCHEDULE_FIELDS}
    for name in EVENT_FIELDS:
        if name in values:
            setattr(event, name, values[name])
    if member_states is not None:
        event.member_states = member_states if event.audience == "countries" else []
    if event.ends_at <= event.starts_at:
        raise EventRefused("ends_before_start")
    if event.audience == "countries" and not event.member_states:
        raise EventRefused("no_countries")
    return any(getattr(event, name) != before for name, before in scheduled.items())


def create_event(campaign: Campaign, values: dict[str, Any], *, member_states: list[MemberState], by: Any) -> Event:
    """Plan a new event of the campaign."""
    event = Event(campaign=campaign, uid=f"{uuid.uuid4()}@twin-it-tracker", sequence=0)
    _apply(event, values, member_states)
    db.session.add(event)
    record_change(event, by=by, action="create")
    return event


def update_event(event: Event, values: dict[str, Any], *, member_states: list[MemberState], by: Any,
                 loaded_version: int | None = None) -> Event:
    """Change an event; a new time or place raises its calendar SEQUENCE, more places admit the waiting list."""
    check_version(event, loaded_version)
    if _apply(event, values, member_states):
        event.sequence += 1
    record_change(event, by=by)
    _fill_places(event, by=by)
    return event


def cancel_event(event: Event, *, by: Any) -> list[Registration]:
    """Call the event off; everyone registered or waiting is told, in their language."""
    if event.is_cancelled:
        return []
    event.cancelled_at = utcnow()
    event.sequence += 1
    record_change(event, by=by, action="cancel")
    told = [r for r in registrations_of(event) if r.state in ("registered", "waiting")]
    for registration in told:
        _notify_registration(registration, "cancelled_event")
    return told


def set_translation(event: Event, language: str, *, title: str, description: str, by: Any) -> None:
    """Add or change the event's title and description in one more language (empty title removes it)."""
    found = event.translations.get(language)
    if not title.strip():
        if found is not None:
            del event.translations[language]
            record_event(action="remove_translation", entity_type="events", entity_id=event.id, by=by, note=language)
        return
    if found is None:
        event.translations[language] = EventTranslation(language=language, title=title.strip(),
                                                        description=description.strip())
    else:
        found.title, found.description = title.strip(), description.strip()
    db.session.flush()
    record_event(action="translate", entity_type="events", entity_id=event.id, by=by, note=language)


# -- invitations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    """Someone an invitation goes to, with the language and zone it is written for."""

    email: str
    name: str
    language: str
    zone: str
    person_id: int | None = None
    member_state_id: int | None = None


def invitees_of(event: Event) -> list[Invitee]:
    """Who the event is for: the contact points in office of the audience's countries, or the staff."""
    from tracker.core.i18n import mail_language

    if event.audience == "staff":
        users = db.session.scalars(sa.select(User).where(User.role.in_((Role.SECRETARIAT, Role.VIEWER)),
                                                         User.is_enabled).order_by(User.email))
        return [Invitee(user.email, user.name, mail_language(user.locale), "Europe/Brussels") for user in users]
    states = (list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))
              if event.audience == "contact_points" else list(event.member_states))
    codes = {state.id: state.code for state in states}
    # Those asked to confirm are invited too: they are the contact points on record until they answer.
    found = current_contact_points(list(codes), today_in_brussels(), campaign_id=event.campaign_id,
                                   include_awaiting=True)
    invitees = []
    for state in states:
        for person in found.get(state.id, []):
            invitees.append(Invitee(person.email, person.full_name, mail_language(person.preferred_language),
                                    time_zone(codes[state.id]), person.id, state.id))
    return invitees


def send_invitations(event: Event, *, by: Any, base_url: str) -> int:
    """Email each invitee not yet invited to this version of the event, with an .ics; returns how many."""
    if event.is_cancelled:
        raise EventRefused("cancelled")
    if event.has_started():
        raise EventRefused("past")
    already = set(db.session.scalars(sa.select(EventInvitation.email).where(
        EventInvitation.event_id == event.id, EventInvitation.sequence == event.sequence)))
    updated = event.sequence > 0 and db.session.scalar(
        sa.select(sa.func.count()).select_from(EventInvitation).where(EventInvitation.event_id == event.id)) > 0
    sent = 0
    for invitee in invitees_of(event):
        if invitee.email in already:
            continue
        ics = event_calendar(event, language=invitee.language, url=f"{base_url}/events/{event.id}")
        queue_email(
            key=f"event-invitation:{event.id}:{event.sequence}:{invitee.email}", to=[(invitee.name, invitee.email)],
            template="events/emails/invitation", language=invitee.language, member_state_id=invitee.member_state_id,
            attachments=[("invitation.ics", "text/calendar; method=PUBLISH; charset=utf-8", ics)],
            event=event, invitee=invitee, updated=updated, event_url=f"{base_url}/events/{event.id}",
        )
        db.session.add(EventInvitation(event_id=event.id, person_id=invitee.person_id, email=invitee.email,
                                       member_state_id=invitee.member_state_id, language=invitee.language,
                                       sequence=event.sequence))
        already.add(invitee.email)
        sent += 1
    if sent:
        record_event(action="invite", entity_type="events", entity_id=event.id, by=by,
                     note=f"{sent} invitation(s), version {event.sequence}")
    return sent


def invitation_count(event: Event) -> int:
    """How many people were invited to the event (any version)."""
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(EventInvitation.email)))
                             .where(EventInvitation.event_id == event.id)) or 0


# -- registration ------------------------------------------------------------------------------


def registrations_of(event: Event) -> list[Registration]:
    """The event's registrations: places first, then the waiting list in order, then withdrawals."""
    order = sa.case({"registered": 0, "waiting": 1}, value=Registration.state, else_=2)
    return list(db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id)
        .options(selectinload(Registration.person)).order_by(order, Registration.requested_at, Registration.id)))


def registration_of(event: Event, person: Person | None) -> Registration | None:
    """The person's registration for the event, if any."""
    if person is None:
        return None
    return db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id,
                                                           Registration.person_id == person.id))


def _locked(event: Event) -> Event:
    """The event row locked for this transaction, so two people never take the last place together."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Event.id).where(Event.id == event.id).with_for_update())
    return event


def _places_taken(event: Event) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.state == "registered")) or 0


def register(event: Event, person: Person, *, by: Any, how: str = "web", now: datetime | None = None) -> Registration:
    """Give the person a place, or a place on the waiting list when the event is full."""
    now = now or utcnow()
    if event.is_cancelled:
        raise EventRefused("cancelled")
    if event.has_started(now):
        raise EventRefused("started")
    if not event.is_for(person.member_state_id):
        raise EventRefused("not_invited")
    _locked(event)
    registration = registration_of(event, person)
    if registration is not None and registration.state in ("registered", "waiting"):
        raise EventRefused("already")
    if event.capacity is None or _places_taken(event) < event.capacity:
        state = "registered"
    elif event.has_waiting_list:
        state = "waiting"
    else:
        raise EventRefused("full")
    if registration is None:
        registration = Registration(event=event, person=person, member_state_id=person.member_state_id,
                                    state=state, requested_at=now)
        db.session.add(registration)
        record_change(registration, by=by, action="create", how=how, note=event.title)
    else:
        registration.state, registration.requested_at = state, now
        record_change(registration, by=by, how=how, note=event.title)
    _notify_registration(registration, state)
    return registration


def cancel_registration(registration: Registration, *, by: Any, how: str = "web") -> Registration | None:
    """Give up a place (or a place on the waiting list); the first one waiting moves up. Returns them."""
    if registration.state == "cancelled":
        raise EventRefused("not_registered")
    event = _locked(registration.event)
    had_place = registration.state == "registered"
    registration.state = "cancelled"
    record_change(registration, by=by, how=how, note=event.title)
    db.session.flush()
    if had_place and not event.is_cancelled and not event.has_started():
        promoted = _fill_places(event, by=by)
        return promoted[0] if promoted else None
    return None


def _fill_places(event: Event, *, by: Any) -> list[Registration]:
    """Move people from the waiting list into free places, in the order they asked."""
    if event.is_cancelled or not event.has_waiting_list:
        return []
    free = None if event.capacity is None else event.capacity - _places_taken(event)
    waiting = list(db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.state == "waiting")
        .order_by(Registration.requested_at, Registration.id)))
    promoted = waiting if free is None else waiting[:max(free, 0)]
    for registration in promoted:
        registration.state = "registered"
        record_change(registration, by=by, action="promote", note=event.title)
        _notify_registration(registration, "promoted")
    return promoted


def _notify_registration(registration: Registration, what: str) -> None:
    """Tell the person where they stand, in their language (registered, waiting, promoted, cancelled_event)."""
    from tracker.core.i18n import mail_language

    person, event = registration.person, registration.event
    if person.erased_at is not None:
        return
    language = mail_language(person.preferred_language)
    stamp = registration.requested_at.strftime("%Y%m%d%H%M%S")
    queue_email(key=f"event-registration:{registration.id}:{what}:{stamp}:{event.sequence}",
                to=[(person.full_name, person.email)], template="events/emails/registration", language=language,
                member_state_id=registration.member_state_id, event=event, what=what, person=person, lang=language,
                zone=time_zone(person.member_state.code if person.member_state else None))


# -- attendance --------------------------------------------------------------------------------

#: A name that matches a person this well (0-100, words in any order) is a probable match.
PROBABLE_SCORE = 85
#: A name match is never as sure as an email match.
NAME_CONFIDENCE = 0.95
#: Report days may differ from the event's own day by the zone of whoever downloaded the report.
_REPORT_ZONES = ("Europe/Lisbon", "Europe/Athens")


class ImportRefused(Exception):
    """A report that cannot be imported; `message` says why, in the reader's language."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class Participant:
    """One participant of a report, all their joins added up."""

    name: str
    email: str
    seconds: int = 0
    joins: int = 0
    role: str = "attendee"
    is_guest: bool = False


def _add_up(rows) -> list[Participant]:
    """Several joins of one person (same email, else same name) become one participant."""
    found: dict[str, Participant] = {}
    for row in rows:
        key = row.email or f"name:{fold_name(row.name)}"
        participant = found.get(key)
        if participant is None:
            participant = found[key] = Participant(name=row.name, email=row.email)
        participant.seconds += row.seconds
        participant.joins += 1
        if row.role == "organiser":
            participant.role = "organiser"
        participant.is_guest = participant.is_guest or row.is_guest
    return list(found.values())


@dataclass
class _People:
    """Everyone a report row could be: by email and by folded name."""

    by_email: dict[str, int] = field(default_factory=dict)
    ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    staff_emails: set[str] = field(default_factory=set)


def _people() -> _People:
    people = _People()
    rows = db.session.execute(sa.select(Person.id, Person.given_name, Person.family_name, Person.email)
                              .where(Person.erased_at.is_(None)).order_by(Person.id))
    for person_id, given, family, email in rows:
        people.by_email[email.lower()] = person_id
        people.ids.append(person_id)
        people.names.append(fold_name(f"{given} {family}"))
    people.staff_emails = set(db.session.scalars(
        sa.select(User.email).where(User.role.in_((Role.SECRETARIAT, Role.VIEWER)))))
    return people


def match_participants(participants: list[Participant]) -> list[dict[str, Any]]:
    """Each participant with its category, best person and candidates, as stored on the import."""
    people = _people()
    matched = []
    for participant in participants:
        row: dict[str, Any] = {"name": participant.name, "email": participant.email, "seconds": participant.seconds,
                               "joins": participant.joins, "guest": participant.is_guest, "person_id": None,
                               "confidence": 0.0, "candidates": []}
        folded = fold_name(participant.name)
        person_id = people.by_email.get(participant.email) if participant.email else None
        if person_id is not None:
            row.update(person_id=person_id, confidence=1.0, category="matched", how="email")
        elif folded:
            hits = process.extract(folded, people.names, scorer=fuzz.token_sort_ratio, limit=3,
                                   score_cutoff=PROBABLE_SCORE)
            row["candidates"] = [[people.ids[index], round(score, 1)] for _name, score, index in hits]
            exact = [hit for hit in hits if hit[1] >= 100]
            if len(exact) == 1:
                row.update(person_id=people.ids[exact[0][2]], confidence=NAME_CONFIDENCE, category="matched",
                           how="name")
            elif hits:
                row.update(person_id=people.ids[hits[0][2]], confidence=round(hits[0][1] / 100, 2),
                           category="probable", how="name")
            else:
                row.update(category="unmatched", how="")
        else:
            row.update(category="unmatched", how="")
        if participant.role == "organiser" or participant.email in people.staff_emails:
            row["category"] = "organiser"
        matched.append(row)
    order = {"matched": 0, "probable": 1, "unmatched": 2, "organiser": 3}
    matched.sort(key=lambda r: (order[r["category"]], fold_name(r["name"])))
    return matched


def _check_day(event: Event, days: set[date]) -> None:
    """Refuse a report of a meeting held on another day than the event."""
    allowed = set(event.local_days())
    for zone in _REPORT_ZONES:
        allowed |= {event.starts_at.astimezone(ZoneInfo(zone)).date(), event.ends_at.astimezone(ZoneInfo(zone)).date()}
    stray = sorted(days - allowed)
    if stray:
        from tracker.core.i18n import format_day

        raise ImportRefused(_l(
            "This report is of a meeting on %(report_day)s, but the event took place on %(event_day)s. "
            "Check that you chose the right event and the right file.",
            report_day=format_day(stray[0], "long"), event_day=format_day(event.local_days()[0], "long")))


def applied_import(event: Event) -> AttendanceImport | None:
    """The import whose rows are the event's attendance now, if any."""
    return db.session.scalar(sa.select(AttendanceImport).where(AttendanceImport.event_id == event.id,
                                                               AttendanceImport.state == "applied"))


@dataclass
class ImportStart:
    """What reading a report gave: a draft to review, or the import that already holds the same file."""

    draft: AttendanceImport
    unchanged: bool = False


def start_import(event: Event, filename: str, data: bytes, *, by: Any, max_bytes: int | None) -> ImportStart:
    """Read, check and match a report into a draft; nothing about attendance changes yet."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportRefused(_l("The file is larger than %(size)s MB. An attendance report is much smaller: "
                               "check that you chose the right file.", size=max_bytes // (1024 * 1024)))
    digest = hashlib.sha256(data).hexdigest()
    same = db.session.scalar(sa.select(AttendanceImport).where(
        AttendanceImport.event_id == event.id, AttendanceImport.sha256 == digest,
        AttendanceImport.state.in_(("applied", "draft"))).order_by(AttendanceImport.id.desc()).limit(1))
    if same is not None:
        return ImportStart(same, unchanged=same.state == "applied")
    try:
        report = parse_report(data)
    except ReportError as error:
        raise ImportRefused(error.message) from error
    _check_day(event, report.meeting_days())
    draft = AttendanceImport(event=event, tool=report.tool, filename=filename[:255], sha256=digest, size=len(data),
                             line_count=len(report.rows), state="draft", created_by_label=actor_label(by),
                             rows=match_participants(_add_up(report.rows)))
    db.session.add(draft)
    db.session.flush()
    return ImportStart(draft)


@dataclass(frozen=True)
class Decision:
    """What staff decided for one row: link it to a person, add a new person, or leave it out."""

    action: str  # "person", "email" (the person with that email), "new" or "ignore"
    person_id: int | None = None
    member_state_id: int | None = None
    email: str = ""
    #: Whether a person reviewed the row (then the match is certain); False for the command line's defaults.
    reviewed: bool = False


def default_decisions(draft: AttendanceImport, *, include_probable: bool = False) -> dict[int, Decision]:
    """Confident matches linked; probable ones too if asked; everything else left out."""
    decisions = {}
    for index, row in enumerate(draft.rows):
        wanted = row["category"] == "matched" or (include_probable and row["category"] == "probable")
        decisions[index] = Decision("person", row["person_id"]) if wanted else Decision("ignore")
    return decisions


@dataclass
class ImportResult:
    """What applying an import did."""

    attended: int = 0
    countries: int = 0
    added_people: int = 0
    replaced: AttendanceImport | None = None
    statuses_moved: list[str] = field(default_factory=list)


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name.strip() or "?", ""
    return " ".join(parts[:-1]), parts[-1]


def apply_import(draft: AttendanceImport, decisions: dict[int, Decision], *, by: Any,
                 how: str = "web", loaded_version: int | None = None) -> ImportResult:
    """Make the draft the event's attendance: it replaces an earlier import, keeps manual records."""
    if draft.state != "draft":
        raise EventRefused("import_done")
    check_version(draft, loaded_version)
    event = draft.event
    result = ImportResult()
    totals: dict[int, list[float]] = {}
    for index, row in enumerate(draft.rows):
        decision = decisions.get(index, Decision("ignore"))
        person_id = decision.person_id
        if decision.action == "email":
            person_id = db.session.scalar(sa.select(Person.id).where(sa.func.lower(Person.email) == decision.email,
                                                                     Person.erased_at.is_(None)))
            if person_id is None:
                raise EventRefused("no_such_email")
        elif decision.action == "new":
            person_id = _add_guest(row, decision, by=by, how=how).id
            result.added_people += 1
        elif decision.action != "person" or person_id is None:
            continue
        total = totals.setdefault(person_id, [0, 0, 1.0])
        total[0] += row["seconds"]
        total[1] += row["joins"]
        # A reviewed row, or a person other than the match, is certain; an unreviewed match keeps its score.
        certain = decision.reviewed or person_id != row["person_id"]
        total[2] = min(total[2], 1.0 if certain else row["confidence"] or 1.0)
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(totals)))}
    if len(people) != len(totals):
        raise EventRefused("unknown_person")
    result.replaced = applied_import(event)
    if result.replaced is not None:
        result.replaced.state = "replaced"
        db.session.execute(sa.delete(Attendance).where(Attendance.event_id == event.id, Attendance.source == "import"))
    manual = set(db.session.scalars(sa.select(Attendance.person_id).where(Attendance.event_id == event.id)))
    per_country: dict[int | None, int] = defaultdict(int)
    for person_id, (seconds, joins, confidence) in totals.items():
        per_country[people[person_id].member_state_id] += 1
        if person_id in manual:
            continue
        db.session.add(Attendance(event_id=event.id, person_id=person_id, seconds=int(seconds), joins=int(joins),
                                  member_state_id=people[person_id].member_state_id, source="import",
                                  import_id=draft.id, confidence=confidence))
    draft.state, draft.applied_at = "applied", utcnow()
    db.session.flush()
    result.attended = len(totals)
    result.countries = len([key for key in per_country if key is not None])
    record_event(action="import_attendance", entity_type="events", entity_id=event.id, by=by, how=how,
                 note=f"{draft.tool} report {draft.filename}: {result.attended} attended from {result.countries} "
                      f"countries" + (f", replacing import #{result.replaced.id}" if result.replaced else ""))
    for member_state_id, count in per_country.items():
        if member_state_id is not None:
            record_event(action="attended", entity_type="events", entity_id=event.id, by=by, how=how,
                         member_state_id=member_state_id, note=f"{count} at {event.title}")
    result.statuses_moved = _meet_milestone(event, set(per_country) - {None}, by=by, how=how)
    return result


def _add_guest(row: dict[str, Any], decision: Decision, *, by: Any, how: str) -> Person:
    """A participant nobody knew, added as a person of a member state."""
    email = (decision.email or row["email"]).strip().lower()
    if not email or "@" not in email:
        raise EventRefused("guest_needs_email")
    if decision.member_state_id is None or db.session.get(MemberState, decision.member_state_id) is None:
        raise EventRefused("guest_needs_country")
    existing = db.session.scalar(sa.select(Person).where(sa.func.lower(Person.email) == email))
    if existing is not None:
        return existing
    given, family = _split_name(row["name"])
    person = Person(given_name=given[:100], family_name=family[:100], email=email,
                    member_state_id=decision.member_state_id, preferred_language="en")
    db.session.add(person)
    record_change(person, by=by, action="create", how=how, note="added from an attendance report")
    return person


def _meet_milestone(event: Event, member_state_ids: set[int], *, by: Any, how: str) -> list[str]:
    """Attending the introductory meeting moves each represented country to that stage."""
    if event.kind != "introductory_meeting" or not member_state_ids:
        return []
    moved = []
    states = db.session.scalars(sa.select(MemberState).where(MemberState.id.in_(member_state_ids))
                                .order_by(MemberState.protocol_order))
    for state in states:
        if reach_status(event.campaign, state, "introductory_meeting_attended", by=by, how=how,
                        because=f"attended {event.title}"):
            moved.append(state.code)
    return moved


def discard_import(draft: AttendanceImport, *, by: Any) -> None:
    """Drop a draft that should not be applied (its personal data goes with it)."""
    if draft.state != "draft":
        raise EventRefused("import_done")
    draft.state, draft.rows = "discarded", []
    record_event(action="discard_import", entity_type="events", entity_id=draft.event_id, by=by,
                 note=f"import #{draft.id}")


def record_attendance(event: Event, person: Person, *, by: Any, minutes: int = 0) -> Attendance:
    """Staff note by hand that someone attended (kept when a report is imported again)."""
    found = db.session.scalar(sa.select(Attendance).where(Attendance.event_id == event.id,
                                                          Attendance.person_id == person.id))
    if found is not None:
        found.source, found.confidence = "manual", 1.0
        found.seconds = max(found.seconds, minutes * 60)
    else:
        found = Attendance(event_id=event.id, person_id=person.id, member_state_id=person.member_state_id,
                           seconds=minutes * 60, joins=1, source="manual", confidence=1.0)
        db.session.add(found)
    db.session.flush()
    record_event(action="attended", entity_type="events", entity_id=event.id, by=by,
                 member_state_id=person.member_state_id, note=f"{person.full_name} at {event.title} (recorded by hand)")
    if person.member_state_id is not None:
        _meet_milestone(event, {person.member_state_id}, by=by, how="web")
    return found


def remove_attendance(attendance: Attendance, *, by: Any) -> None:
    """Take back an attendance recorded by mistake (a milestone already met stays met)."""
    record_event(action="remove_attendance", entity_type="events", entity_id=attendance.event_id, by=by,
                 member_state_id=attendance.member_state_id, note=attendance.person.full_name)
    db.session.delete(attendance)
    db.session.flush()


def attendance_of(event: Event) -> list[Attendance]:
    """Who attended the event, by country and name."""
    return list(db.session.scalars(
        sa.select(Attendance).join(Person, Person.id == Attendance.person_id).where(Attendance.event_id == event.id)
        .options(selectinload(Attendance.person))
        .order_by(Attendance.member_state_id.is_(None), Attendance.member_state_id, Person.family_name, Person.id)))


@dataclass
class CampaignAttendance:
    """Which countries were represented at which event of a campaign."""

    events: list[Event]
    states: list[MemberState]
    #: (event id, member state id) -> number of people who attended.
    counts: dict[tuple[int, int], int]

    def represented(self, event: Event) -> int:
        """How many countries the event had someone from."""
        return sum(1 for (event_id, _state), n in self.counts.items() if event_id == event.id and n)

    def attended_by(self, state: MemberState) -> int:
        """At how many of the events the country was represented."""
        return sum(1 for (_event, state_id), n in self.counts.items() if state_id == state.id and n)

    @property
    def at_none(self) -> list[MemberState]:
        """Countries represented at none of the events."""
        return [state for state in self.states if not self.attended_by(state)]


def campaign_attendance(campaign: Campaign | None) -> CampaignAttendance:
    """The campaign's events that took place (not cancelled) against the 27 countries."""
    events = [e for e in events_of(campaign) if not e.is_cancelled and e.audience != "staff" and e.has_started()]
    states = list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))
    counts: dict[tuple[int, int], int] = {}
    if events:
        counts = {(event_id, state_id): n for event_id, state_id, n in db.session.execute(
            sa.select(Attendance.event_id, Attendance.member_state_id, sa.func.count())
            .where(Attendance.event_id.in_([e.id for e in events]), Attendance.member_state_id.is_not(None))
            .group_by(Attendance.event_id, Attendance.member_state_id))}
    return CampaignAttendance(events, states, counts)


@dataclass
class CountryEvent:
    """One event as a country sees it: who registered and who attended."""

    event: Event
    registered: list[Registration]
    attended: list[Attendance]


def country_events(campaign: Campaign | None, member_state: MemberState) -> list[CountryEvent]:
    """The campaign's events open to the country, with its registrations and attendance."""
    events = events_of(campaign, member_state_id=member_state.id, staff=False)
    ids = [event.id for event in events]
    registrations: dict[int, list[Registration]] = defaultdict(list)
    attendances: dict[int, list[Attendance]] = defaultdict(list)
    if ids:
        for registration in db.session.scalars(
                sa.select(Registration).where(Registration.event_id.in_(ids), Registration.member_state_id ==
                                              member_state.id, Registration.state != "cancelled")
                .options(selectinload(Registration.person))):
            registrations[registration.event_id].append(registration)
        for attendance in db.session.scalars(
                sa.select(Attendance).where(Attendance.event_id.in_(ids), Attendance.member_state_id == member_state.id)
                .options(selectinload(Attendance.person))):
            attendances[attendance.event_id].append(attendance)
    return [CountryEvent(event, registrations[event.id], attendances[event.id]) for event in events]


# -- calendar feeds ----------------------------------------------------------------------------

#: A feed's last use is written at most this often (calendar clients poll every few minutes).
_FEED_TOUCH = timedelta(hours=1)



def create_feed(user: User, *, member_state: MemberState | None, language: str, by: Any) -> tuple[CalendarFeed, str]:
    """A new secret feed address for the user (or one of the countries they may see); the token is returned once."""
    if member_state is not None and not user.can_see(member_state.id):
        raise EventRefused("not_invited")
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(token_hash=secret_hash(token), user_id=user.id, language=language,
                        member_state_id=member_state.id if member_state else None)
    db.session.add(feed)
    record_change(feed, by=by, action="create", changes={"member_state_id": [None, feed.member_state_id]})
    return feed, token


def feeds_of(user: User) -> list[CalendarFeed]:
    """The user's feeds, newest first."""
    return list(db.session.scalars(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id)
                                   .order_by(CalendarFeed.id.desc())))


def revoke_feed(feed: CalendarFeed, *, by: Any) -> None:
    """Stop a feed address from working."""
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        record_change(feed, by=by, action="revoke")


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed with this token (and an owner still allowed to log in), else None."""
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == secret_hash(token),
                                                           CalendarFeed.revoked_at.is_(None)))
    if feed is None:
        return None
    owner = db.session.get(User, feed.user_id)
    if owner is None or not owner.is_enabled:
        return None
    if feed.member_state_id is not None and not owner.can_see(feed.member_state_id):
        return None
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at > _FEED_TOUCH:
        feed.last_used_at = now
    return feed


@dataclass
class FeedContents:
    """What a feed shows: a name, events, and deadlines (with the country's extensions)."""

    name: str
    events: list[Event]
    deadlines: list[tuple[Any, datetime]]
    member_state_code: str | None


def feed_contents(feed: CalendarFeed) -> FeedContents:
    """Everything for a staff member's own feed, else one country's events and deadlines."""
    from tracker.countries.services import current_campaign

    owner = db.session.get(User, feed.user_id)
    state = feed.member_state or (owner.member_state if owner is not None and owner.is_contact_point else None)
    campaigns = list(db.session.scalars(sa.select(Campaign).where(Campaign.is_open).order_by(Campaign.starts_on)))
    latest = current_campaign()
    if latest is not None and latest not in campaigns:
        campaigns.append(latest)
    contents = FeedContents("Twin it!" + (f" – {state.name}" if state else ""), [], [], state.code if state else None)
    for campaign in campaigns:
        contents.events += events_of(campaign, member_state_id=state.id if state else None, staff=state is None)
        contents.deadlines += [(m, m.due_for(state) if state else m.due_at) for m in campaign.milestones]
    return contents


def calendar_url(token: str) -> str:
    """The absolute address of a feed."""
    return f"{current_app.config['BASE_URL']}/calendar/{token}.ics"
