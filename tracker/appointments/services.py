"""Appointments: carry-over, asking to confirm, answers by link or on paper (flush, never commit)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from tracker.appointments.models import HOLDING_STATES, OPEN_STATES, Appointment
from tracker.audit.services import record_change
from tracker.contacts.models import Organisation, Person
from tracker.contacts.services import DuplicateEmail, create_person
from tracker.core.i18n import mail_language
from tracker.core.models import check_version
from tracker.core.time import BRUSSELS, utcnow
from tracker.core.urls import absolute_url
from tracker.countries.models import Campaign, MemberState, Milestone
from tracker.extensions import db
from tracker.files.services import store_upload
from tracker.mail.models import OutboxMessage
from tracker.mail.services import queue_email
from tracker.participation.services import reach_status

#: The milestone confirmed appointments meet.
MILESTONE = "contact_points_confirmed"
#: Asking the same person again within this time does nothing (a double click, two staff at once).
REQUEST_COOLDOWN = timedelta(minutes=10)


class AppointmentRefused(ValueError):
    """A change the rules do not allow; `reason` says which rule."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        #: already_appointed, other_country, duplicate_email, primary_taken, not_awaiting, not_proposed,
        #: not_open, no_previous_campaign
        self.reason = reason
        self.details = details


def today_in_brussels(now: datetime | None = None) -> date:
    """The calendar day in Brussels."""
    return (now or utcnow()).astimezone(BRUSSELS).date()


# -- who holds the role ------------------------------------------------------------------------

def _in_office_clause(day: date):
    return sa.and_(
        Appointment.state == "confirmed",
        sa.or_(Appointment.since_on.is_(None), Appointment.since_on <= day),
        sa.or_(Appointment.until_on.is_(None), Appointment.until_on >= day),
    )


def current_contact_points(
    member_state_ids: list[int], day: date, *, campaign_id: int, include_awaiting: bool = False,
) -> dict[int, list[Person]]:
    """The contact points in office on `day` per member state, primary first (and those asked to confirm)."""
    condition = _in_office_clause(day)
    if include_awaiting:
        condition = sa.or_(condition, Appointment.state == "awaiting_confirmation")
    rows = db.session.execute(
        sa.select(Appointment.member_state_id, Person)
        .join(Person, Person.id == Appointment.person_id)
        .where(Appointment.campaign_id == campaign_id, Appointment.member_state_id.in_(member_state_ids), condition)
        .order_by(Appointment.member_state_id, Appointment.kind.desc(), Person.family_name, Person.id)
    ).all()
    found: dict[int, list[Person]] = {}
    for member_state_id, person in rows:
        people = found.setdefault(member_state_id, [])
        if person not in people:
            people.append(person)
    return found


def count_contact_points(day: date, *, campaign_id: int | None) -> dict[int, int]:
    """How many confirmed contact points are in office on `day` for the campaign, per member state."""
    if campaign_id is None:
        return {}
    return dict(db.session.execute(
        sa.select(Appointment.member_state_id, sa.func.count(sa.distinct(Appointment.person_id)))
        .where(Appointment.campaign_id == campaign_id, _in_office_clause(day))
        .group_by(Appointment.member_state_id)
    ).all())


def appointments_of(campaign: Campaign, member_state: MemberState | None = None) -> list[Appointment]:
    """The appointments of a campaign (of one country), primary first, open before closed."""
    query = (
        sa.select(Appointment).where(Appointment.campaign_id == campaign.id)
        .options(selectinload(Appointment.person), selectinload(Appointment.organisation))
        .order_by(Appointment.member_state_id, Appointment.kind.desc(), Appointment.id)
    )
    if member_state is not None:
        query = query.where(Appointment.member_state_id == member_state.id)
    return list(db.session.scalars(query))


def appointments_of_person(person: Person) -> list[Appointment]:
    """Every appointment a person has held or been proposed for, newest first."""
    return list(db.session.scalars(
        sa.select(Appointment).where(Appointment.person_id == person.id).order_by(Appointment.id.desc())
    ))


# -- appointing --------------------------------------------------------------------------------

def _check_can_appoint(campaign: Campaign, member_state: MemberState, person: Person) -> None:
    if person.member_state_id not in (None, member_state.id):
        raise AppointmentRefused("other_country", country=person.member_state.code if person.member_state else "")
    clash = db.session.scalar(
        sa.select(Appointment).where(
            Appointment.campaign_id == campaign.id, Appointment.person_id == person.id,
            Appointment.state.in_(OPEN_STATES),
        ).limit(1)
    )
    if clash is not None:
        if clash.member_state_id != member_state.id:
            raise AppointmentRefused("other_country", country=clash.member_state.code)
        raise AppointmentRefused("already_appointed")


def _check_primary_free(campaign_id: int, member_state_id: int, *, but: Appointment | None = None) -> None:
    holder = db.session.scalar(
        sa.select(Appointment.id).where(
            Appointment.campaign_id == campaign_id, Appointment.member_state_id == member_state_id,
            Appointment.kind == "primary", Appointment.state.in_(HOLDING_STATES),
            Appointment.id != (but.id if but is not None and but.id else 0),
        ).limit(1)
    )
    if holder is not None:
        raise AppointmentRefused("primary_taken")


def organisation_named(member_state: MemberState, name: str, kind: str, *, by: Any, how: str) -> Organisation | None:
    """The country's organisation with this name, added if new (None for an empty name)."""
    name = " ".join(name.split())[:200]
    if not name:
        return None
    found = db.session.scalar(
        sa.select(Organisation).where(Organisation.member_state_id == member_state.id,
                                      sa.func.lower(Organisation.name) == name.lower())
    )
    if found is None:
        found = Organisation(name=name, kind=kind if kind in ("ministry", "institution") else "institution",
                             member_state_id=member_state.id)
        db.session.add(found)
        record_change(found, by=by, action="create", how=how)
    return found


def person_for(member_state: MemberState, values: dict[str, Any], *, by: Any, how: str) -> Person:
    """The person with this email, or a new one of this country; refuses someone of another country."""
    email = values["email"].strip().lower()
    person = db.session.scalar(sa.select(Person).where(Person.email == email))
    if person is not None:
        if person.member_state_id not in (None, member_state.id):
            raise AppointmentRefused("other_country", country=person.member_state.code if person.member_state else "")
        return person
    try:
        return create_person({
            "given_name": values["given_name"], "family_name": values["family_name"], "email": email,
            "phone": values.get("phone") or "", "member_state_id": member_state.id,
            "organisation_id": values.get("organisation_id"),
            "preferred_language": values.get("preferred_language") or member_state.correspondence_language,
        }, by=by, how=how)
    except DuplicateEmail as exc:  # pragma: no cover - raced with another writer
        raise AppointmentRefused("duplicate_email") from exc


def appoint(
    campaign: Campaign, member_state: MemberState, person: Person, *, kind: str, state: str, by: Any,
    how: str = "web", organisation: Organisation | None = None, position: str = "", languages: str = "",
    since_on: date | None = None, proposed_by: Appointment | None = None, replaces: Appointment | None = None,
    carried_from: Appointment | None = None, note: str = "",
) -> Appointment:
    """Appoint `person` for a country; refuses a second primary and someone appointed elsewhere."""
    _check_can_appoint(campaign, member_state, person)
    if kind == "primary" and state in HOLDING_STATES:
        _check_primary_free(campaign.id, member_state.id)
    if person.member_state_id is None:
        person.member_state_id = member_state.id
    appointment = Appointment(
        campaign=campaign, member_state=member_state, person=person, kind=kind, state=state,
        organisation=organisation or person.organisation, position=position.strip(), languages=languages,
        since_on=since_on if since_on is not None else (today_in_brussels() if state == "confirmed" else None),
        proposed_by=proposed_by, replaces=replaces, carried_from=carried_from, note=note,
    )
    if state == "confirmed":
        appointment.answered_at, appointment.answered_how = utcnow(), how
    db.session.add(appointment)
    record_change(appointment, by=by, action="create", how=how, note=note)
    return appointment


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The campaign that ran before `campaign` (Part I before Part II)."""
    return db.session.scalar(
        sa.select(Campaign).where(Campaign.starts_on < campaign.starts_on, Campaign.part > 0)
        .order_by(Campaign.starts_on.desc()).limit(1)
    )


def carry_over(campaign: Campaign, *, by: Any, how: str = "web", source: Campaign | None = None) -> list[Appointment]:
    """Make the previous campaign's contact points "awaiting confirmation" for `campaign`; adds nothing twice."""
    source = source or previous_campaign(campaign)
    if source is None:
        raise AppointmentRefused("no_previous_campaign")
    already = set(db.session.scalars(sa.select(Appointment.person_id).where(Appointment.campaign_id == campaign.id)))
    primaries = set(db.session.scalars(
        sa.select(Appointment.member_state_id).where(
            Appointment.campaign_id == campaign.id, Appointment.kind == "primary",
            Appointment.state.in_(HOLDING_STATES))
    ))
    created = []
    for old in appointments_of(source):
        if old.state != "confirmed" or old.person_id in already or old.person.erased_at is not None:
            continue
        kind = old.kind
        if kind == "primary":
            if old.member_state_id in primaries:
                kind = "alternate"
            primaries.add(old.member_state_id)
        created.append(appoint(
            campaign, old.member_state, old.person, kind=kind, state="awaiting_confirmation", by=by, how=how,
            organisation=old.organisation, position=old.position, languages=old.languages, carried_from=old,
        ))
        already.add(old.person_id)
    return created


# -- asking to confirm, by link ----------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="tracker-appointment")


def make_link_token(appointment: Appointment) -> str:
    """A signed token for the appointment's personal link, bound to its current state."""
    return _serializer().dumps({"a": appointment.id, "n": appointment.link_nonce})


def link_max_age() -> timedelta:
    """How long a confirmation link works."""
    return timedelta(days=current_app.config["APPOINTMENT_LINK_MAX_AGE_DAYS"])


@dataclass
class LinkCheck:
    """What a link points at and whether it may still act."""

    #: "ok" (may act), "used" (the appointment moved on), "expired" or "invalid".
    status: str
    appointment: Appointment | None = None


def check_link(token: str, *, allow_expired: bool = False) -> LinkCheck:
    """Read a confirmation link: forged and unknown links are invalid; old ones expired or used."""
    try:
        data = _serializer().loads(token, max_age=None if allow_expired else int(link_max_age().total_seconds()))
    except SignatureExpired:
        data = _serializer().loads(token)  # the signature is good: find out which appointment it was
        appointment = db.session.get(Appointment, data.get("a")) if isinstance(data, dict) else None
        if appointment is None:
            return LinkCheck("invalid")
        return LinkCheck("expired" if appointment.link_nonce == data.get("n") else "used", appointment)
    except BadSignature:
        return LinkCheck("invalid")
    if not isinstance(data, dict):
        return LinkCheck("invalid")
    appointment = db.session.get(Appointment, data.get("a"))
    if appointment is None or appointment.person.erased_at is not None:
        return LinkCheck("invalid")
    if appointment.link_nonce != data.get("n") or appointment.state != "awaiting_confirmation":
        return LinkCheck("used", appointment)
    return LinkCheck("ok", appointment)


def _deadline(appointment: Appointment) -> datetime | None:
    milestone = db.session.scalar(
        sa.select(Milestone).where(Milestone.campaign_id == appointment.campaign_id, Milestone.code == MILESTONE)
    )
    return milestone.due_for(appointment.member_state) if milestone is not None else None


def _queue_request(appointment: Appointment, *, cc_permrep: bool, key: str) -> OutboxMessage:
    person, state = appointment.person, appointment.member_state
    token = make_link_token(appointment)
    deadline = _deadline(appointment)
    return queue_email(
        key=key,
        to=[(person.full_name, person.email)],
        cc=[state.permrep_mailbox] if cc_permrep and state.permrep_mailbox else [],
        template="appointments/emails/confirmation_request",
        language=mail_language(person.preferred_language, state.correspondence_language),
        kind="notification",
        member_state_id=state.id,
        sensitive=True,
        appointment=appointment, person=person, member_state=state, campaign=appointment.campaign,
        deadline=deadline if deadline is not None and deadline > utcnow() else None,
        link=absolute_url("appointments.respond", token=token),
        expires_on=today_in_brussels(utcnow() + link_max_age()),
    )


@dataclass
class RequestResult:
    """What one "ask to confirm" did."""

    asked: list[Appointment] = field(default_factory=list)
    #: Asked less than REQUEST_COOLDOWN ago: not asked again.
    recently_asked: list[Appointment] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)


def awaiting_confirmation(campaign: Campaign, member_state: MemberState | None = None) -> list[Appointment]:
    """The appointments of a campaign still to be confirmed (of one country)."""
    return [a for a in appointments_of(campaign, member_state) if a.state == "awaiting_confirmation"]


def request_confirmation(appointments: list[Appointment], *, cc_permrep: bool, by: Any, how: str = "web") -> RequestResult:
    """Email each person awaiting confirmation their personal link, in their language, through the outbox."""
    now = utcnow()
    result = RequestResult()
    for appointment in appointments:
        if appointment.state != "awaiting_confirmation":
            continue
        if appointment.requested_at is not None and now - appointment.requested_at < REQUEST_COOLDOWN:
            result.recently_asked.append(appointment)
            continue
        appointment.request_count += 1
        appointment.requested_at = now
        key = f"appointment-request:{appointment.id}:{appointment.link_nonce}:{appointment.request_count}"
        result.messages.append(_queue_request(appointment, cc_permrep=cc_permrep, key=key))
        record_change(appointment, by=by, action="request_confirmation", how=how,
                      note="Permanent Representation in copy" if cc_permrep else "")
        result.asked.append(appointment)
    return result


def send_new_link(appointment: Appointment) -> OutboxMessage | None:
    """Email a fresh link to the address on record when an unused link expired (once a day at most)."""
    if appointment.state != "awaiting_confirmation":
        return None
    key = f"appointment-renew:{appointment.id}:{appointment.link_nonce}:{today_in_brussels().isoformat()}"
    return _queue_request(appointment, cc_permrep=False, key=key)


# -- answers -----------------------------------------------------------------------------------

#: Details a contact point may correct when confirming.
PERSON_DETAILS = ("given_name", "family_name", "phone", "preferred_language")


def _moved_on(appointment: Appointment) -> None:
    appointment.link_nonce += 1


def _apply_details(appointment: Appointment, details: dict[str, Any], *, by: Any, how: str) -> None:
    person = appointment.person
    for key in PERSON_DETAILS:
        if key in details and details[key] is not None:
            setattr(person, key, details[key].strip())
    if details.get("email"):
        email = details["email"].strip().lower()
        if email != person.email:
            if db.session.scalar(sa.select(Person.id).where(Person.email == email, Person.id != person.id)):
                raise AppointmentRefused("duplicate_email")
            person.email = email
    record_change(person, by=by, how=how)
    if "organisation_name" in details:
        organisation = organisation_named(appointment.member_state, details["organisation_name"] or "",
                                          details.get("organisation_kind") or "institution", by=by, how=how)
        if organisation is not None:
            appointment.organisation = organisation
            person.organisation = organisation
    for key in ("position", "languages"):
        if key in details and details[key] is not None:
            setattr(appointment, key, details[key].strip())


def confirm_appointment(
    appointment: Appointment, *, by: Any, how: str, details: dict[str, Any] | None = None, note: str = "",
    on: date | None = None,
) -> None:
    """The person takes the role (by link, or as recorded by the secretariat)."""
    if appointment.state not in ("awaiting_confirmation", "proposed"):
        raise AppointmentRefused("not_awaiting")
    if appointment.kind == "primary":
        _check_primary_free(appointment.campaign_id, appointment.member_state_id, but=appointment)
    if details:
        _apply_details(appointment, details, by=by, how=how)
    appointment.state = "confirmed"
    appointment.since_on = appointment.since_on or on or today_in_brussels()
    appointment.answered_at, appointment.answered_how = utcnow(), how
    if note:
        appointment.note = note
    _moved_on(appointment)
    record_change(appointment, by=by, action="confirm", how=how, note=note)
    reach_status(appointment.campaign, appointment.member_state, "contact_points_confirmed", by=by, how=how,
                 because="contact point confirmed")


def decline_appointment(appointment: Appointment, *, by: Any, how: str, reason: str = "") -> None:
    """The person does not take the role."""
    if appointment.state not in ("awaiting_confirmation", "proposed"):
        raise AppointmentRefused("not_awaiting")
    appointment.state = "declined"
    appointment.note = reason.strip()
    appointment.answered_at, appointment.answered_how = utcnow(), how
    _moved_on(appointment)
    record_change(appointment, by=by, action="decline", how=how, note=reason.strip())


def _proposal(
    appointment: Appointment, values: dict[str, Any], *, kind: str, replaces: Appointment | None, by: Any, how: str,
) -> Appointment:
    state = appointment.member_state
    organisation = organisation_named(state, values.get("organisation_name") or "", "institution", by=by, how=how)
    person = person_for(state, {**values, "organisation_id": organisation.id if organisation else None,
                                "preferred_language": values.get("preferred_language")}, by=by, how=how)
    return appoint(appointment.campaign, state, person, kind=kind, state="proposed", by=by, how=how,
                   organisation=organisation, proposed_by=appointment, replaces=replaces)


def propose_alternate(appointment: Appointment, values: dict[str, Any], *, by: Any, how: str) -> Appointment:
    """The holder proposes an alternate contact point; it takes effect once accepted."""
    proposal = _proposal(appointment, values, kind="alternate", replaces=None, by=by, how=how)
    if current_app.config["APPOINTMENT_PROPOSALS_AUTO_ACCEPT"]:
        accept_proposal(proposal, by="automatic acceptance", how=how)
    return proposal


def propose_replacement(appointment: Appointment, values: dict[str, Any], *, by: Any, how: str) -> Appointment:
    """The person asks to be replaced by someone else; it takes effect once accepted."""
    if appointment.state not in ("awaiting_confirmation", "confirmed"):
        raise AppointmentRefused("not_open")
    proposal = _proposal(appointment, values, kind=appointment.kind, replaces=appointment, by=by, how=how)
    appointment.answered_at, appointment.answered_how = utcnow(), how
    _moved_on(appointment)
    record_change(appointment, by=by, action="propose_replacement", how=how)
    if current_app.config["APPOINTMENT_PROPOSALS_AUTO_ACCEPT"]:
        accept_proposal(proposal, by="automatic acceptance", how=how)
    return proposal


def pending_replacement(appointment: Appointment) -> Appointment | None:
    """A proposal, still to be accepted, to replace `appointment`."""
    return db.session.scalar(
        sa.select(Appointment).where(Appointment.replaces_id == appointment.id, Appointment.state == "proposed")
        .limit(1)
    )


def accept_proposal(proposal: Appointment, *, by: Any, how: str = "web", cc_permrep: bool = False) -> None:
    """Accept a proposed alternate or replacement: the new person is asked to confirm by their own link."""
    if proposal.state != "proposed":
        raise AppointmentRefused("not_proposed")
    old = proposal.replaces
    if old is not None and old.state in OPEN_STATES:
        old.state, old.replaced_by = "replaced", proposal
        old.until_on = today_in_brussels()
        _moved_on(old)
        record_change(old, by=by, action="replace", how=how)
        db.session.flush()  # the old primary lets go before the new one takes the place
    if proposal.kind == "primary":
        _check_primary_free(proposal.campaign_id, proposal.member_state_id, but=proposal)
    proposal.state = "awaiting_confirmation"
    _moved_on(proposal)
    record_change(proposal, by=by, action="accept", how=how)
    request_confirmation([proposal], cc_permrep=cc_permrep, by=by, how=how)


def reject_proposal(proposal: Appointment, *, by: Any, note: str = "") -> None:
    """Turn down a proposed alternate or replacement; the proposer keeps their appointment."""
    if proposal.state != "proposed":
        raise AppointmentRefused("not_proposed")
    proposal.state, proposal.note = "ended", note.strip()
    _moved_on(proposal)
    record_change(proposal, by=by, action="reject", note=note.strip())


def end_appointment(appointment: Appointment, *, by: Any, until_on: date, note: str = "") -> None:
    """End an appointment (the person left, the ministry withdrew it)."""
    if not appointment.is_open:
        raise AppointmentRefused("not_open")
    appointment.state, appointment.note = "ended", note.strip() or appointment.note
    appointment.until_on = max(until_on, appointment.since_on or until_on)
    _moved_on(appointment)
    record_change(appointment, by=by, action="end", note=note.strip())


def update_appointment(appointment: Appointment, values: dict[str, Any], *, loaded_version: int | None, by: Any) -> None:
    """Change an appointment's kind, organisation, position, languages or dates."""
    check_version(appointment, loaded_version)
    if values.get("until_on") and values.get("since_on") and values["until_on"] < values["since_on"]:
        raise AppointmentRefused("until_before_since")
    if values.get("kind") == "primary" and appointment.kind != "primary" and appointment.state in HOLDING_STATES:
        _check_primary_free(appointment.campaign_id, appointment.member_state_id, but=appointment)
    for key in ("kind", "organisation_id", "position", "languages", "since_on", "until_on"):
        if key in values:
            setattr(appointment, key, values[key].strip() if isinstance(values[key], str) else values[key])
    record_change(appointment, by=by)


def record_reply(
    appointment: Appointment, *, outcome: str, how: str, received_on: date, note: str, by: Any,
    upload: tuple[BinaryIO, str] | None = None,
) -> None:
    """Record an answer received by email, letter or phone, with a note and the file received."""
    text = note.strip()
    if outcome == "confirmed":
        confirm_appointment(appointment, by=by, how=how, note=text, on=received_on)
    else:
        decline_appointment(appointment, by=by, how=how, reason=text)
    if upload is not None:
        stored = store_upload(upload[0], upload[1], member_state_id=appointment.member_state_id,
                              entity_type="appointments", entity_id=appointment.id, by=by)
        record_change(appointment, by=by, action="attach", how=how, changes={"file": [None, stored.filename]},
                      note=f"received on {received_on.isoformat()}")


# -- the account a confirmed contact point may set up -----------------------------------------

def account_after_confirmation(appointment: Appointment) -> tuple[Any, str | None]:
    """The person's account, created without a password if none exists, and a link token to set one.

    Returns (user, token); token is None when the account already has a password or cannot be made.
    """
    from tracker.accounts.models import Role, User
    from tracker.accounts.services import make_link_token as make_account_token

    person = appointment.person
    user = db.session.scalar(sa.select(User).where(sa.or_(User.person_id == person.id, User.email == person.email)))
    if user is None:
        language = person.preferred_language
        user = User(email=person.email, role=Role.CONTACT_POINT.value, member_state_id=appointment.member_state_id,
                    person_id=person.id, display_name=person.full_name,
                    locale=language if language in current_app.config["UI_LANGUAGES"] else None)
        db.session.add(user)
        record_change(user, by=f"{person.email} (link)", action="create", how="link")
    if user.password_hash or not user.is_enabled or user.member_state_id != appointment.member_state_id:
        return user, None
    return user, make_account_token(user, "invitation")


# -- the overview ------------------------------------------------------------------------------

#: A country's appointment state, from its appointments (first match wins).
COUNTRY_STATES = ("confirmed", "awaiting_confirmation", "proposed", "declined", "none")


@dataclass
class CountryAppointments:
    """One country's line in the overview."""

    member_state: MemberState
    appointments: list[Appointment]
    state: str
    deadline: datetime | None
    days_left: int | None

    @property
    def primary(self) -> Appointment | None:
        """The primary contact point holding or asked to take the role."""
        return next((a for a in self.appointments if a.kind == "primary" and a.state in HOLDING_STATES), None)

    @property
    def open(self) -> list[Appointment]:
        """The appointments still in play."""
        return [a for a in self.appointments if a.is_open]

    @property
    def not_answered(self) -> bool:
        """Asked, and nobody of the country has answered yet."""
        asked = [a for a in self.appointments if a.requested_at is not None]
        return bool(asked) and all(a.answered_at is None for a in self.appointments if a.state in HOLDING_STATES)

    @property
    def last_requested_at(self) -> datetime | None:
        """When the secretariat last asked this country."""
        moments = [a.requested_at for a in self.appointments if a.requested_at is not None]
        return max(moments) if moments else None


def country_state(appointments: list[Appointment]) -> str:
    """Where a country stands: confirmed, awaiting confirmation, proposed, declined or none."""
    states = {a.state for a in appointments}
    for state in COUNTRY_STATES[:-1]:
        if state in states:
            return state
    return "none"


def overview(campaign: Campaign, *, now: datetime | None = None) -> list[CountryAppointments]:
    """The 27 countries with their appointments, state and days left to confirm."""
    now = now or utcnow()
    states = list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))
    by_state: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in appointments_of(campaign):
        by_state[appointment.member_state_id].append(appointment)
    milestone = next((m for m in campaign.milestones if m.code == MILESTONE), None)
    today = today_in_brussels(now)
    rows = []
    for state in states:
        appointments = by_state.get(state.id, [])
        deadline = milestone.due_for(state) if milestone is not None else None
        days_left = (deadline.astimezone(BRUSSELS).date() - today).days if deadline is not None else None
        rows.append(CountryAppointments(state, appointments, country_state(appointments), deadline, days_left))
    return rows


# -- exports -----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "country", "kind", "state", "given_name", "family_name", "email", "phone", "organisation", "position",
    "languages", "since", "until", "asked_at", "times_asked", "answered_at", "answered_how", "note",
)


def export_rows(campaign: Campaign, member_state: MemberState | None = None) -> list[list[Any]]:
    """One row per appointment of the campaign (of one country), in protocol order (tracker.core.exports
    neutralises the cells)."""
    order = {s.id: s.protocol_order for s in db.session.scalars(sa.select(MemberState))}
    rows = []
    for a in sorted(appointments_of(campaign, member_state), key=lambda a: (order[a.member_state_id], a.kind != "primary", a.id)):
        person = a.person
        rows.append([
            a.member_state.code, a.kind, a.state, person.given_name, person.family_name, person.email, person.phone,
            a.organisation.name if a.organisation else "", a.position, a.languages,
            a.since_on.isoformat() if a.since_on else "", a.until_on.isoformat() if a.until_on else "",
            a.requested_at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") if a.requested_at else "",
            a.request_count,
            a.answered_at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") if a.answered_at else "",
            a.answered_how, a.note,
        ])
    return rows
