"""Names of event kinds, audiences, registration states, match categories and refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "introductory_meeting": _l("Introductory meeting"),
    "webinar": _l("Webinar"),
    "cafe": _l("Café"),
    "final_event": _l("Final event"),
    "hackathon": _l("Hackathon"),
    "other": _l("Other event"),
}
AUDIENCE_LABELS = {
    "contact_points": _l("Contact points of every country"),
    "countries": _l("Contact points of some countries"),
    "staff": _l("Staff only"),
}
REGISTRATION_LABELS = {
    "registered": _l("Registered"),
    "waiting": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
}
CATEGORY_LABELS = {
    "matched": _l("Matched"),
    "probable": _l("Probable match"),
    "unmatched": _l("Not matched"),
    "organiser": _l("Organiser or staff"),
}
TOOL_LABELS = {
    "zoom": "Zoom",
    "teams": "Microsoft Teams",
    "webex": "Webex",
    "plain": _l("CSV with names and emails"),
}
IMPORT_STATE_LABELS = {
    "draft": _l("Waiting for review"),
    "applied": _l("Applied"),
    "replaced": _l("Replaced by a later file"),
    "discarded": _l("Discarded"),
}
REFUSALS = {
    "ends_before_start": _l("The event must end after it starts."),
    "no_countries": _l("Choose the countries the event is for."),
    "cancelled": _l("This event has been cancelled."),
    "started": _l("Registration closed when the event started."),
    "past": _l("The event has already begun: invitations are no longer sent."),
    "not_invited": _l("This event is not open to your country."),
    "already": _l("You are already registered."),
    "full": _l("The event is full."),
    "not_registered": _l("There is no registration to cancel."),
    "import_done": _l("This import was already applied or discarded."),
    "unknown_person": _l("One of the people chosen no longer exists. Reload the page and try again."),
    "no_such_email": _l("Nobody in the tracker has the email address typed. Check it, or add the participant as a new person."),
    "guest_needs_email": _l("Give an email address to add a participant as a new person."),
    "guest_needs_country": _l("Choose the country of the new person."),
    "no_person": _l("Your account is not linked to a contact point, so it cannot be registered."),
}


def time_span(start: datetime, end: datetime, zone: str) -> str:
    """When an event runs, in one zone: "22 Sept 2025, 10:00–11:30 CEST" (both days if it spans several)."""
    from tracker.core.i18n import format_day, zoned_time

    first, last = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    if first.date() != last.date():
        return f"{zoned_time(start, zone)} – {zoned_time(end, zone)}"
    return f"{format_day(first.date())}, {first:%H:%M}–{last:%H:%M} {first:%Z}"


def event_times(event: Any, zone: str | None = None) -> list[str]:
    """The event's time in Brussels, at the venue and in the reader's zone, each once, each labelled."""
    lines = [_l("%(when)s (Brussels time)", when=time_span(event.starts_at, event.ends_at, "Europe/Brussels"))]
    brussels_offset = event.starts_at.astimezone(ZoneInfo("Europe/Brussels")).utcoffset()
    shown = {brussels_offset}
    if event.starts_at.astimezone(event.zone).utcoffset() not in shown:
        lines.append(_l("%(when)s (local time at the venue)", when=time_span(event.starts_at, event.ends_at,
                                                                             event.time_zone)))
        shown.add(event.starts_at.astimezone(event.zone).utcoffset())
    if zone and event.starts_at.astimezone(ZoneInfo(zone)).utcoffset() not in shown:
        lines.append(_l("%(when)s (your time)", when=time_span(event.starts_at, event.ends_at, zone)))
    return [str(line) for line in lines]
