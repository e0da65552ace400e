"""The demo campaign: reference data, both campaigns, invented people and demo logins.

Every function is idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tracker.accounts.models import Role, User
from tracker.accounts.services import hash_password
from tracker.appointments.models import Appointment
from tracker.appointments.services import carry_over, confirm_appointment, decline_appointment, propose_replacement
from tracker.audit.models import AuditEntry
from tracker.audit.services import record_change
from tracker.contacts.models import Organisation, Person, PersonRole
from tracker.core.text import ascii_slug
from tracker.core.time import BRUSSELS, brussels, utcnow
from tracker.countries.models import Campaign, MemberState, Milestone, Presidency
from tracker.countries.reference import MEMBER_STATES
from tracker.countries.services import grant_extension
from tracker.demo.people import DEMO_ORGANISATIONS, DEMO_PEOPLE
from tracker.extensions import db
from tracker.participation.models import Asset, Participation
from tracker.reminders.services import apply_default_ladder, steps_of

DEMO_PASSWORD = "demo-password"
ACTOR = "demo loader"

#: The demo logins: (email, role, country code or None, display name).
DEMO_LOGINS = (
    ("secretariat@demo.test", Role.SECRETARIAT, None, "Demo Secretariat"),
    ("viewer@demo.test", Role.VIEWER, None, "Demo Viewer (DG CONNECT)"),
    ("cp.ee@demo.test", Role.CONTACT_POINT, "EE", ""),
    ("cp.fr@demo.test", Role.CONTACT_POINT, "FR", ""),
    ("cp.el@demo.test", Role.CONTACT_POINT, "EL", ""),
)

CAMPAIGNS = (
    {
        "code": "twinit-1", "name": "Twin it! 3D for Europe's culture – Part I", "part": 1,
        "starts_on": date(2023, 6, 21), "ends_on": date(2024, 6, 30), "is_open": False,
        "presidencies": (("SE", date(2023, 1, 1), date(2023, 6, 30)), ("ES", date(2023, 7, 1), date(2023, 12, 31)),
                         ("BE", date(2024, 1, 1), date(2024, 6, 30))),
        "milestones": (
            ("kick_off", "Campaign kick-off", date(2023, 6, 21), time(10, 0)),
            ("asset_submitted", "Asset submitted", date(2024, 3, 29), time(17, 0)),
            ("final_event", "Final event in Brussels", date(2024, 5, 14), time(9, 0)),
        ),
    },
    {
        "code": "twinit-2", "name": "Twin it! 3D for Europe's culture – Part II", "part": 2,
        "starts_on": date(2025, 8, 21), "ends_on": date(2026, 6, 30), "is_open": True,
        "presidencies": (("PL", date(2025, 1, 1), date(2025, 6, 30)), ("DK", date(2025, 7, 1), date(2025, 12, 31)),
                         ("CY", date(2026, 1, 1), date(2026, 6, 30))),
        "milestones": (
            ("contact_points_confirmed", "Contact points confirmed", date(2025, 9, 15), time(17, 0)),
            ("introductory_meeting", "Introductory meeting", date(2025, 9, 22), time(10, 0)),
            ("asset_submitted", "Asset submitted", date(2026, 3, 31), time(17, 0)),
            ("final_event", "Final event (Cypriot Presidency)", date(2026, 5, 19), time(9, 0)),
        ),
    },
)

#: Countries whose Part II primary contact point has confirmed in the demo (Estonia has not:
#: the tour asks it to confirm).
PART2_CONFIRMED = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EL", "ES", "FI", "FR", "HR", "IE",
                   "IT", "LT", "LU", "NL", "PT"}
#: Of those, the countries whose alternate has confirmed too.
PART2_ALTERNATE_CONFIRMED = {"AT", "BE", "CZ", "DE", "DK", "ES", "FI", "FR", "IT", "NL"}
#: A country whose primary proposed a replacement (an invented person), and one whose primary declined.
PART2_REPLACEMENT = ("SK", ("Tomáš", "Hrnčiar", "sk"))
PART2_DECLINED = ("RO", "Moved to another ministry.")


def _get_or_add(model, lookup: dict, values: dict):
    """The row matching `lookup`, created with `values` (and audited) if missing."""
    row = db.session.scalar(sa.select(model).filter_by(**lookup))
    if row is None:
        row = model(**lookup, **values)
        db.session.add(row)
        db.session.flush()
        if hasattr(row, "audit_member_state_id"):
            record_change(row, by=ACTOR, action="create", how="cli")
    return row


def load_member_states() -> dict[str, MemberState]:
    """The 27 member states with their ministry and Permanent Representation."""
    states = {}
    for ref in MEMBER_STATES:
        states[ref.code] = _get_or_add(MemberState, {"code": ref.code}, {
            "name": ref.name, "protocol_order": ref.protocol_order, "languages": " ".join(ref.languages),
            "correspondence_language": ref.correspondence_language, "ministry_name": ref.ministry_name,
            "ministry_address": ref.ministry_address, "permrep_name": ref.permrep_name,
            "permrep_address": ref.permrep_address,
            # Invented mailbox: demo mail must never reach a real Permanent Representation.
            "permrep_mailbox": f"permrep.{ref.code.lower()}@demo.test",
        })
    return states


def load_campaigns(states: dict[str, MemberState]) -> dict[str, Campaign]:
    """Part I (closed) and Part II (open) with their presidencies and milestones."""
    campaigns = {}
    for spec in CAMPAIGNS:
        campaign = _get_or_add(Campaign, {"code": spec["code"]}, {
            key: spec[key] for key in ("name", "part", "starts_on", "ends_on", "is_open")
        })
        for code, starts_on, ends_on in spec["presidencies"]:
            _get_or_add(Presidency, {"campaign_id": campaign.id, "member_state_id": states[code].id},
                        {"starts_on": starts_on, "ends_on": ends_on})
        for code, name, day, at in spec["milestones"]:
            _get_or_add(Milestone, {"campaign_id": campaign.id, "code": code},
                        {"name": name, "due_at": brussels(day, at)})
        campaigns[spec["code"]] = campaign
    return campaigns


def load_people(states: dict[str, MemberState], campaigns: dict[str, Campaign]) -> dict[str, Person]:
    """Three invented people per country, with their organisations and roles."""
    first_of_country = {}
    part1 = campaigns["twinit-1"]
    for code, people in DEMO_PEOPLE.items():
        state = states[code]
        ministry = _get_or_add(Organisation, {"member_state_id": state.id, "name": state.ministry_name},
                               {"kind": "ministry"})
        institutions = [
            _get_or_add(Organisation, {"member_state_id": state.id, "name": name}, {"kind": "institution"})
            for name in DEMO_ORGANISATIONS[code]
        ]
        for index, (given, family, language) in enumerate(people):
            email = f"{ascii_slug(given)}.{ascii_slug(family)}@{code.lower()}.demo.test"
            person = _get_or_add(Person, {"email": email}, {
                "given_name": given, "family_name": family, "member_state_id": state.id,
                "organisation_id": (ministry if index == 0 else institutions[index - 1]).id,
                "preferred_language": language, "phone": f"+000 {100 + state.protocol_order} {1000 + index}",
            })
            if index == 0:
                first_of_country[code] = person
            if index in (0, 1):
                _get_or_add(Appointment, {"person_id": person.id, "campaign_id": part1.id}, {
                    "member_state_id": state.id, "kind": "primary" if index == 0 else "alternate",
                    "state": "confirmed", "since_on": date(2023, 6, 1), "until_on": date(2024, 6, 30),
                    "organisation_id": person.organisation_id, "languages": language,
                    "answered_how": "letter", "answered_at": brussels(date(2023, 6, 1), time(12, 0)),
                })
            else:
                _get_or_add(PersonRole, {"person_id": person.id, "campaign_id": None, "kind": "institution_expert"},
                            {"member_state_id": state.id, "since_on": date(2024, 1, 1), "until_on": None})
    return first_of_country


#: Where each country stands in Part II in the demo (the others are "invited").
DEMO_STATUSES = {
    "submitted": ("CZ", "DK", "FI", "NL"),
    "submission_in_progress": ("DE", "EE", "FR", "IT"),
    "asset_selected": ("AT", "ES", "LU", "PT"),
    "introductory_meeting_attended": ("BE", "BG", "CY", "EL", "HR", "IE", "LT"),
}
#: A country the demo shows as paused (it gets no reminders).
DEMO_PAUSED = ("MT", "Reorganisation of the ministry; resumes in the spring.")
#: Countries given a later asset deadline, three weeks and a few days after the demo is loaded,
#: so that the reminder calendar has something planned whenever the demo is tried.
DEMO_EXTENDED = ("AT", "LU")
DEMO_EXTENSION_DAYS = 24


def load_participation(states: dict[str, MemberState], campaigns: dict[str, Campaign]) -> None:
    """Part II statuses, the default reminder ladders, and two extensions."""
    part2 = campaigns["twinit-2"]
    status_of = {code: status for status, codes in DEMO_STATUSES.items() for code in codes}
    for code, state in states.items():
        status, reason = status_of.get(code, "invited"), ""
        if code == DEMO_PAUSED[0]:
            status, reason = "paused", DEMO_PAUSED[1]
        _get_or_add(Participation, {"campaign_id": part2.id, "member_state_id": state.id},
                    {"status": status, "reason": reason})
    milestones = {m.code: m for m in part2.milestones}
    ladder_from = brussels(part2.starts_on, time(0, 0))
    for code in ("contact_points_confirmed", "asset_submitted"):
        if not steps_of(milestones[code]):
            apply_default_ladder(milestones[code], by=ACTOR, active_from_at=ladder_from)
    asset = milestones["asset_submitted"]
    for code in DEMO_EXTENDED:
        if not any(extension.member_state_id == states[code].id for extension in asset.extensions):
            due = brussels(utcnow().astimezone(BRUSSELS).date() + timedelta(days=DEMO_EXTENSION_DAYS), time(17, 0))
            grant_extension(asset, states[code], due_at=due, reason="More time to finish the paradata.", by=ACTOR)


def load_appointments(states: dict[str, MemberState], campaigns: dict[str, Campaign]) -> None:
    """Part II appointments carried over from Part I, most confirmed, a few still open (once)."""
    part2 = campaigns["twinit-2"]
    if db.session.scalar(sa.select(Appointment.id).where(Appointment.campaign_id == part2.id).limit(1)):
        return
    asked_at, answered_at = brussels(date(2025, 8, 25), time(10, 0)), brussels(date(2025, 9, 12), time(11, 0))
    for appointment in carry_over(part2, by=ACTOR, how="cli", source=campaigns["twinit-1"]):
        code = appointment.member_state.code
        if code != "EE":  # Estonia is left for the tour to ask
            appointment.requested_at, appointment.request_count = asked_at, 1
        confirms = code in (PART2_CONFIRMED if appointment.kind == "primary" else PART2_ALTERNATE_CONFIRMED)
        if confirms:
            confirm_appointment(appointment, by=ACTOR, how="email", on=date(2025, 9, 12))
            appointment.answered_at = answered_at
        elif appointment.kind == "primary" and code == PART2_DECLINED[0]:
            decline_appointment(appointment, by=ACTOR, how="email", reason=PART2_DECLINED[1])
            appointment.answered_at = answered_at
        elif appointment.kind == "primary" and code == PART2_REPLACEMENT[0]:
            given, family, language = PART2_REPLACEMENT[1]
            propose_replacement(appointment, {
                "given_name": given, "family_name": family, "preferred_language": language,
                "email": f"{ascii_slug(given)}.{ascii_slug(family)}@{code.lower()}.demo.test",
                "organisation_name": appointment.member_state.ministry_name}, by=ACTOR, how="email")
            appointment.answered_at = answered_at


#: Invented objects for the demo's assets (no real collection is meant).
DEMO_OBJECTS = ("Carved wooden chest", "Bronze ceremonial helmet", "Baroque altar panel", "Medieval town gate",
                "Painted folk cupboard", "Stone milestone of a Roman road", "Glass votive lamp", "Iron church bell")


def load_assets(states: dict[str, MemberState], campaigns: dict[str, Campaign]) -> None:
    """An asset for each country at "asset selected" or beyond: complete once submitted (once)."""
    part2 = campaigns["twinit-2"]
    if db.session.scalar(sa.select(Asset.id).where(Asset.campaign_id == part2.id).limit(1)):
        return
    status_of = {code: status for status, codes in DEMO_STATUSES.items() for code in codes}
    for index, code in enumerate(sorted(c for c, s in status_of.items() if s not in ("invited", "introductory_meeting_attended"))):
        state, status = states[code], status_of[code]
        name = DEMO_OBJECTS[index % len(DEMO_OBJECTS)]
        values = {"title": name, "title_language": "en", "title_en": name,
                  "institution": DEMO_ORGANISATIONS[code][0], "priority_category": "at_risk"}
        if status in ("submission_in_progress", "submitted"):
            values.update(reuse_intents="education tourism", model_url=f"https://models.demo.test/{code.lower()}/1",
                          rights_statement="CC BY" if index % 2 else "CC BY-NC", paradata_technique="photogrammetry")
        if status == "submitted":
            values.update(viewer_url=f"https://viewer.demo.test/{code.lower()}/1", file_formats="model/gltf-binary",
                          file_size_mb=120.0, metadata_languages=f"{state.correspondence_language} en")
        asset = Asset(campaign=part2, member_state=state, **values)
        db.session.add(asset)
        record_change(asset, by=ACTOR, action="create", how="cli")


#: The demo's events: (campaign, kind, title, day, start, end, zone, venue, capacity, attending countries).
#: Times are in the event's zone; None as the day means "some days after loading the demo".
_ALL = tuple(ref.code for ref in MEMBER_STATES)
_PART2_MET = tuple(code for status, codes in DEMO_STATUSES.items() for code in codes)
DEMO_EVENTS = (
    ("twinit-1", "introductory_meeting", "Part I kick-off meeting", date(2023, 6, 21), time(10, 0), time(12, 0),
     "Europe/Brussels", "", None, _ALL),
    ("twinit-1", "final_event", "Part I final event", date(2024, 5, 14), time(9, 0), time(17, 0),
     "Europe/Brussels", "Brussels, Belgium", 120, _ALL),
    ("twinit-2", "introductory_meeting", "Introductory meeting", date(2025, 9, 22), time(10, 0), time(11, 30),
     "Europe/Brussels", "", None, _PART2_MET),
    ("twinit-2", "webinar", "EPF for 3D: content tiers and rights statements", date(2025, 10, 14), time(14, 0),
     time(15, 30), "Europe/Brussels", "", None, ("AT", "BE", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "IT", "NL",
                                                 "PT")),
    ("twinit-2", "cafe", "3D Café: paradata, or how the model was made", date(2025, 11, 18), time(11, 0), time(12, 0),
     "Europe/Brussels", "", 40, ("CZ", "DE", "DK", "EE", "FI", "FR", "HR", "IE", "NL")),
    ("twinit-2", "final_event", "Part II final event", date(2026, 5, 19), time(9, 30), time(17, 30),
     "Asia/Nicosia", "Nicosia, Cyprus", 150, ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR",
                                             "HR", "IE", "IT", "LT", "LU", "NL", "PT")),
    ("twinit-2", "hackathon", "Hack for Europe", date(2026, 5, 20), time(9, 0), time(17, 0),
     "Asia/Nicosia", "Nicosia, Cyprus", 60, ("CY", "EL", "FI", "FR", "IT", "NL")),
    ("twinit-2", "cafe", "3D Café: rights and licences, your questions", None, time(11, 0), time(12, 0),
     "Europe/Brussels", "", 12, ()),
    ("twinit-2", "webinar", "Webinar: reusing 3D heritage in schools", None, time(14, 0), time(15, 30),
     "Europe/Brussels", "", None, ()),
)
#: The events' titles in the 23 other official languages (tracker/demo/event_titles.json).
DEMO_EVENT_TITLES: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).with_name("event_titles.json")).read_text(encoding="utf-8"))
#: Who holds the upcoming Café's 12 places (it is full: more go to the waiting list), and who waits.
DEMO_CAFE_PLACES = ("AT", "BE", "CZ", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "PT")
DEMO_CAFE_WAITING = ("PL",)
DEMO_UPCOMING_DAYS = (10, 24)


def load_events(states: dict[str, MemberState], campaigns: dict[str, Campaign]) -> None:
    """Past events with their attendance, and two coming up: a full Café with a waiting list (once)."""
    from tracker.events.models import Attendance, Event, EventTranslation, Registration

    if db.session.scalar(sa.select(Event.id).limit(1)) is not None:
        return
    today = utcnow().astimezone(BRUSSELS).date()
    upcoming = iter(DEMO_UPCOMING_DAYS)
    people = {code: db.session.scalars(sa.select(Person).where(Person.member_state_id == states[code].id)
                                       .order_by(Person.id)).all() for code in states}
    for index, (code, kind, title, day, start, end, zone, venue, capacity, attended) in enumerate(DEMO_EVENTS):
        day = day or today + timedelta(days=next(upcoming))
        tz = ZoneInfo(zone)
        event = Event(campaign=campaigns[code], kind=kind, title=title, time_zone=zone, venue=venue,
                      online_url="" if venue else f"https://meet.demo.test/twin-it/{index + 1}",
                      starts_at=datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
                      ends_at=datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
                      capacity=capacity, has_waiting_list=capacity is not None and capacity < 20,
                      uid=f"demo-event-{index + 1}@twin-it-tracker",
                      description="An invented event of the demo campaign.")
        for language, translated in DEMO_EVENT_TITLES.get(title, {}).items():
            if translated == title:
                continue  # a name kept in English ("Hack for Europe")
            event.translations[language] = EventTranslation(language=language, title=translated, description="")
        db.session.add(event)
        record_change(event, by=ACTOR, action="create", how="cli")
        for number, country in enumerate(attended):
            person = people[country][0]
            db.session.add(Attendance(event=event, person=person, member_state_id=person.member_state_id,
                                      seconds=(50 + number % 5 * 8) * 60, joins=1 + number % 2, source="manual"))
        if kind == "cafe" and day > today:
            for country in DEMO_CAFE_PLACES + DEMO_CAFE_WAITING:
                person = people[country][0]
                db.session.add(Registration(event=event, person=person, member_state_id=person.member_state_id,
                                            state="waiting" if country in DEMO_CAFE_WAITING else "registered"))
    db.session.flush()


#: Demo tickets: (country, opened by "cp" (the country's demo login) or "desk" (recorded by the
#: secretariat), topic, subject, question, opened at, then steps (at, who, what, text)). A time is
#: either a Brussels datetime or ("ago", hours) before the demo is loaded, so some are always current.
_T = datetime
DEMO_TICKETS = (
    ("EE", "cp", "digitisation", "Which polygon count for the web viewer?",
     "Our model of the carved door has 12 million triangles. What should we aim for in the web viewer?",
     _T(2025, 10, 6, 9, 30), [(_T(2025, 10, 7, 14, 0), "desk", "resolved", "Aim for 1-2 million triangles and "
                                "bake the detail into normal maps; keep the full model as the master file."),
                               (_T(2025, 10, 8, 10, 0), "cp", "closed", "")]),
    ("FR", "cp", "rights", "CC BY-NC or CC BY-ND for a museum scan?",
     "The museum hesitates between CC BY-NC and CC BY-ND. Which one keeps tier 3?",
     _T(2025, 10, 9, 16, 0), [(_T(2025, 10, 14, 10, 0), "desk", "waiting", "Both reach tier 3. Does the museum "
                                "accept derivatives for education? Then CC BY-NC."),
                              (_T(2025, 10, 20, 11, 0), "cp", "reply", "Yes, derivatives are fine: CC BY-NC."),
                              (_T(2025, 10, 21, 9, 0), "desk", "resolved", "Perfect, CC BY-NC it is.")]),
    ("EL", "cp", "metadata", "EDM for a Byzantine icon: which edm:type?",
     "Is an icon scanned in 3D of type 3D or IMAGE in EDM?", _T(2025, 11, 3, 11, 0),
     [(_T(2025, 11, 4, 9, 0), "desk", "resolved", "3D, since the geometry is real 3D.")]),
    ("DE", "desk", "submission", "Upload to the aggregator failed",
     "(Received by email.) The aggregator rejects our GLB file with a size error.", _T(2025, 11, 12, 10, 0),
     [(_T(2025, 11, 13, 15, 0), "desk", "waiting", "Please send us the aggregator's error message."),
      (_T(2025, 11, 28, 12, 0), "desk", "resolved", "Solved with a Draco-compressed file.")]),
    ("IT", "desk", "events", "Recording of the Café?", "(Received by phone.) Will the Café be recorded?",
     _T(2025, 11, 19, 9, 0), [(_T(2025, 11, 19, 12, 0), "desk", "resolved", "Yes, the recording is on the "
                                                                           "campaign's page the next day.")]),
    ("FR", "cp", "digitisation", "Photogrammetry of a reflective bronze",
     "The bronze statue reflects light and the photogrammetry fails. Any advice?", _T(2025, 12, 1, 9, 0),
     [(_T(2025, 12, 2, 11, 0), "desk", "open", "We are asking the expert group; a first idea: cross-polarised light."),
      (_T(2025, 12, 22, 9, 0), "desk", "resolved", "The expert group recommends a temporary matting spray.")]),
    ("EE", "cp", "submission", "Europeana record not showing the 3D viewer",
     "The record is published but shows a still image instead of the viewer.", _T(2026, 2, 10, 10, 0),
     [(_T(2026, 2, 11, 10, 0), "desk", "resolved", "The edm:isShownBy link pointed to the thumbnail; corrected.")]),
    ("EL", "cp", "rights", "Rights of a scan made by a contractor",
     "A contractor made the scan. Who holds the rights?", _T(2026, 3, 2, 9, 0),
     [(_T(2026, 3, 3, 9, 0), "desk", "waiting", "Please check the contract's clause on intellectual property."),
      (_T(2026, 3, 10, 10, 0), "cp", "reply", "The contract assigns all rights to the ministry."),
      (_T(2026, 3, 12, 9, 0), "desk", "resolved", "Then the ministry can choose the licence.")]),
    ("NL", "desk", "metadata", "Paradata fields in EDM", "(Received by email.) Where does paradata go in EDM?",
     _T(2026, 1, 14, 9, 0), [(_T(2026, 1, 15, 10, 0), "desk", "resolved", "In a linked edm:WebResource "
                                                                         "description, as the EPF guidance shows.")]),
    ("PL", "desk", "other", "Change of contact point", "(Received by email.) The ministry appoints a new contact "
     "point.", _T(2026, 1, 22, 9, 0), [(_T(2026, 1, 26, 16, 0), "desk", "closed", "Recorded in the appointments.")]),
    ("EE", "cp", "digitisation", "Texture resolution for the final model",
     "Is 8K texture resolution acceptable, or should we split the textures?", ("ago", 150), []),
    ("FR", "cp", "events", "Slides of the next Café", "Will the slides be shared before the Café?", ("ago", 2), []),
    ("EL", "cp", "metadata", "Language tags for Greek titles",
     "Should the Greek title carry xml:lang el or el-GR?", ("ago", 120),
     [(("ago", 96), "desk", "waiting", "el is enough. Do you also have an English title?")]),
    ("DE", "desk", "submission", "Large GLB upload", "(Received by email.) Our GLB file is 900 MB.", ("ago", 72),
     [(("ago", 48), "desk", "open", "We are checking the limits of the aggregator.")]),
    ("FR", "cp", "events", "Café slides", "Can we get the slides of the Café?", ("ago", 1),
     [(("ago", 0.5), "desk", "merge", "Slides of the next Café")]),
)
DEMO_SAVED_REPLIES = (
    ("Polygon budget for web viewers", "en", "Aim for 1-2 million triangles in the web version and bake the fine "
     "detail into normal maps. Keep the full-resolution model as the master file."),
    ("Polygon budget for web viewers", "fr", "Visez 1 à 2 millions de triangles pour la version web et reportez les "
     "détails fins dans des cartes de normales. Conservez le modèle en pleine résolution comme fichier maître."),
    ("Rights statements accepted by Europeana", "en", "Open statements (CC BY, CC BY-SA, CC0, PDM) reach content "
     "tier 4; restricted ones (CC BY-NC, BY-ND, BY-NC-ND, BY-NC-SA, NoC-NC, InC-EDU, NoC-OKLR) reach tier 3."),
    ("Rights statements accepted by Europeana", "et", "Avatud litsentsid (CC BY, CC BY-SA, CC0, PDM) annavad "
     "sisutaseme 4; piiratud (CC BY-NC, BY-ND, BY-NC-ND, BY-NC-SA, NoC-NC, InC-EDU, NoC-OKLR) annavad taseme 3."),
)


def load_tickets(states: dict[str, MemberState]) -> None:
    """Service-desk tickets: answered in time or late, waiting on the country, overdue, merged (once)."""
    from tracker.tickets import services as desk
    from tracker.tickets.models import SavedReply, Ticket

    if db.session.scalar(sa.select(Ticket.id).limit(1)) is not None:
        return
    now = utcnow()
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@demo.test"))
    logins = {user.member_state.code: user for user in db.session.scalars(
        sa.select(User).where(User.role == Role.CONTACT_POINT.value))}

    def moment(value) -> datetime:
        if isinstance(value, tuple):
            return now - timedelta(hours=value[1])
        return value.replace(tzinfo=BRUSSELS).astimezone(UTC)

    opened: list = []
    for code, who, topic, subject, body, at, steps in DEMO_TICKETS:
        author = logins[code] if who == "cp" else staff
        ticket = desk.open_ticket(states[code], by=author, category=topic, subject=subject, body=body,
                                  language=states[code].correspondence_language, now=moment(at), notify=False)
        for step_at, step_who, what, text in steps:
            actor = logins[code] if step_who == "cp" else staff
            if what == "merge":
                desk.merge(ticket, next(t for t in opened if t.subject == text), by=staff, now=moment(step_at))
            elif what == "closed" and not text:
                desk.set_status(ticket, "closed", by=actor, now=moment(step_at))
            elif what == "closed":
                desk.reply(ticket, by=actor, body=text, then="resolved", now=moment(step_at), notify=False)
                desk.set_status(ticket, "closed", by=actor, now=moment(step_at))
            else:
                desk.reply(ticket, by=actor, body=text, then=None if what == "reply" else what, now=moment(step_at),
                           notify=False)
        ticket.last_activity_at = max([moment(at)] + [moment(step[0]) for step in steps])
        opened.append(ticket)
    for title, language, body in DEMO_SAVED_REPLIES:
        db.session.add(SavedReply(title=title, language=language, body=body))
    db.session.flush()


def load_logins(states: dict[str, MemberState], people: dict[str, Person]) -> None:
    """The five demo accounts, all with the demo password."""
    for email, role, code, name in DEMO_LOGINS:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            continue  # exists: no need to hash the password again
        person = people.get(code) if code else None
        _get_or_add(User, {"email": email}, {
            "role": role.value, "member_state_id": states[code].id if code else None,
            "person_id": person.id if person else None,
            "display_name": name or (person.full_name if person else email),
            "password_hash": hash_password(DEMO_PASSWORD), "password_changed_at": utcnow(),
        })


def load_demo() -> None:
    """The whole demo campaign (idempotent)."""
    states = load_member_states()
    campaigns = load_campaigns(states)
    people = load_people(states, campaigns)
    load_participation(states, campaigns)
    load_appointments(states, campaigns)
    load_assets(states, campaigns)
    load_events(states, campaigns)
    load_logins(states, people)
    load_tickets(states)
    load_letters(states, campaigns)


def load_letters(states: dict[str, MemberState], campaigns: dict[str, Campaign]) -> None:
    """Part II invitations to Estonia, Greece and Bulgaria in their languages and Ireland in Irish, and a digest."""
    from tracker.digests.models import Digest
    from tracker.digests.services import build_digest
    from tracker.letters.models import Letter
    from tracker.letters.services import issue_letters

    campaign = campaigns["twinit-2"]
    if db.session.scalar(sa.select(Letter.id).limit(1)) is None:
        issue_letters("invitation", campaign, [states[code] for code in ("EE", "EL", "BG")], by="demo", how="system")
        issue_letters("invitation", campaign, [states["IE"]], language="ga", by="demo", how="system")
    if db.session.scalar(sa.select(Digest.id).limit(1)) is None:
        build_digest(campaign, by="demo", how="system")


# -- the large dataset used by the benchmarks -------------------------------------------------

LARGE_CAMPAIGNS = 10
LARGE_PEOPLE = 5000
LARGE_AUDIT_ROWS = 200_000


def load_large() -> dict[str, int]:
    """Grow the demo to 10 campaigns, 5,000 people and 200,000 audit rows (idempotent)."""
    load_demo()
    states = list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))
    for number in range(1, LARGE_CAMPAIGNS - 1):
        start = date(2010 + number, 1, 1)
        campaign = _get_or_add(Campaign, {"code": f"archive-{number}"}, {
            "name": f"Archive campaign {number}", "part": 0, "starts_on": start,
            "ends_on": start + timedelta(days=300), "is_open": False,
        })
        _get_or_add(Milestone, {"campaign_id": campaign.id, "code": "asset_submitted"},
                    {"name": "Asset submitted", "due_at": brussels(start + timedelta(days=200), time(17))})
    existing = db.session.scalar(sa.select(sa.func.count(Person.id)))
    rng = random.Random(2026)
    rows = []
    for number in range(existing, LARGE_PEOPLE):
        state = states[number % len(states)]
        rows.append({
            "given_name": f"Person{number}", "family_name": f"Synthetic{number}",
            "email": f"synthetic.{number}@{state.code.lower()}.demo.test", "phone": "",
            "member_state_id": state.id, "preferred_language": state.correspondence_language,
            "version": 1, "created_at": utcnow(), "updated_at": utcnow(),
        })
    for chunk in range(0, len(rows), 1000):
        db.session.execute(sa.insert(Person), rows[chunk:chunk + 1000])
    existing_audit = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    now = utcnow()
    batch = []
    for number in range(existing_audit, LARGE_AUDIT_ROWS):
        state = states[rng.randrange(len(states))]
        batch.append({
            "at": now - timedelta(minutes=LARGE_AUDIT_ROWS - number), "actor_label": ACTOR, "action": "update",
            "entity_type": "people", "entity_id": rng.randrange(1, LARGE_PEOPLE), "member_state_id": state.id,
            "how": "cli", "changes": {"phone": [None, f"+000 {number}"]}, "note": "synthetic",
        })
        if len(batch) == 5000:
            db.session.execute(sa.insert(AuditEntry), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(AuditEntry), batch)
    return {
        "campaigns": db.session.scalar(sa.select(sa.func.count(Campaign.id))),
        "people": db.session.scalar(sa.select(sa.func.count(Person.id))),
        "audit_entries": db.session.scalar(sa.select(sa.func.count(AuditEntry.id))),
    }
