"""Events: planning, invitations with an .ics in each recipient's language, registration with a waiting
list, calendars and feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import user_by_email
from tracker.contacts.models import Person
from tracker.countries.models import Campaign, MemberState
from tracker.events import services
from tracker.events.calendars import event_calendar
from tracker.events.models import CalendarFeed, Event, EventInvitation
from tracker.extensions import db
from tracker.mail.models import OutboxAttachment, OutboxMessage
from tracker.mail.services import relay_outbox

BRUSSELS = ZoneInfo("Europe/Brussels")
#: "Now" in these tests: before the events they plan.
NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def _campaign() -> Campaign:
    return db.session.scalar(sa.select(Campaign).where(Campaign.code == "twinit-2"))


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _person(email: str) -> Person:
    return db.session.scalar(sa.select(Person).where(Person.email == email))


def _secretariat():
    return user_by_email("secretariat@demo.test")


def _plan(*, capacity: int | None = None, waiting: bool = False, audience: str = "contact_points",
          countries: tuple[str, ...] = (), day: date = date(2026, 3, 10), zone: str = "Europe/Brussels") -> Event:
    values = {
        "kind": "webinar", "title": "Webinar on glTF", "description": "How to export glTF files.",
        "starts_at": datetime.combine(day, time(10, 0), tzinfo=ZoneInfo(zone)),
        "ends_at": datetime.combine(day, time(11, 30), tzinfo=ZoneInfo(zone)), "time_zone": zone,
        "online_url": "https://meet.demo.test/gltf", "venue": "", "audience": audience, "capacity": capacity,
        "has_waiting_list": waiting,
    }
    event = services.create_event(_campaign(), values, member_states=[_state(c) for c in countries],
                                  by=_secretariat())
    db.session.flush()
    return event


def _registration_mail(person: Person) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.idempotency_key.like("event-registration:%"), OutboxMessage.recipients.contains(person.email))
        .order_by(OutboxMessage.id)))


# -- registration ------------------------------------------------------------------------------


def test_places_then_waiting_list_then_the_first_waiting_moves_up(app):
    with time_machine.travel(NOW, tick=False):
        event = _plan(capacity=2, waiting=True)
        maria, anna, camille, eszter = (_person(e) for e in (
            "maria.tamm@ee.demo.test", "anna.becker@de.demo.test", "camille.martin@fr.demo.test",
            "eszter.nagy@hu.demo.test"))
        assert services.register(event, maria, by=maria.email).state == "registered"
        assert services.register(event, anna, by=anna.email).state == "registered"
        assert services.register(event, camille, by=camille.email).state == "waiting"
        assert services.register(event, eszter, by=eszter.email).state == "waiting"
        with pytest.raises(services.EventRefused) as refused:
            services.register(event, camille, by=camille.email)
        assert refused.value.reason == "already"

        promoted = services.cancel_registration(services.registration_of(event, anna), by=anna.email)

        assert promoted is not None and promoted.person == camille and promoted.state == "registered"
        states = {r.person.email: r.state for r in services.registrations_of(event)}
        assert states == {maria.email: "registered", camille.email: "registered", eszter.email: "waiting",
                          anna.email: "cancelled"}
        # Camille is told twice, in French: on the waiting list, then that a place is hers.
        subjects = [m.subject for m in _registration_mail(camille)]
        assert len(subjects) == 2 and all(m.language == "fr" for m in _registration_mail(camille))
        assert subjects[0].startswith("Liste d") and "glTF" in subjects[1]
        # Anna registers again: she goes to the back of the queue.
        assert services.register(event, anna, by=anna.email).state == "waiting"


def test_a_full_event_without_waiting_list_refuses_and_registration_closes_at_the_start(app):
    with time_machine.travel(NOW, tick=False):
        event = _plan(capacity=1)
        services.register(event, _person("maria.tamm@ee.demo.test"), by="test")
        with pytest.raises(services.EventRefused) as refused:
            services.register(event, _person("anna.becker@de.demo.test"), by="test")
        assert refused.value.reason == "full"
    with time_machine.travel(event.starts_at + timedelta(minutes=1), tick=False):
        with pytest.raises(services.EventRefused) as refused:
            services.register(event, _person("camille.martin@fr.demo.test"), by="test")
        assert refused.value.reason == "started"


def test_more_places_admit_the_waiting_list_in_order(app):
    with time_machine.travel(NOW, tick=False):
        event = _plan(capacity=1, waiting=True)
        people = [_person(e) for e in ("maria.tamm@ee.demo.test", "anna.becker@de.demo.test",
                                       "camille.martin@fr.demo.test")]
        for person in people:
            services.register(event, person, by="test")
        services.update_event(event, {"capacity": 2}, member_states=[], by=_secretariat())
        states = [services.registration_of(event, p).state for p in people]
        assert states == ["registered", "registered", "waiting"]


def test_an_event_for_some_countries_refuses_the_others(app, client, login_as):
    with time_machine.travel(NOW, tick=False):
        event = _plan(audience="countries", countries=("EE", "LV", "LT"))
        db.session.commit()
        with pytest.raises(services.EventRefused):
            services.register(event, _person("camille.martin@fr.demo.test"), by="test")
        login_as("cp_other")  # France: the event does not exist for it
        assert client.get(f"/events/{event.id}").status_code == 404
        assert client.get(f"/events/{event.id}.ics").status_code == 404
        assert client.post(f"/events/{event.id}/register").status_code == 404
        login_as("cp_own")
        assert client.get(f"/events/{event.id}").status_code == 200
        response = client.post(f"/events/{event.id}/register")
        assert response.status_code == 302
        registration = services.registration_of(event, _person("maria.tamm@ee.demo.test"))
        assert registration is not None and registration.state == "registered"
        # Another country's contact point cannot cancel it: 404, not 403.
        login_as("cp_other")
        assert client.post(f"/registrations/{registration.id}/cancel").status_code == 404
        assert registration.state == "registered"


# -- invitations -------------------------------------------------------------------------------


def test_invitations_in_each_language_with_brussels_and_local_time_and_an_ics(app, smtp_server):
    with time_machine.travel(NOW, tick=False):
        event = _plan(audience="countries", countries=("EE", "FR", "PT"))
        services.set_translation(event, "fr", title="Webinaire sur glTF", description="Exporter en glTF.",
                                 by=_secretariat())
        sent = services.send_invitations(event, by=_secretariat(), base_url="http://localhost")
        db.session.commit()
        assert sent >= 3
        assert services.send_invitations(event, by=_secretariat(), base_url="http://localhost") == 0
        rows = list(db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.idempotency_key.like(f"event-invitation:{event.id}:%"))))
        relay_outbox(ids=[row.id for row in rows])

    received = {message["To"].addresses[0].addr_spec: message for message in smtp_server.messages}
    camille = received["camille.martin@fr.demo.test"]
    assert camille["Subject"] == "Invitation : Webinaire sur glTF"
    assert camille["Content-Language"] == "fr"
    text = camille.get_body(("plain",)).get_content()
    assert "10:00–11:30 CET" in text and "heure de Bruxelles" in text
    # Estonia is an hour ahead, Portugal an hour behind: each sees their own time too.
    estonian = received["maria.tamm@ee.demo.test"].get_body(("plain",)).get_content()
    assert "10:00–11:30 CET" in estonian and "11:00–12:30 EET" in estonian
    portuguese = received["ines.ferreira@pt.demo.test"].get_body(("plain",)).get_content()
    assert "09:00–10:30 WET" in portuguese

    [attachment] = list(camille.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_param("method") == "PUBLISH"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event.uid and str(vevent["SUMMARY"]) == "Webinaire sur glTF"
    assert vevent.decoded("DTSTART") == datetime(2026, 3, 10, 10, 0, tzinfo=BRUSSELS)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]


def test_a_new_time_sends_an_updated_invitation_with_a_higher_sequence(app):
    with time_machine.travel(NOW, tick=False):
        event = _plan(audience="countries", countries=("EE",))
        first = services.send_invitations(event, by=_secretariat(), base_url="http://localhost")
        services.update_event(event, {"description": "Slides added."}, member_states=[_state("EE")],
                              by=_secretariat())
        assert event.sequence == 0  # no new time or place: calendars need no update
        assert services.send_invitations(event, by=_secretariat(), base_url="http://localhost") == 0
        services.update_event(event, {"starts_at": event.starts_at + timedelta(hours=1),
                                      "ends_at": event.ends_at + timedelta(hours=1)},
                              member_states=[_state("EE")], by=_secretariat())
        assert event.sequence == 1
        again = services.send_invitations(event, by=_secretariat(), base_url="http://localhost")
        assert again == first
        updated = db.session.scalar(sa.select(OutboxMessage).where(
            OutboxMessage.idempotency_key.like(f"event-invitation:{event.id}:1:%")).limit(1))
        assert updated.subject.startswith(("Uuendatud", "Updated"))
        ics = db.session.scalar(sa.select(OutboxAttachment).where(OutboxAttachment.message_id == updated.id)).data
        assert b"SEQUENCE:1" in ics and b"DTSTART;TZID=Europe/Brussels:20260310T110000" in ics
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EventInvitation)
                                 .where(EventInvitation.event_id == event.id)) == first * 2


def test_cancelling_tells_those_registered_and_the_ics_says_cancelled(app):
    with time_machine.travel(NOW, tick=False):
        event = _plan()
        maria = _person("maria.tamm@ee.demo.test")
        services.register(event, maria, by="test")
        told = services.cancel_event(event, by=_secretariat())
        assert [r.person for r in told] == [maria]
        assert any("cancelled_event" in m.idempotency_key for m in _registration_mail(maria))
        calendar = icalendar.Calendar.from_ical(event_calendar(event, language="en", url="http://localhost/e"))
        [vevent] = calendar.walk("VEVENT")
        assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 1
        with pytest.raises(services.EventRefused):
            services.register(event, _person("anna.becker@de.demo.test"), by="test")


# -- calendars and feeds -----------------------------------------------------------------------


def test_an_event_ics_is_stable_and_valid(app):
    event = _plan(zone="Asia/Nicosia")
    first = event_calendar(event, language="en", url="http://localhost/events/1")
    assert first == event_calendar(event, language="en", url="http://localhost/events/1")
    calendar = icalendar.Calendar.from_ical(first)
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    [vevent] = calendar.walk("VEVENT")
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert required in vevent
    assert vevent.decoded("DTSTART").tzinfo is not None
    assert vevent.decoded("DTSTART").astimezone(UTC) == event.starts_at
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Nicosia"]
    assert b"\r\n" in first and all(len(line) <= 75 for line in first.split(b"\r\n"))


def test_a_country_feed_holds_its_events_and_its_extended_deadlines_and_can_be_revoked(app, client, login_as):
    user = login_as("cp_own")
    staff_only = _plan(audience="staff")
    for_latvia = _plan(audience="countries", countries=("LV",))
    db.session.commit()
    response = client.post("/calendar/feeds", data={"member_state": "EE", "language": "et"})
    assert response.status_code == 200
    url = response.get_data(as_text=True).split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    path = url.replace("http://localhost", "")
    assert db.session.scalar(sa.select(CalendarFeed.token_hash).where(CalendarFeed.user_id == user.id)) not in url

    login_as(None)  # calendar clients do not log in: the token is the key
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(feed.data)
    uids = {str(v["UID"]) for v in calendar.walk("VEVENT")}
    assert staff_only.uid not in uids and for_latvia.uid not in uids
    assert "demo-event-3@twin-it-tracker" in uids  # the introductory meeting
    summaries = {str(v["SUMMARY"]) for v in calendar.walk("VEVENT")}
    assert "Sissejuhatav kohtumine" in summaries  # the Estonian title
    deadlines = {str(v["UID"]): v for v in calendar.walk("VEVENT") if str(v["UID"]).startswith("milestone-")}
    assert deadlines and all(uid.endswith("-ee@twin-it-tracker") for uid in deadlines)
    assert client.get(path).data.replace(b"\r\n ", b"") == feed.data.replace(b"\r\n ", b"")  # stable

    login_as("cp_own")
    feed_row = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    assert client.post(f"/calendar/feeds/{feed_row.id}/revoke").status_code == 302
    login_as(None)
    assert client.get(path).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_feed_stops_when_its_owner_is_disabled_and_a_contact_point_cannot_feed_another_country(app, client,
                                                                                                 login_as):
    user = login_as("cp_own")
    response = client.post("/calendar/feeds", data={"member_state": "FR", "language": "en"})
    assert response.status_code == 200 and b"Not a valid choice" in response.data
    feed, token = services.create_feed(user, member_state=None, language="en", by=user)
    db.session.commit()
    login_as(None)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    user.is_enabled = False
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    with pytest.raises(services.EventRefused):
        services.create_feed(user, member_state=_state("FR"), language="en", by=user)


# -- pages -------------------------------------------------------------------------------------


def test_the_secretariat_plans_an_event_and_a_bad_form_keeps_what_was_typed(app, client, login_as):
    login_as("secretariat")
    bad = client.post("/events/new", data={"kind": "cafe", "title": "3D Café", "starts": "2026-03-10T10:00",
                                           "ends": "2026-03-10T09:00", "time_zone": "Europe/Brussels",
                                           "audience": "countries"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "The event must end after it starts." in page and "Choose the countries the event is for." in page
    assert 'value="3D Café"' in page
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    good = client.post("/events/new", data={"kind": "cafe", "title": "3D Café", "starts": "2026-03-10T10:00",
                                            "ends": "2026-03-10T11:00", "time_zone": "Europe/Athens",
                                            "audience": "contact_points", "capacity": "20",
                                            "has_waiting_list": "y"})
    assert good.status_code == 302
    event = db.session.scalar(sa.select(Event).order_by(Event.id.desc()).limit(1))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == count + 1
    assert event.starts_at == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 10:00 in Athens
    shown = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "10 Mar 2026, 09:00–10:00 CET (Brussels time)" in shown
    assert "10:00–11:00 EET (local time at the venue)" in shown


def test_the_country_page_lists_events_with_registrations_and_attendance(app, client, login_as):
    login_as("cp_own")
    page = client.get("/countries/EE").get_data(as_text=True)
    assert 'id="country-events"' in page and "Sissejuhatav kohtumine" not in page  # English interface
    assert "Introductory meeting" in page and "Maria Tamm" in page


def test_the_campaign_view_shows_which_countries_were_at_none(app, client, login_as):
    login_as("viewer")
    page = client.get("/events/attendance").get_data(as_text=True)
    table = services.campaign_attendance(_campaign())
    assert {s.code for s in table.at_none} == {"HU", "LV", "MT", "PL", "RO", "SE", "SI", "SK"}
    assert "8 countries were represented at none of these events" in page
    intro = next(e for e in table.events if e.kind == "introductory_meeting")
    assert table.represented(intro) == 19


def test_the_secretariat_registers_someone_and_records_attendance_from_the_event_page(app, client, login_as):
    import re

    with time_machine.travel(NOW, tick=False):
        login_as("secretariat")
        event = _plan()
        db.session.commit()
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
        ids = re.findall(r' id="([^"]+)"', page)
        assert len(ids) == len(set(ids)), "two forms on the page give a field the same id"
        anna = _person("anna.becker@de.demo.test")
        assert client.post(f"/events/{event.id}/register", data={"register-person_id": anna.id}).status_code == 302
        assert services.registration_of(event, anna).state == "registered"
        response = client.post(f"/events/{event.id}/attendance",
                               data={"attended-person_id": anna.id, "attended-minutes": "45"})
        assert response.status_code == 302
        [attended] = services.attendance_of(event)
        assert (attended.person_id, attended.minutes, attended.source) == (anna.id, 45, "manual")
