"""Every route and method, for every kind of visitor: the expected answer.

The table below must list every rule of `app.url_map`: a new route that is not listed fails
`test_every_route_is_listed`. Sample URLs point at Estonia; "cp_own" is Estonia's contact point
and "cp_other" France's, who must get 404 (never 403) for anything Estonian.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.appointments.models import Appointment
from tracker.contacts.models import Person
from tracker.core.time import utcnow
from tracker.countries.models import Campaign, MemberState, Milestone
from tracker.digests.models import Digest
from tracker.events.models import Attendance, AttendanceImport, CalendarFeed, Event, Registration
from tracker.extensions import db
from tracker.files.models import StoredFile
from tracker.letters.models import Letter, LetterBatch
from tracker.mail.models import OutboxMessage
from tracker.mail.services import queue_email
from tracker.participation.models import Asset
from tracker.reminders.models import ReminderDispatch, ReminderStep
from tracker.tickets.models import SavedReply, Ticket, TicketMessage

WHO = ("anon", "secretariat", "viewer", "cp_own", "cp_other")
LOGIN = 302  # anonymous visitors are sent to the login page


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(WHO, code)


def logged_in(code: int, anon: int = LOGIN) -> dict[str, int]:
    return {"anon": anon, "secretariat": code, "viewer": code, "cp_own": code, "cp_other": code}


def staff(code: int = 200) -> dict[str, int]:
    return {"anon": LOGIN, "secretariat": code, "viewer": code, "cp_own": 403, "cp_other": 403}


def secretariat(code: int = 200) -> dict[str, int]:
    return {"anon": LOGIN, "secretariat": code, "viewer": 403, "cp_own": 403, "cp_other": 403}


def country_read(code: int = 200) -> dict[str, int]:
    return {"anon": LOGIN, "secretariat": code, "viewer": code, "cp_own": code, "cp_other": 404}


def country_staff(code: int = 200) -> dict[str, int]:
    return {"anon": LOGIN, "secretariat": code, "viewer": code, "cp_own": 403, "cp_other": 404}


def country_secretariat(code: int = 200) -> dict[str, int]:
    return {"anon": LOGIN, "secretariat": code, "viewer": 403, "cp_own": 403, "cp_other": 404}


def country_editors(code: int = 200) -> dict[str, int]:
    """The secretariat and the country's own contact point may change it; viewers read only."""
    return {"anon": LOGIN, "secretariat": code, "viewer": 403, "cp_own": code, "cp_other": 404}


#: (endpoint, method) -> (URL values, expected status per visitor). POSTs send a form with no real field.
ROUTES: dict[tuple[str, str], tuple[dict, dict[str, int]]] = {
    ("static", "GET"): ({"filename": "css/tracker.css"}, everyone(200)),
    ("health.healthz", "GET"): ({}, everyone(200)),
    # Prometheus sends TRACKER_METRICS_TOKEN (tests/core/test_operations.py); of the logins, only the secretariat.
    ("metrics.metrics", "GET"): ({}, secretariat(200) | {"anon": 401}),
    ("accounts.login", "GET"): ({}, {**logged_in(302), "anon": 200}),
    ("accounts.login", "POST"): ({}, {**logged_in(302), "anon": 200}),
    ("accounts.logout", "POST"): ({}, logged_in(302)),
    ("accounts.forgot_password", "GET"): ({}, everyone(200)),
    ("accounts.forgot_password", "POST"): ({}, everyone(200)),
    ("accounts.reset_password", "GET"): ({"token": "not-a-token"}, everyone(410)),
    ("accounts.reset_password", "POST"): ({"token": "not-a-token"}, everyone(410)),
    ("accounts.accept_invitation", "GET"): ({"token": "not-a-token"}, everyone(410)),
    ("accounts.accept_invitation", "POST"): ({"token": "not-a-token"}, everyone(410)),
    ("accounts.switch_language", "POST"): ({}, everyone(302)),
    ("accounts.account", "GET"): ({}, logged_in(200)),
    ("accounts.account", "POST"): ({}, logged_in(200)),
    ("accounts.change_password", "POST"): ({}, logged_in(200)),
    ("accounts.users", "GET"): ({}, staff()),
    ("accounts.invite", "GET"): ({}, secretariat()),
    ("accounts.invite", "POST"): ({}, secretariat(200)),
    ("accounts.edit_user", "GET"): ({"user_id": "viewer"}, secretariat()),
    ("accounts.edit_user", "POST"): ({"user_id": "viewer"}, secretariat(200)),
    ("audit.log", "GET"): ({}, staff()),
    ("audit.member_state_log", "GET"): ({"code": "EE"}, country_staff()),
    ("countries.dashboard", "GET"): ({}, logged_in(200)),
    ("countries.member_state", "GET"): ({"code": "EE"}, country_read()),
    ("countries.edit_member_state", "GET"): ({"code": "EE"}, country_secretariat()),
    # Fields absent from a POST keep their stored values, so the probe saves nothing new and redirects.
    ("countries.edit_member_state", "POST"): ({"code": "EE"}, country_secretariat(302)),
    ("contacts.people", "GET"): ({}, staff()),
    ("contacts.create_person", "GET"): ({}, secretariat()),
    ("contacts.create_person", "POST"): ({}, secretariat(422)),
    ("contacts.person", "GET"): ({"person_id": "EE"}, country_read()),
    ("contacts.edit_person", "GET"): ({"person_id": "EE"}, country_secretariat()),
    ("contacts.edit_person", "POST"): ({"person_id": "EE"}, country_secretariat(302)),
    ("contacts.add_role", "POST"): ({"person_id": "EE"}, country_secretariat(422)),
    ("countries.edit_milestone", "GET"): ({"milestone_id": "asset"}, secretariat()),
    ("countries.edit_milestone", "POST"): ({"milestone_id": "asset"}, secretariat(400)),
    ("countries.extension", "GET"): ({"code": "EE", "milestone_id": "asset"}, country_secretariat()),
    ("countries.extension", "POST"): ({"code": "EE", "milestone_id": "asset"}, country_secretariat(400)),
    ("mail.log", "GET"): ({}, staff()),
    ("mail.message", "GET"): ({"message_id": "sample"}, staff()),
    ("mail.html_body", "GET"): ({"message_id": "sample"}, staff()),
    ("mail.resend", "POST"): ({"message_id": "sample"}, secretariat(302)),
    ("mail.cancel", "POST"): ({"message_id": "sample"}, secretariat(302)),
    ("reminders.ladders", "GET"): ({}, staff()),
    ("reminders.calendar", "GET"): ({}, staff()),
    ("reminders.add_step", "GET"): ({"milestone_id": "asset"}, secretariat()),
    ("reminders.add_step", "POST"): ({"milestone_id": "asset"}, secretariat(400)),
    ("reminders.edit_step", "GET"): ({"step_id": "first"}, secretariat()),
    ("reminders.edit_step", "POST"): ({"step_id": "first"}, secretariat(400)),
    ("reminders.delete_step", "POST"): ({"step_id": "first"}, secretariat(302)),
    ("reminders.send_missed", "POST"): ({"step_id": "first"}, secretariat(302)),
    ("reminders.default_ladder", "POST"): ({"milestone_id": "asset"}, secretariat(302)),
    ("reminders.approve", "POST"): ({"dispatch_id": "escalation"}, secretariat(302)),
    ("reminders.dismiss", "POST"): ({"dispatch_id": "escalation"}, secretariat(302)),
    ("appointments.overview", "GET"): ({}, staff()),
    ("appointments.export", "GET"): ({"fmt": "csv"}, staff()),
    ("appointments.carry_over", "POST"): ({}, secretariat(302)),
    ("appointments.request_all", "POST"): ({}, secretariat(302)),
    ("appointments.member_state", "GET"): ({"code": "EE"}, country_read()),
    ("appointments.request_country", "POST"): ({"code": "EE"}, country_secretariat(302)),
    ("appointments.appoint", "GET"): ({"code": "EE"}, country_secretariat()),
    ("appointments.appoint", "POST"): ({"code": "EE"}, country_secretariat(422)),
    ("appointments.edit", "GET"): ({"appointment_id": "EE"}, country_secretariat()),
    ("appointments.edit", "POST"): ({"appointment_id": "EE"}, country_secretariat(302)),
    ("appointments.record_reply", "GET"): ({"appointment_id": "EE"}, country_secretariat()),
    ("appointments.record_reply", "POST"): ({"appointment_id": "EE"}, country_secretariat(422)),
    ("appointments.accept", "POST"): ({"appointment_id": "EE"}, country_secretariat(302)),
    ("appointments.reject", "POST"): ({"appointment_id": "EE"}, country_secretariat(302)),
    ("appointments.end", "POST"): ({"appointment_id": "EE"}, country_secretariat(302)),
    # The personal link needs no login; a forged token is unknown to everyone.
    ("appointments.respond", "GET"): ({"token": "not-a-token"}, everyone(404)),
    ("appointments.respond", "POST"): ({"token": "not-a-token"}, everyone(404)),
    ("appointments.new_link", "POST"): ({"token": "not-a-token"}, everyone(404)),
    ("privacy.export_person", "GET"): ({"person_id": "EE"}, country_secretariat()),
    ("privacy.erase_person", "GET"): ({"person_id": "EE"}, country_secretariat()),
    ("privacy.erase_person", "POST"): ({"person_id": "EE"}, country_secretariat(422)),
    ("files.download", "GET"): ({"file_id": "sample"}, country_staff()),
    ("participation.change_status", "POST"): ({"code": "EE"}, country_secretariat(302)),
    ("participation.add_asset", "GET"): ({"code": "EE"}, country_editors()),
    ("participation.add_asset", "POST"): ({"code": "EE"}, country_editors(422)),
    ("participation.asset", "GET"): ({"asset_id": "EE"}, country_read()),
    ("participation.edit_asset", "GET"): ({"asset_id": "EE"}, country_editors()),
    ("participation.edit_asset", "POST"): ({"asset_id": "EE"}, country_editors(302)),
    ("participation.review_asset", "POST"): ({"asset_id": "EE"}, country_secretariat(302)),
    ("participation.submit_asset", "POST"): ({"asset_id": "EE"}, country_editors(302)),
    # Events are the campaign's; one open to every country is readable by every contact point.
    ("events.index", "GET"): ({}, logged_in(200)),
    ("events.show", "GET"): ({"event_id": "intro"}, logged_in(200)),
    ("events.ics", "GET"): ({"event_id": "intro"}, logged_in(200)),
    ("events.new", "GET"): ({}, secretariat()),
    ("events.new", "POST"): ({}, secretariat(422)),
    ("events.edit", "GET"): ({"event_id": "intro"}, secretariat()),
    ("events.edit", "POST"): ({"event_id": "intro"}, secretariat(422)),
    ("events.cancel", "POST"): ({"event_id": "intro"}, secretariat(302)),
    ("events.translate", "POST"): ({"event_id": "intro"}, secretariat(302)),
    ("events.invite", "POST"): ({"event_id": "intro"}, secretariat(302)),
    ("events.register", "POST"): ({"event_id": "intro"}, {**logged_in(302), "viewer": 403}),
    ("events.cancel_registration", "POST"): ({"registration_id": "EE"}, {**country_editors(302)}),
    ("events.import_attendance", "POST"): ({"event_id": "intro"}, secretariat(302)),
    ("events.review_import", "GET"): ({"import_id": "sample"}, staff()),
    ("events.review_import", "POST"): ({"import_id": "sample"}, secretariat(302)),
    ("events.record_attendance", "POST"): ({"event_id": "intro"}, secretariat(302)),
    ("events.remove_attendance", "POST"): ({"attendance_id": "EE"}, country_secretariat(302)),
    ("events.campaign_attendance", "GET"): ({}, staff()),
    ("events.feeds", "GET"): ({}, logged_in(200)),
    ("events.feeds", "POST"): ({}, logged_in(200)),
    # Feeds are their owner's (Estonia's contact point here); the secretariat may revoke any.
    ("events.revoke_feed", "POST"): ({"feed_id": "EE"}, {**country_editors(302), "viewer": 404}),
    # Calendar clients do not log in: the token is the key, and a wrong one is unknown to everyone.
    ("events.feed", "GET"): ({"token": "not-a-token"}, everyone(404)),
    # The service desk: a country's tickets are its own; viewers read, never write.
    ("tickets.index", "GET"): ({}, logged_in(200)),
    ("tickets.new", "GET"): ({}, {**logged_in(200), "viewer": 403}),
    ("tickets.new", "POST"): ({}, {**logged_in(422), "viewer": 403}),
    ("tickets.show", "GET"): ({"ticket_id": "EE"}, country_read()),
    ("tickets.reply", "POST"): ({"ticket_id": "EE"}, country_editors(422)),
    ("tickets.set_status", "POST"): ({"ticket_id": "EE"}, country_editors(302)),
    ("tickets.assign", "POST"): ({"ticket_id": "EE"}, country_secretariat(302)),
    ("tickets.merge", "POST"): ({"ticket_id": "EE"}, country_secretariat(302)),
    ("tickets.link", "POST"): ({"ticket_id": "EE"}, country_secretariat(302)),
    ("tickets.download", "GET"): ({"ticket_id": "EE", "file_id": "ticket"}, country_read()),
    ("tickets.report", "GET"): ({}, staff()),
    ("tickets.saved_replies", "GET"): ({}, secretariat()),
    ("tickets.saved_replies", "POST"): ({}, secretariat(422)),
    ("tickets.edit_saved_reply", "GET"): ({"reply_id": "first"}, secretariat()),
    ("tickets.edit_saved_reply", "POST"): ({"reply_id": "first"}, secretariat(302)),
    # Letters and digests are the secretariat's and DG CONNECT's; contact points never see them.
    ("letters.index", "GET"): ({}, staff()),
    ("letters.new", "GET"): ({}, secretariat()),
    ("letters.new", "POST"): ({}, secretariat(422)),
    ("letters.preview", "GET"): ({"kind": "invitation", "country": "EE"}, staff()),
    ("letters.show", "GET"): ({"letter_id": "EE"}, staff()),
    ("letters.download", "GET"): ({"letter_id": "EE"}, staff()),
    ("letters.send", "POST"): ({"letter_id": "EE"}, secretariat(302)),
    ("letters.batch", "GET"): ({"batch_id": "demo"}, staff()),
    ("letters.batch_zip", "GET"): ({"batch_id": "demo"}, staff()),
    ("letters.send_batch", "POST"): ({"batch_id": "demo"}, secretariat(302)),
    ("letters.texts", "GET"): ({}, staff()),
    ("letters.edit_text", "GET"): ({"kind": "invitation", "language": "et"}, secretariat()),
    ("letters.edit_text", "POST"): ({"kind": "invitation", "language": "et"}, secretariat(302)),
    ("letters.reset_text", "POST"): ({"kind": "invitation", "language": "et"}, secretariat(302)),
    ("digests.index", "GET"): ({}, staff()),
    ("digests.build", "POST"): ({}, secretariat(400)),
    ("digests.show", "GET"): ({"digest_id": "demo"}, staff()),
    ("digests.download", "GET"): ({"digest_id": "demo"}, staff()),
    ("digests.email", "GET"): ({"digest_id": "demo"}, staff()),
    ("digests.send", "POST"): ({"digest_id": "demo"}, secretariat(302)),
    # Exports of the list pages: the list's own rule; a contact point's are their country's.
    ("accounts.export_users", "GET"): ({"fmt": "csv"}, staff()),
    ("contacts.export_people", "GET"): ({"fmt": "xlsx"}, staff()),
    ("audit.export_log", "GET"): ({"fmt": "csv"}, staff()),
    ("audit.export_member_state_log", "GET"): ({"code": "EE", "fmt": "csv"}, country_staff()),
    ("mail.export", "GET"): ({"fmt": "csv"}, staff()),
    ("countries.export_dashboard", "GET"): ({"fmt": "csv"}, logged_in(200)),
    ("appointments.export_member_state", "GET"): ({"code": "EE", "fmt": "csv"}, country_read()),
    ("events.export", "GET"): ({"fmt": "csv"}, logged_in(200)),
    ("events.export_participants", "GET"): ({"event_id": "intro", "fmt": "csv"}, logged_in(200)),
    ("events.export_campaign_attendance", "GET"): ({"fmt": "xlsx"}, staff()),
    ("tickets.export", "GET"): ({"fmt": "csv"}, logged_in(200)),
    ("tickets.export_report", "GET"): ({"fmt": "csv"}, staff()),
    ("letters.export", "GET"): ({"fmt": "csv"}, staff()),
    ("digests.export", "GET"): ({"fmt": "csv"}, staff()),
    ("reminders.export_calendar", "GET"): ({"fmt": "csv"}, staff()),
    # The API answers to tokens only (tests/api/test_api.py): a browser's session gets 401, never data.
    ("api.openapi", "GET"): ({}, everyone(200)),
    ("api.countries", "GET"): ({}, everyone(401)),
    ("api.country", "GET"): ({"code": "EE"}, everyone(401)),
    ("api.appointments", "GET"): ({}, everyone(401)),
    ("api.milestones", "GET"): ({}, everyone(401)),
    ("api.events", "GET"): ({}, everyone(401)),
    ("api.event", "GET"): ({"event_id": "intro"}, everyone(401)),
    ("api.attendance", "GET"): ({}, everyone(401)),
    ("api.ticket_counts", "GET"): ({}, everyone(401)),
    ("api.assets", "GET"): ({}, everyone(401)),
    ("api.asset", "GET"): ({"asset_id": "EE"}, everyone(401)),
    ("api_tokens.index", "GET"): ({}, secretariat()),
    ("api_tokens.index", "POST"): ({}, secretariat(422)),
    ("api_tokens.show", "GET"): ({"token_id": "sample"}, secretariat()),
    ("api_tokens.revoke", "POST"): ({"token_id": "sample"}, secretariat(302)),
    ("api_tokens.export", "GET"): ({"fmt": "csv"}, secretariat()),
    ("api_tokens.export_calls", "GET"): ({"token_id": "sample", "fmt": "xlsx"}, secretariat()),
}


def _resolve(values: dict) -> dict:
    """Turn symbolic sample values into real ids."""
    resolved = dict(values)
    if resolved.get("user_id") == "viewer":
        resolved["user_id"] = db.session.scalar(sa.select(User.id).where(User.email == "viewer@demo.test"))
    if resolved.get("person_id") == "EE":
        estonia = db.session.scalar(sa.select(MemberState.id).where(MemberState.code == "EE"))
        resolved["person_id"] = db.session.scalar(
            sa.select(Person.id).where(Person.member_state_id == estonia).order_by(Person.id).limit(1)
        )
    if resolved.get("milestone_id") == "asset":
        resolved["milestone_id"] = _part2_asset_milestone().id
    if resolved.get("step_id") == "first":
        resolved["step_id"] = db.session.scalar(
            sa.select(ReminderStep.id).where(ReminderStep.milestone_id == _part2_asset_milestone().id)
            .order_by(ReminderStep.offset_days).limit(1)
        )
    if resolved.get("message_id") == "sample":
        resolved["message_id"] = sample_message_id()
    if resolved.get("dispatch_id") == "escalation":
        resolved["dispatch_id"] = sample_escalation_id()
    if resolved.get("appointment_id") == "EE":
        resolved["appointment_id"] = estonian_appointment().id
    if resolved.get("asset_id") == "EE":
        resolved["asset_id"] = db.session.scalar(
            sa.select(Asset.id).join(MemberState, MemberState.id == Asset.member_state_id)
            .where(MemberState.code == "EE").order_by(Asset.id).limit(1))
    if resolved.get("file_id") == "sample":
        resolved["file_id"] = sample_file_id()
    if resolved.get("event_id") == "intro":
        resolved["event_id"] = db.session.scalar(sa.select(Event.id).where(Event.uid == "demo-event-3@twin-it-tracker"))
    if resolved.get("registration_id") == "EE":
        resolved["registration_id"] = estonian_registration_id()
    if resolved.get("import_id") == "sample":
        resolved["import_id"] = sample_import_id()
    if resolved.get("attendance_id") == "EE":
        resolved["attendance_id"] = db.session.scalar(
            sa.select(Attendance.id).join(MemberState, MemberState.id == Attendance.member_state_id)
            .where(MemberState.code == "EE").order_by(Attendance.id).limit(1))
    if resolved.get("feed_id") == "EE":
        resolved["feed_id"] = estonian_feed_id()
    if resolved.get("ticket_id") == "EE":
        resolved["ticket_id"] = db.session.scalar(
            sa.select(Ticket.id).where(Ticket.subject == "Texture resolution for the final model"))
    if resolved.get("file_id") == "ticket":
        resolved["file_id"] = estonian_ticket_file_id(resolved["ticket_id"])
    if resolved.get("letter_id") == "EE":
        resolved["letter_id"] = db.session.scalar(
            sa.select(Letter.id).join(MemberState, MemberState.id == Letter.member_state_id)
            .where(MemberState.code == "EE").order_by(Letter.id).limit(1))
    if resolved.get("batch_id") == "demo":
        resolved["batch_id"] = db.session.scalar(sa.select(LetterBatch.id).order_by(LetterBatch.id).limit(1))
    if resolved.get("digest_id") == "demo":
        resolved["digest_id"] = db.session.scalar(sa.select(Digest.id).order_by(Digest.id).limit(1))
    if resolved.get("token_id") == "sample":
        resolved["token_id"] = sample_token_id()
    if resolved.get("reply_id") == "first":
        resolved["reply_id"] = db.session.scalar(sa.select(SavedReply.id).order_by(SavedReply.id).limit(1))
    return resolved


def sample_token_id() -> int:
    """An API token of every country (written if missing)."""
    from tracker.api.models import ApiToken
    from tracker.api.services import create_token

    found = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "authorization sample"))
    if found is None:
        token, _secret = create_token(name="authorization sample", scopes=["countries"], member_state=None, by="test",
                                      expires_on=(utcnow() + timedelta(days=30)).date())
        db.session.commit()
        found = token.id
    return found


def estonian_ticket_file_id(ticket_id: int) -> int:
    """A PDF attached to the Estonian ticket's question (written if missing)."""
    message_id = db.session.scalar(sa.select(TicketMessage.id).where(TicketMessage.ticket_id == ticket_id)
                                   .order_by(TicketMessage.id).limit(1))
    found = db.session.scalar(sa.select(StoredFile.id).where(StoredFile.entity_type == "ticket_messages",
                                                             StoredFile.entity_id == message_id))
    if found is None:
        estonia = db.session.scalar(sa.select(MemberState.id).where(MemberState.code == "EE"))
        stored = StoredFile(filename="texture.pdf", content_type="application/pdf", size=9, sha256="0" * 64,
                            data=b"%PDF-1.4\n", member_state_id=estonia, entity_type="ticket_messages",
                            entity_id=message_id, uploaded_by_label="test")
        db.session.add(stored)
        db.session.commit()
        found = stored.id
    return found


def estonian_registration_id() -> int:
    """Maria Tamm's place at the demo's coming Café (written if missing)."""
    maria = db.session.scalar(sa.select(Person).where(Person.email == "maria.tamm@ee.demo.test"))
    cafe = db.session.scalar(sa.select(Event).where(Event.kind == "cafe").order_by(Event.starts_at.desc()).limit(1))
    found = db.session.scalar(sa.select(Registration.id).where(Registration.event_id == cafe.id,
                                                               Registration.person_id == maria.id))
    if found is None:
        registration = Registration(event_id=cafe.id, person_id=maria.id, member_state_id=maria.member_state_id,
                                    state="waiting")
        db.session.add(registration)
        db.session.commit()
        found = registration.id
    return found


def sample_import_id() -> int:
    """An attendance report waiting for review (written if missing)."""
    intro = db.session.scalar(sa.select(Event).where(Event.uid == "demo-event-3@twin-it-tracker"))
    found = db.session.scalar(sa.select(AttendanceImport.id).where(AttendanceImport.event_id == intro.id,
                                                                   AttendanceImport.state == "draft"))
    if found is None:
        draft = AttendanceImport(event_id=intro.id, tool="plain", filename="sample.csv", sha256="1" * 64, rows=[],
                                 state="draft", created_by_label="test")
        db.session.add(draft)
        db.session.commit()
        found = draft.id
    return found


def estonian_feed_id() -> int:
    """A calendar feed of Estonia's contact point (written if missing)."""
    owner = db.session.scalar(sa.select(User).where(User.email == "cp.ee@demo.test"))
    found = db.session.scalar(sa.select(CalendarFeed.id).where(CalendarFeed.user_id == owner.id).limit(1))
    if found is None:
        feed = CalendarFeed(token_hash="2" * 64, user_id=owner.id, language="et")
        db.session.add(feed)
        db.session.commit()
        found = feed.id
    return found


def estonian_appointment() -> Appointment:
    """Estonia's primary contact point for Part II (awaiting confirmation in the demo)."""
    return db.session.scalar(
        sa.select(Appointment).join(Campaign).join(MemberState, MemberState.id == Appointment.member_state_id)
        .where(Campaign.code == "twinit-2", MemberState.code == "EE", Appointment.kind == "primary")
    )


def sample_file_id() -> int:
    """A small PDF received from Estonia (written if missing)."""
    appointment = estonian_appointment()
    found = db.session.scalar(sa.select(StoredFile.id).where(StoredFile.entity_type == "appointments",
                                                             StoredFile.entity_id == appointment.id).limit(1))
    if found is None:
        stored = StoredFile(filename="reply.pdf", content_type="application/pdf", size=9, sha256="0" * 64,
                            data=b"%PDF-1.4\n", member_state_id=appointment.member_state_id,
                            entity_type="appointments", entity_id=appointment.id, uploaded_by_label="test")
        db.session.add(stored)
        db.session.commit()
        found = stored.id
    return found


def _part2_asset_milestone() -> Milestone:
    return db.session.scalar(
        sa.select(Milestone).join(Campaign).where(Campaign.code == "twinit-2", Milestone.code == "asset_submitted")
    )


def sample_message_id() -> int:
    """A queued, non-sensitive message (written once if the outbox holds none; the test rollback removes it)."""
    found = db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.idempotency_key == "sample:authorization")
    )
    if found is None:
        estonia = db.session.scalar(sa.select(MemberState).where(MemberState.code == "EE"))
        found = queue_email(
            key="sample:authorization", to=[("Sample Person", "sample.person@ee.demo.test")],
            template="reminders/emails/reminder", language="en", kind="reminder", member_state_id=estonia.id,
            **_sample_reminder_context(estonia),
        ).id
        db.session.commit()
    return found


def _sample_reminder_context(state: MemberState) -> dict:
    milestone = _part2_asset_milestone()
    step = db.session.scalar(sa.select(ReminderStep).where(ReminderStep.milestone_id == milestone.id).limit(1))
    return {"milestone": milestone, "member_state": state, "step": step, "due_at": milestone.due_at,
            "zone": "Europe/Tallinn", "link": "http://localhost/countries/EE", "campaign": milestone.campaign,
            "late": False}


def sample_escalation_id() -> int:
    """An escalation of Estonia awaiting approval (written if missing)."""
    milestone = _part2_asset_milestone()
    step = db.session.scalar(
        sa.select(ReminderStep).where(ReminderStep.milestone_id == milestone.id, ReminderStep.requires_approval)
    )
    estonia = db.session.scalar(sa.select(MemberState).where(MemberState.code == "EE"))
    found = db.session.scalar(
        sa.select(ReminderDispatch.id).where(ReminderDispatch.step_id == step.id,
                                             ReminderDispatch.member_state_id == estonia.id)
    )
    if found is None:
        dispatch = ReminderDispatch(
            step_id=step.id, milestone_id=milestone.id, member_state_id=estonia.id, offset_days=step.offset_days,
            audience=step.audience, status="awaiting_approval", planned_at=step.planned_for(milestone.due_at),
            due_at=milestone.due_at, created_at=milestone.due_at,
        )
        db.session.add(dispatch)
        db.session.commit()
        found = dispatch.id
    return found


def _rules(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_listed(app):
    """A route without an entry in ROUTES (or an entry without a route) fails here."""
    rules = _rules(app)
    assert sorted(rules - ROUTES.keys()) == [], "routes missing from the authorization table"
    assert sorted(ROUTES.keys() - rules) == [], "table entries without a route"


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("endpoint", "method"), sorted(ROUTES))
def test_access(app, client, login_as, endpoint, method, who):
    """Each visitor gets exactly the expected status for each route and method."""
    from flask import url_for

    values, expected = ROUTES[(endpoint, method)]
    with app.test_request_context():
        url = url_for(endpoint, **_resolve(values))
    login_as(None if who == "anon" else who)
    response = client.open(url, method=method, data={"_probe": "1"} if method == "POST" else None)
    assert response.status_code == expected[who], f"{method} {url} as {who}: {response.status_code}"
    if response.status_code == LOGIN and who == "anon" and expected[who] == LOGIN and endpoint not in (
        "accounts.switch_language", "accounts.logout"
    ):
        assert "/login" in response.headers["Location"]
