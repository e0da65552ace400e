"""iCalendar (RFC 5545) files: one event's .ics and the feeds of events and deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.core.time import BRUSSELS
from tracker.events.models import Event

PRODID = "-//Twin it! 3D for Europe's culture//tracker//EN"


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _finish(calendar: icalendar.Calendar, moments: list[date]) -> bytes:
    """Add a VTIMEZONE for each zone used (only the years needed, to keep the file small)."""
    if moments:
        calendar.add_missing_timezones(first_date=date(min(moments).year - 1, 1, 1),
                                       last_date=date(max(moments).year + 2, 1, 1))
    return calendar.to_ical()


def event_component(event: Event, *, language: str, url: str) -> icalendar.Event:
    """The VEVENT of an event: stable UID, DTSTAMP of its last change, times in its own zone."""
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", event.updated_at)
    component.add("created", event.created_at)
    component.add("last-modified", event.updated_at)
    component.add("sequence", event.sequence)
    component.add("dtstart", event.starts_at.astimezone(event.zone))
    component.add("dtend", event.ends_at.astimezone(event.zone))
    component.add("summary", event.title_in(language))
    description = event.description_in(language)
    if event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    component.add("description", f"{description}\n\n{url}".strip())
    location = event.venue.strip() or event.online_url
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    component.add("transp", "OPAQUE")
    return component


def event_calendar(event: Event, *, language: str, url: str) -> bytes:
    """One event as an .ics file (attached to invitations, downloadable from its page)."""
    calendar = _calendar(event.title_in(language))
    calendar.add_component(event_component(event, language=language, url=url))
    return _finish(calendar, [event.starts_at.date(), event.ends_at.date()])


def deadline_component(milestone: Any, due_at: datetime, *, member_state_code: str | None, language: str,
                       url: str) -> icalendar.Event:
    """A deadline as an all-day entry on its day in Brussels, with a UID stable per milestone and country."""
    from tracker.countries.labels import milestone_label

    day = due_at.astimezone(BRUSSELS).date()
    component = icalendar.Event()
    component.add("uid", f"milestone-{milestone.id}-{(member_state_code or 'all').lower()}@twin-it-tracker")
    component.add("dtstamp", milestone.updated_at)
    component.add("last-modified", milestone.updated_at)
    component.add("dtstart", day)
    component.add("dtend", day + timedelta(days=1))
    with force_locale(language):
        component.add("summary", _("Deadline: %(milestone)s", milestone=milestone_label(milestone)))
    component.add("url", url)
    component.add("transp", "TRANSPARENT")
    return component


def feed_calendar(name: str, events: Iterable[Event], deadlines: Iterable[tuple[Any, datetime]], *, language: str,
                  base_url: str, member_state_code: str | None) -> bytes:
    """A calendar feed: the events and the deadlines (with the country's extensions) in one file."""
    calendar = _calendar(name)
    moments: list[date] = []
    for event in events:
        calendar.add_component(event_component(event, language=language, url=f"{base_url}/events/{event.id}"))
        moments += [event.starts_at.date(), event.ends_at.date()]
    for milestone, due_at in deadlines:
        page = f"{base_url}/countries/{member_state_code}" if member_state_code else f"{base_url}/"
        calendar.add_component(deadline_component(milestone, due_at, member_state_code=member_state_code,
                                                  language=language, url=page))
    return _finish(calendar, moments)
