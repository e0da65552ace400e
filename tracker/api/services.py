"""Tokens (create, revoke, find), the call log, and the read queries behind each API resource."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.api.models import ApiCall, ApiToken
from tracker.api.schemas import SCOPES
from tracker.appointments.models import Appointment
from tracker.audit.services import actor_label, record_change
from tracker.contacts.models import Person
from tracker.core.security import secret_hash
from tracker.core.time import BRUSSELS, brussels, utcnow
from tracker.countries.models import Campaign, MemberState
from tracker.countries.services import campaign_by_code, dashboard_rows
from tracker.events.models import Attendance, Event, Registration
from tracker.events.services import events_of
from tracker.extensions import db
from tracker.participation.models import Asset
from tracker.tickets.models import ACTIVE_STATUSES, Ticket
from tracker.tickets.models import STATUSES as TICKET_STATUSES

#: Every token's secret starts so, which makes a leaked one easy to recognise (and to search for).
TOKEN_PREFIX = "tt_"
#: The longest life a token may be given.
MAX_LIFETIME = timedelta(days=2 * 366)


class TokenRefused(Exception):
    """A token cannot be created as asked; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason



def end_of_day(day: date) -> datetime:
    """Midnight after `day` in Brussels, as aware UTC: a token "valid until 31 March" works all that day."""
    return brussels(day + timedelta(days=1), time(0))


def create_token(*, name: str, scopes: list[str], expires_on: date, member_state: MemberState | None, by: Any,
                 now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for a client; the secret is returned this once and only its hash is kept."""
    now = now or utcnow()
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if not name.strip() or not scopes or unknown:
        raise TokenRefused("scopes" if name.strip() else "name")
    if scopes == ["personal"]:
        raise TokenRefused("personal_alone")
    expires_at = end_of_day(expires_on)
    if expires_at <= now:
        raise TokenRefused("expired")
    if expires_at - now > MAX_LIFETIME:
        raise TokenRefused("too_long")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip(), token_hash=secret_hash(secret), prefix=secret[:10],
                     scopes=" ".join(scope for scope in SCOPES if scope in scopes),
                     member_state_id=member_state.id if member_state else None, expires_at=expires_at,
                     created_at=now, created_by_label=actor_label(by))
    db.session.add(token)
    db.session.flush()
    record_change(token, by=by, action="create", changes={
        "name": [None, token.name], "scopes": [None, token.scopes], "expires_at": [None, expires_at.isoformat()],
        "member_state_id": [None, token.member_state_id]})
    return token, secret


def revoke_token(token: ApiToken, *, by: Any, now: datetime | None = None) -> bool:
    """Stop a token from working at once; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at, token.revoked_by_label = now or utcnow(), actor_label(by)
    record_change(token, by=by, action="revoke", changes={"revoked_at": [None, token.revoked_at.isoformat()]})
    return True


def token_by_secret(secret: str) -> ApiToken | None:
    """The token with this secret, whatever its state, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == secret_hash(secret)))


def log_call(*, token_id: int | None, method: str, path: str, status: int, duration_ms: int,
             remote_addr: str) -> ApiCall:
    """Keep one line about a call to the API."""
    call = ApiCall(token_id=token_id, method=method[:10], path=path[:500], status=status,
                   duration_ms=max(0, duration_ms), remote_addr=(remote_addr or "")[:64], at=utcnow())
    db.session.add(call)
    db.session.flush()
    return call


@dataclass(frozen=True)
class TokenRow:
    """A token as the secretariat's list shows it."""

    token: ApiToken
    calls: int
    last_call_at: datetime | None


def list_tokens() -> list[TokenRow]:
    """Every token, the newest first, with how often and how lately it was used."""
    usage = {token_id: (count, last) for token_id, count, last in db.session.execute(
        sa.select(ApiCall.token_id, sa.func.count(), sa.func.max(ApiCall.at)).where(ApiCall.token_id.is_not(None))
        .group_by(ApiCall.token_id))}
    tokens = db.session.scalars(sa.select(ApiToken).options(selectinload(ApiToken.member_state))
                                .order_by(ApiToken.id.desc()))
    rows = []
    for token in tokens:
        count, last = usage.get(token.id, (0, None))
        rows.append(TokenRow(token, count, last))
    return rows


def calls_of(token: ApiToken, *, limit: int = 500) -> list[ApiCall]:
    """The token's latest calls, the newest first."""
    return list(db.session.scalars(sa.select(ApiCall).where(ApiCall.token_id == token.id)
                                   .order_by(ApiCall.at.desc(), ApiCall.id.desc()).limit(limit)))


# -- reading the campaign ----------------------------------------------------------------------


class NotFound(Exception):
    """What was asked for does not exist, or the token may not see it (the two are not told apart)."""


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and how many rows the whole list has."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the list has."""
        return -(-self.total // self.per_page)


def _page(items: list[Any], page: int, per_page: int) -> Page:
    start = (page - 1) * per_page
    return Page(items[start:start + per_page], len(items), page, per_page)


def _sql_page(query: sa.Select, page: int, per_page: int) -> Page:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total, page, per_page)


def campaign_for(code: str | None) -> Campaign:
    """The campaign asked for, or the current one."""
    campaign = campaign_by_code(code)
    if campaign is None:
        raise NotFound
    return campaign


def _codes() -> dict[int, str]:
    return dict(db.session.execute(sa.select(MemberState.id, MemberState.code)).tuples().all())


def _state_id(code: str | None, token: ApiToken) -> int | None:
    """The id of the country filtered on; NotFound when unknown or outside the token's country."""
    if code is None:
        return token.member_state_id
    state_id = db.session.scalar(sa.select(MemberState.id).where(MemberState.code == code))
    if state_id is None or (token.member_state_id is not None and state_id != token.member_state_id):
        raise NotFound
    return state_id


def _person(person: Person | None, token: ApiToken) -> dict[str, str] | None:
    if person is None or not token.has_scope("personal") or person.erased_at is not None:
        return None
    return {"given_name": person.given_name, "family_name": person.family_name, "email": person.email,
            "phone": person.phone}


def _words(text: str) -> list[str]:
    return [word for word in text.replace(",", " ").split() if word]


def country_rows(token: ApiToken, *, campaign: str | None, status: str | None = None,
                 overdue: bool | None = None, code: str | None = None) -> list[dict[str, Any]]:
    """The countries the token may see, each with its status, contact points and deadlines."""
    chosen = campaign_for(campaign)
    now = utcnow()
    only = _state_id(code, token) if code is not None else token.member_state_id
    codes = {m.id: m.code for m in chosen.milestones}
    result = []
    for row in dashboard_rows(chosen, today=now.astimezone(BRUSSELS).date(), now=now, only=only):
        if status is not None and row.status != status:
            continue
        if overdue is not None and bool(row.overdue) != overdue:
            continue
        state = row.member_state
        result.append({
            "code": state.code, "name": state.name, "protocol_order": state.protocol_order,
            "languages": state.language_list, "correspondence_language": state.correspondence_language,
            "ministry_name": state.ministry_name, "campaign": chosen.code, "status": row.status, "stage": row.stage,
            "contact_points": row.contact_points,
            "next_milestone": row.next_milestone.code if row.next_milestone else None, "next_due_at": row.next_due_at,
            "overdue_milestones": [m.code for m in row.overdue],
            "met_milestones": [codes[m] for m in sorted(row.met, key=lambda i: codes[i])],
        })
    return result


def countries(token: ApiToken, *, campaign: str | None, status: str | None, overdue: bool | None, page: int,
              per_page: int) -> Page:
    """One page of the countries the token may see."""
    return _page(country_rows(token, campaign=campaign, status=status, overdue=overdue), page, per_page)


def country(token: ApiToken, code: str, *, campaign: str | None) -> dict[str, Any]:
    """One country the token may see."""
    found = country_rows(token, campaign=campaign, code=code)
    if not found:
        raise NotFound
    return found[0]


def appointments(token: ApiToken, *, campaign: str | None, country: str | None, state: str | None,
                 kind: str | None, page: int, per_page: int) -> Page:
    """The campaign's appointments in protocol order; personal fields only with the "personal" scope."""
    chosen = campaign_for(campaign)
    state_id = _state_id(country, token)
    query = (sa.select(Appointment).join(MemberState, MemberState.id == Appointment.member_state_id)
             .where(Appointment.campaign_id == chosen.id)
             .options(selectinload(Appointment.person), selectinload(Appointment.organisation),
                      selectinload(Appointment.member_state))
             .order_by(MemberState.protocol_order, Appointment.kind != "primary", Appointment.id))
    if state_id is not None:
        query = query.where(Appointment.member_state_id == state_id)
    if state is not None:
        query = query.where(Appointment.state == state)
    if kind is not None:
        query = query.where(Appointment.kind == kind)
    found = _sql_page(query, page, per_page)
    items = [{
        "id": a.id, "campaign": chosen.code, "country": a.member_state.code, "kind": a.kind, "state": a.state,
        "organisation": a.organisation.name if a.organisation else None, "position": a.position,
        "languages": _words(a.languages), "since_on": a.since_on, "until_on": a.until_on,
        "requested_at": a.requested_at, "answered_at": a.answered_at, "person": _person(a.person, token),
    } for a in found.items]
    return Page(items, found.total, page, per_page)


def milestones(token: ApiToken, *, campaign: str | None, page: int, per_page: int) -> Page:
    """The campaign's deadlines with extensions, and which countries met them or are late."""
    chosen = campaign_for(campaign)
    now = utcnow()
    rows = dashboard_rows(chosen, today=now.astimezone(BRUSSELS).date(), now=now, only=token.member_state_id)
    visible = {row.member_state.id for row in rows}
    codes = _codes()
    items = []
    for milestone in chosen.milestones:
        items.append({
            "id": milestone.id, "campaign": chosen.code, "code": milestone.code, "name": milestone.name,
            "due_at": milestone.due_at,
            "extensions": [{"country": codes[e.member_state_id], "due_at": e.due_at}
                           for e in sorted(milestone.extensions, key=lambda e: codes[e.member_state_id])
                           if e.member_state_id in visible],
            "met_by": [row.member_state.code for row in rows if milestone.id in row.met],
            "overdue_for": [row.member_state.code for row in rows if milestone in row.overdue],
        })
    return _page(items, page, per_page)


def _visible_events(token: ApiToken, campaign: Campaign) -> list[Event]:
    if token.member_state_id is None:
        return [event for event in events_of(campaign) if event.audience != "staff"]
    return events_of(campaign, member_state_id=token.member_state_id, staff=False)


def _event_items(events: list[Event], token: ApiToken, campaign: Campaign) -> list[dict[str, Any]]:
    ids = [event.id for event in events]
    registered: Counter[tuple[int, str]] = Counter()
    attended: Counter[int] = Counter()
    represented: dict[int, set[int]] = {event_id: set() for event_id in ids}
    if ids:
        for event_id, state, count in db.session.execute(
                sa.select(Registration.event_id, Registration.state, sa.func.count())
                .where(Registration.event_id.in_(ids), *([Registration.member_state_id == token.member_state_id]
                                                          if token.member_state_id else []))
                .group_by(Registration.event_id, Registration.state)):
            registered[(event_id, state)] = count
        for event_id, state_id in db.session.execute(
                sa.select(Attendance.event_id, Attendance.member_state_id).where(
                    Attendance.event_id.in_(ids), *([Attendance.member_state_id == token.member_state_id]
                                                     if token.member_state_id else []))):
            attended[event_id] += 1
            if state_id is not None:
                represented[event_id].add(state_id)
    return [{
        "id": event.id, "campaign": campaign.code, "kind": event.kind, "title": event.title,
        "titles": {language: t.title for language, t in sorted(event.translations.items()) if t.title},
        "starts_at": event.starts_at, "ends_at": event.ends_at, "time_zone": event.time_zone,
        "online": bool(event.online_url), "audience": event.audience,
        "countries": sorted(state.code for state in event.member_states) if event.audience == "countries" else [],
        "capacity": event.capacity, "cancelled": event.is_cancelled,
        "registered": registered[(event.id, "registered")], "waiting": registered[(event.id, "waiting")],
        "attended": attended[event.id], "countries_represented": len(represented[event.id]),
    } for event in events]


def events(token: ApiToken, *, campaign: str | None, kind: str | None, starts_from: date | None,
           starts_until: date | None, cancelled: bool | None, page: int, per_page: int) -> Page:
    """The campaign's events the token may see, by start time, with registration and attendance figures."""
    chosen = campaign_for(campaign)
    found = []
    for event in _visible_events(token, chosen):
        day = event.starts_at.astimezone(BRUSSELS).date()
        if kind is not None and event.kind != kind:
            continue
        if (starts_from is not None and day < starts_from) or (starts_until is not None and day > starts_until):
            continue
        if cancelled is not None and event.is_cancelled != cancelled:
            continue
        found.append(event)
    shown = _page(found, page, per_page)
    return Page(_event_items(shown.items, token, chosen), shown.total, page, per_page)


def event(token: ApiToken, event_id: int) -> dict[str, Any]:
    """One event the token may see."""
    found = db.session.get(Event, event_id)
    if found is None:
        raise NotFound
    # The rule of _visible_events for one event, without loading the campaign's others.
    visible = found.audience != "staff" if token.member_state_id is None else found.is_for(token.member_state_id)
    if not visible:
        raise NotFound
    return _event_items([found], token, db.session.get(Campaign, found.campaign_id))[0]


def attendance(token: ApiToken, *, campaign: str | None, event: int | None, country: str | None,
               page: int, per_page: int) -> Page:
    """Who attended the campaign's events; names and addresses only with the "personal" scope."""
    chosen = campaign_for(campaign)
    state_id = _state_id(country, token)
    visible = [e.id for e in _visible_events(token, chosen)]
    if event is not None:
        if event not in visible:
            raise NotFound
        visible = [event]
    query = (sa.select(Attendance).where(Attendance.event_id.in_(visible))
             .options(selectinload(Attendance.person)).order_by(Attendance.event_id, Attendance.id))
    if state_id is not None:
        query = query.where(Attendance.member_state_id == state_id)
    found = _sql_page(query, page, per_page)
    codes = _codes()
    items = [{
        "id": a.id, "event_id": a.event_id, "country": codes.get(a.member_state_id) if a.member_state_id else None,
        "minutes": a.minutes, "joins": a.joins, "source": a.source, "person": _person(a.person, token),
    } for a in found.items]
    return Page(items, found.total, page, per_page)


def ticket_counts(token: ApiToken, *, country: str | None, opened_from: date | None, page: int,
                  per_page: int) -> Page:
    """Per country the token may see: its tickets by status (never their contents)."""
    state_id = _state_id(country, token)
    query = sa.select(Ticket.member_state_id, Ticket.status, sa.func.count()).group_by(Ticket.member_state_id,
                                                                                      Ticket.status)
    if state_id is not None:
        query = query.where(Ticket.member_state_id == state_id)
    if opened_from is not None:
        query = query.where(Ticket.created_at >= brussels(opened_from, time(0)))
    counts: dict[int, Counter[str]] = {}
    for member_state_id, status, count in db.session.execute(query):
        counts.setdefault(member_state_id, Counter())[status] = count
    states = db.session.execute(sa.select(MemberState.id, MemberState.code).order_by(MemberState.protocol_order)
                                .where(*([MemberState.id == state_id] if state_id is not None else [])))
    result = []
    for member_state_id, code in states:
        by_status = counts.get(member_state_id, Counter())
        result.append({"country": code, "total": sum(by_status.values()),
                       "by_status": {status: by_status[status] for status in TICKET_STATUSES},
                       "active": sum(by_status[status] for status in ACTIVE_STATUSES)})
    return _page(result, page, per_page)


def _asset_item(asset: Asset, codes: dict[int, str], campaign_code: str) -> dict[str, Any]:
    return {
        "id": asset.id, "campaign": campaign_code, "country": codes[asset.member_state_id], "title": asset.title,
        "title_language": asset.title_language, "title_en": asset.title_en, "institution": asset.institution,
        "priority_category": asset.priority_category, "reuse_intents": _words(asset.reuse_intents),
        "reuse_description": asset.reuse_description, "model_url": asset.model_url, "viewer_url": asset.viewer_url,
        "europeana_url": asset.europeana_url, "rights_statement": asset.rights_statement,
        "paradata_technique": asset.paradata_technique, "paradata_equipment": asset.paradata_equipment,
        "paradata_on": asset.paradata_on, "paradata_resolution": asset.paradata_resolution,
        "file_formats": _words(asset.file_formats), "file_size_mb": asset.file_size_mb,
        "metadata_languages": _words(asset.metadata_languages), "review_state": asset.review_state,
        "reviewed_at": asset.reviewed_at, "updated_at": asset.updated_at,
    }


def assets(token: ApiToken, *, campaign: str | None, country: str | None, review_state: str | None,
           page: int, per_page: int) -> Page:
    """The campaign's assets, by country."""
    chosen = campaign_for(campaign)
    state_id = _state_id(country, token)
    query = (sa.select(Asset).join(MemberState, MemberState.id == Asset.member_state_id)
             .where(Asset.campaign_id == chosen.id).order_by(MemberState.protocol_order, Asset.id))
    if state_id is not None:
        query = query.where(Asset.member_state_id == state_id)
    if review_state is not None:
        query = query.where(Asset.review_state == review_state)
    found = _sql_page(query, page, per_page)
    codes = _codes()
    return Page([_asset_item(a, codes, chosen.code) for a in found.items], found.total, page, per_page)


def asset(token: ApiToken, asset_id: int) -> dict[str, Any]:
    """One asset the token may see."""
    found = db.session.get(Asset, asset_id)
    if found is None or (token.member_state_id is not None and found.member_state_id != token.member_state_id):
        raise NotFound
    return _asset_item(found, _codes(), db.session.get(Campaign, found.campaign_id).code)
