"""What a contact point receives (emails, calendar entries, the letters' emails), in each of the 24 languages."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import LOGINS, user_by_email
from tests.english import english_left
from tracker.accounts.services import request_password_reset
from tracker.appointments.services import awaiting_confirmation, request_confirmation
from tracker.contacts.models import Person
from tracker.countries.models import MemberState, Milestone
from tracker.countries.services import current_campaign
from tracker.events import services as events
from tracker.events.calendars import deadline_component
from tracker.extensions import db
from tracker.letters.services import issue_letters, send_letter
from tracker.mail.models import OutboxMessage
from tracker.mail.services import relay_outbox
from tracker.reminders.services import send_due_reminders
from tracker.tickets.models import Ticket
from tracker.tickets.services import reply

LANGUAGES = ("bg", "es", "cs", "da", "de", "et", "el", "fr", "ga", "hr", "it",
             "lv", "lt", "hu", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "fi", "sv")  # fmt: skip
TAGS = re.compile(r"<(style|head)\b.*?</\1>|<[^>]+>", re.DOTALL)


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _readable(message) -> str:
    """Subject, plain text and the HTML part's text of a received email."""
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            parts.append(part.get_content())
        elif part.get_content_type() == "text/html":
            parts.append(html_lib.unescape(TAGS.sub(" ", part.get_content())))
    return "\n".join(parts)


def test_the_english_detector_finds_english_and_spares_names(app):
    """The check the language tests rely on: English is found, names and other languages are not."""
    name = user_by_email(LOGINS["cp_own"]).display_name
    assert english_left(f"Tere tulemast, {name}! Eesti", "et") == []
    assert english_left("Salvesta. Your preferences are saved.", "et") != []  # an English message
    assert english_left("Sulge. Please check the dates", "et") != []  # a stray English word
    assert english_left("Die Frist ist abgelaufen; Sie will es wissen, was zu tun ist", "de") == []


#: On PostgreSQL, three languages (two other scripts, five plural forms); the other twenty once, in the SQLite run.
MAILED = [language if language in ("el", "bg", "ga") else pytest.param(language, marks=pytest.mark.once)
          for language in LANGUAGES]


@pytest.mark.parametrize("language", MAILED)
def test_everything_a_contact_point_receives_is_in_their_language(app, smtp_server, language):
    """Confirmation request, event invitation with its calendar entry, service-desk reply, password reset,
    reminder and a letter's email, all through the outbox to a real SMTP server, in `language`."""
    estonia = _state("EE")
    estonia.correspondence_language = language
    people = list(db.session.scalars(sa.select(Person).where(Person.member_state_id == estonia.id)))
    for person in people:
        person.preferred_language = language
    cp = user_by_email(LOGINS["cp_own"])
    cp.locale = None  # the person's language decides
    secretariat = user_by_email(LOGINS["secretariat"])
    campaign = current_campaign()
    db.session.flush()

    with time_machine.travel(datetime(2026, 4, 2, 8, 0, tzinfo=UTC), tick=False):
        send_due_reminders()  # Estonia has no confirmed contact point: the reminder goes to its mailbox
    request_confirmation(awaiting_confirmation(campaign, estonia), cc_permrep=True, by="test")
    webinar = events.create_event(campaign, {
        "kind": "webinar", "title": "Webinar on glTF", "description": "",
        "starts_at": datetime.combine(date(2027, 3, 10), time(10, 0), tzinfo=ZoneInfo("Europe/Brussels")),
        "ends_at": datetime.combine(date(2027, 3, 10), time(11, 30), tzinfo=ZoneInfo("Europe/Brussels")),
        "time_zone": "Europe/Brussels", "online_url": "https://meet.demo.test/gltf", "venue": "",
        "audience": "countries", "capacity": None, "has_waiting_list": False,
    }, member_states=[estonia], by=secretariat)
    events.set_translation(webinar, language, title=f"glTF ({language})", description="", by=secretariat)
    events.send_invitations(webinar, by=secretariat, base_url="http://localhost")
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.member_state_id == estonia.id, Ticket.status != "closed")
                              .order_by(Ticket.id))
    reply(ticket, by=secretariat, body="glTF 2.0 ✓")
    request_password_reset(cp.email)
    [letter] = issue_letters("invitation", campaign, [estonia], by=secretariat)
    send_letter(letter, by=secretariat)
    db.session.commit()

    rows = list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.status == "queued",
        sa.or_(OutboxMessage.member_state_id == estonia.id, OutboxMessage.recipients.contains(cp.email)))))
    relay_outbox(ids=[row.id for row in rows])

    kinds = {row.kind for row in rows}
    assert {"reminder", "account"} <= kinds and len(rows) >= 6, kinds
    assert {row.language for row in rows} == {language}
    problems = []
    for message in smtp_server.messages:
        assert message["Content-Language"] == language
        for hit in english_left(_readable(message), language):
            problems.append(f"{message['Subject']}: {hit}")
        for attachment in message.iter_attachments():
            if attachment.get_content_type() == "text/calendar":
                [vevent] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
                assert str(vevent["SUMMARY"]) == f"glTF ({language})"
    assert problems == [], "\n".join(problems)

    # A deadline in the calendar feed: "Deadline: …" in the reader's language.
    milestone = db.session.scalar(sa.select(Milestone).where(Milestone.code == "asset_submitted")
                                  .where(Milestone.campaign_id == campaign.id))
    entry = deadline_component(milestone, datetime(2026, 5, 15, 15, 0, tzinfo=UTC), member_state_code="EE",
                               language=language, url="http://localhost/countries/EE")
    summary = str(entry["SUMMARY"])
    english = deadline_component(milestone, datetime(2026, 5, 15, 15, 0, tzinfo=UTC), member_state_code="EE",
                                 language="en", url="http://localhost/countries/EE")
    assert summary != str(english["SUMMARY"]) and english_left(summary, language) == []
    assert entry.decoded("DTSTART") == date(2026, 5, 15) and entry.decoded("DTEND") - timedelta(days=1) == date(2026, 5, 15)
