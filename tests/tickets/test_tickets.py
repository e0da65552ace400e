"""The service desk: working-day SLAs, tickets and threads, attachments, notes, merging, search, reports."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from email import message_from_string

import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import user_by_email
from tracker.countries.models import MemberState
from tracker.extensions import db
from tracker.files.models import StoredFile
from tracker.mail.models import OutboxMessage
from tracker.tickets import services, sla
from tracker.tickets.models import Ticket, TicketMessage

BRUSSELS = sla.BRUSSELS
#: No holidays, unless a test says otherwise.
NONE: frozenset[date] = frozenset()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


# -- working days ------------------------------------------------------------------------------


def test_working_time_skips_weekends_and_holidays():
    friday_noon, monday_noon = _at(2026, 3, 6, 12), _at(2026, 3, 9, 12)
    assert sla.working_seconds(friday_noon, monday_noon, NONE) == sla.DAY  # Friday afternoon + Monday morning
    easter = sla.parse_holidays("2026-04-03, 2026-04-06")  # Good Friday, Easter Monday
    thursday_noon, tuesday_noon = _at(2026, 4, 2, 12), _at(2026, 4, 7, 12)
    assert sla.working_seconds(thursday_noon, tuesday_noon, easter) == sla.DAY
    assert sla.add_working_seconds(friday_noon, 2 * sla.DAY, NONE) == _at(2026, 3, 10, 12)
    assert sla.add_working_seconds(thursday_noon, 2 * sla.DAY, easter) == _at(2026, 4, 8, 12)


def test_the_clock_stops_while_waiting_on_the_country():
    changes = [("new", _at(2026, 3, 2, 9)), ("waiting", _at(2026, 3, 2, 21)), ("open", _at(2026, 3, 9, 9))]
    clock = sla.clock(changes, stopped_at=None, now=_at(2026, 3, 9, 21), days=2, holidays=NONE)
    assert clock.used == sla.DAY  # 12 hours before waiting, 12 after: the week of waiting does not count
    assert not clock.breached and clock.due_at == _at(2026, 3, 10, 21)
    waiting = sla.clock(changes[:2], stopped_at=None, now=_at(2026, 3, 20, 9), days=2, holidays=NONE)
    assert waiting.paused and waiting.due_at is None and waiting.used == sla.DAY / 2


def test_a_missed_clock_says_when_it_fell_due():
    changes = [("new", _at(2026, 3, 6, 12))]  # a Friday noon
    clock = sla.clock(changes, stopped_at=None, now=_at(2026, 3, 12, 12), days=2, holidays=NONE)
    assert clock.breached and clock.due_at == _at(2026, 3, 10, 12) and clock.used_days == 4.0


# -- tickets -----------------------------------------------------------------------------------


def _open(client, **data):
    files = data.pop("files", [])
    form = {"category": "digitisation", "subject": "Texture size", "body": "Is 8K fine?", **data}
    if files:
        form["attachments"] = files
    return client.post("/tickets/new", data=form, content_type="multipart/form-data")


def test_a_contact_point_opens_a_ticket_with_an_attachment_and_the_desk_hears_of_it(app, client, login_as):
    with time_machine.travel(_at(2026, 3, 6, 12), tick=False):  # a Friday (log in then: cookies are dated)
        login_as("cp_own")
        response = _open(client, files=[(io.BytesIO(PDF), "scan-report.pdf")])
    assert response.status_code == 302
    ticket = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))
    assert (ticket.member_state.code, ticket.status, ticket.language) == ("EE", "new", "en")
    [(message, [stored])] = services.thread_of(ticket, internal=False)
    assert (stored.filename, stored.content_type, stored.size) == ("scan-report.pdf", "application/pdf", len(PDF))
    service = services.service_of(ticket, now=_at(2026, 3, 6, 12))
    assert service.first_response.due_at == _at(2026, 3, 10, 12)  # two working days: Monday and Tuesday
    desk = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key == f"ticket-desk:{message.id}"))
    assert "secretariat@demo.test" in desk.recipients and "Texture size" in desk.subject
    login_as("cp_own")  # today's cookie again
    download = client.get(f"/tickets/{ticket.id}/files/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("model.exe", b"MZ\x90\x00", "not of an accepted type"),
    ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "content does not match"),
    ("empty.glb", b"", "is empty"),
    ("huge.stl", b"solid x\n" + b"0" * (15 * 1024 * 1024), "larger than 15 MB"),
])
def test_a_bad_attachment_is_refused_and_nothing_is_written(app, client, login_as, name, data, expected):
    login_as("cp_own")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))
    files_before = db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))
    response = _open(client, files=[(io.BytesIO(PDF), "fine.pdf"), (io.BytesIO(data), name)])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert expected in page and name in page
    assert 'value="Texture size"' in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == files_before


def test_3d_models_are_accepted_when_their_content_matches(app):
    from tracker.files.services import FileRefused, sniff_ticket_type

    assert sniff_ticket_type(b"glTF\x02\x00\x00\x00" + b"\x00" * 12, "model.glb") == "model/gltf-binary"
    assert sniff_ticket_type(b"ply\nformat ascii 1.0\n", "cloud.ply") == "application/x-ply"
    assert sniff_ticket_type(b"# exported\nv 0 0 0\nv 1 0 0\nf 1 2 3\n", "mesh.obj") == "model/obj"
    binary_stl = b"\x00" * 80 + (1).to_bytes(4, "little") + b"\x00" * 50
    assert sniff_ticket_type(binary_stl, "part.stl") == "model/stl"
    with pytest.raises(FileRefused):
        sniff_ticket_type(binary_stl + b"junk", "part.stl")
    with pytest.raises(FileRefused):
        sniff_ticket_type(b"PK\x03\x04not really a zip", "report.docx")


def test_html_in_a_message_is_shown_as_text(app, client, login_as):
    login_as("cp_own")
    _open(client, subject="<b>Bold</b> subject", body='<script>alert("x")</script><img src=x onerror=alert(1)>')
    ticket = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; subject" in page and "<img src=x" not in page


def test_a_thread_from_question_to_resolution_with_the_sla_and_the_countrys_language(app, client, login_as):
    estonian = user_by_email("cp.ee@demo.test")
    estonian.locale = "et"
    staff = user_by_email("secretariat@demo.test")
    with time_machine.travel(_at(2026, 3, 2, 9), tick=False):
        ticket = services.open_ticket(_state("EE"), by=estonian, category="rights", subject="Litsents",
                                      body="Kas CC BY-NC sobib?", language="et")
    with time_machine.travel(_at(2026, 3, 3, 9), tick=False):
        reply = services.reply(ticket, by=staff, body="Which institution holds the rights?", then="waiting")
    assert ticket.status == "waiting" and ticket.first_response_at == _at(2026, 3, 3, 9)
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key ==
                                                            f"ticket-reply:{reply.id}:{estonian.id}"))
    assert mail.language == "et" and "Which institution holds the rights?" in mail.text_body
    assert mail.subject == f"Kasutajatugi {ticket.reference}: Litsents"
    with time_machine.travel(_at(2026, 3, 9, 9), tick=False):  # a week later: the clock stood still
        services.reply(ticket, by=estonian, body="Muuseum.")
        assert ticket.status == "open"
        resolution = services.service_of(ticket).resolution
        assert resolution.used == sla.DAY and not resolution.paused
    with time_machine.travel(_at(2026, 3, 9, 15), tick=False):
        services.set_status(ticket, "resolved", by=staff)
        service = services.service_of(ticket)
        assert service.resolution.stopped and service.resolution.used == 1.25 * sla.DAY
        assert not service.breached
    # A reply to a resolved ticket reopens it; a closed ticket refuses replies.
    services.reply(ticket, by=estonian, body="One more question.")
    assert ticket.status == "open" and ticket.resolved_at is None
    services.set_status(ticket, "closed", by=estonian)
    with pytest.raises(services.TicketRefused) as refused:
        services.reply(ticket, by=estonian, body="And another.")
    assert refused.value.reason == "closed"


def test_a_reply_to_a_closed_ticket_is_refused_with_a_message_and_nothing_saved(app, client, login_as):
    login_as("cp_own")
    _open(client)
    ticket = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))
    client.post(f"/tickets/{ticket.id}/status", data={"status": "closed", "version": ticket.version})
    assert ticket.status == "closed"
    count = len(ticket.messages)
    response = client.post(f"/tickets/{ticket.id}/reply", data={"body": "Still there?"})
    assert response.status_code == 409
    assert "This ticket is closed, so it takes no more replies." in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert len(ticket.messages) == count


def test_internal_notes_and_their_files_stay_with_the_staff(app, client, login_as):
    staff = login_as("secretariat")
    ticket = services.open_ticket(_state("EE"), by=user_by_email("cp.ee@demo.test"), category="other",
                                  subject="Question", body="Hello")
    note = services.reply(ticket, by=staff, body="Their ministry changes in May.", internal=True,
                          uploads=[(io.BytesIO(PDF), "internal.pdf")])
    db.session.commit()
    stored = db.session.scalar(sa.select(StoredFile).where(StoredFile.entity_id == note.id,
                                                           StoredFile.entity_type == "ticket_messages"))
    assert ticket.status == "new" and ticket.first_response_at is None  # a note is no answer
    assert "Their ministry changes in May." in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    login_as("cp_own")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Their ministry changes in May." not in page and "internal.pdf" not in page
    assert client.get(f"/tickets/{ticket.id}/files/{stored.id}").status_code == 404
    assert client.post(f"/tickets/{ticket.id}/reply", data={"body": "x", "internal": "y"}).status_code == 302
    assert not db.session.scalar(sa.select(TicketMessage).order_by(TicketMessage.id.desc()).limit(1)).is_internal
    assert not db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.idempotency_key.like(f"ticket-reply:{note.id}:%"))).all()


def test_another_countrys_ticket_is_404_and_viewers_read_without_writing(app, client, login_as):
    ticket = services.open_ticket(_state("EE"), by=user_by_email("cp.ee@demo.test"), category="other",
                                  subject="Estonian question", body="Hello", uploads=[(io.BytesIO(PDF), "a.pdf")])
    db.session.commit()
    stored = services.thread_of(ticket, internal=False)[0][1][0]
    login_as("cp_other")
    for url in (f"/tickets/{ticket.id}", f"/tickets/{ticket.id}/files/{stored.id}"):
        assert client.get(url).status_code == 404
    assert client.post(f"/tickets/{ticket.id}/reply", data={"body": "x"}).status_code == 404
    assert "Estonian question" not in client.get("/tickets?q=Estonian").get_data(as_text=True)
    login_as("viewer")
    assert client.get(f"/tickets/{ticket.id}").status_code == 200
    assert client.post(f"/tickets/{ticket.id}/reply", data={"body": "x"}).status_code == 403


def test_merging_keeps_one_country_and_points_the_duplicate_to_the_ticket_kept(app, client, login_as):
    staff = login_as("secretariat")
    estonian = user_by_email("cp.ee@demo.test")
    first = services.open_ticket(_state("EE"), by=estonian, category="events", subject="Slides", body="Slides?")
    second = services.open_ticket(_state("EE"), by=estonian, category="events", subject="Slides again", body="?")
    french = services.open_ticket(_state("FR"), by=user_by_email("cp.fr@demo.test"), category="events",
                                  subject="Diapositives", body="?")
    with pytest.raises(services.TicketRefused):
        services.merge(second, french, by=staff)
    services.merge(second, first, by=staff)
    db.session.commit()
    assert second.status == "closed" and second.merged_into_id == first.id
    login_as("cp_own")
    page = client.get(f"/tickets/{second.id}").get_data(as_text=True)
    assert f"This ticket was merged into #{first.id}" in page
    assert "was merged into this ticket" not in client.get(f"/tickets/{first.id}").get_data(as_text=True)


def test_the_queue_filters_searches_and_puts_the_overdue_first(app, client, login_as):
    login_as("secretariat")
    page = client.get("/tickets").get_data(as_text=True)
    overdue = db.session.scalar(sa.select(Ticket).where(Ticket.subject == "Texture resolution for the final model"))
    assert page.index(overdue.subject) < page.index("Slides of the next Café")
    assert "tracker-row--overdue" in page
    assert "Overdue" in client.get("/tickets?overdue=1").get_data(as_text=True)
    found = client.get("/tickets?q=matting+spray").get_data(as_text=True)  # words of a reply, not the subject
    assert "Photogrammetry of a reflective bronze" in found and "Texture resolution" not in found
    greek = client.get("/tickets?country=EL&status=resolved").get_data(as_text=True)
    assert "Rights of a scan made by a contractor" in greek and "Language tags" not in greek
    assert client.get(f"/tickets?number=%23{overdue.id}").location.endswith(f"/tickets/{overdue.id}")
    dashboard = client.get("/").get_data(as_text=True)
    assert 'id="overdue-tickets"' in dashboard


def test_the_report_on_the_demo_data(app, client, login_as):
    report = services.report()
    assert report.total == 14  # the merged duplicate is not counted
    assert report.by_category["digitisation"] == 3 and report.by_country["EE"] == 3
    assert report.first_response_counted == 12 and report.resolution_counted == 10
    assert report.first_response_met == 10 and report.resolution_met == 9
    assert report.median_first_response_days is not None and report.overdue >= 1
    login_as("viewer")
    page = client.get("/tickets/report").get_data(as_text=True)
    assert "within the service level: 10 of 12" in page and "within the service level: 9 of 10" in page


def test_saved_replies_per_language_start_a_reply(app, client, login_as):
    login_as("secretariat")
    duplicate = client.post("/tickets/saved-replies", data={
        "title": "Polygon budget for web viewers", "language": "en", "body": "Again"})
    assert duplicate.status_code == 422 and "already exists in this language" in duplicate.get_data(as_text=True)
    added = client.post("/tickets/saved-replies", data={"title": "Polygon budget for web viewers", "language": "et",
                                                        "body": "Püüdke 1–2 miljonit kolmnurka."})
    assert added.status_code == 302
    from tracker.tickets.models import SavedReply

    estonian = db.session.scalar(sa.select(SavedReply).where(SavedReply.language == "et",
                                                             SavedReply.title == "Polygon budget for web viewers"))
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.subject == "Texture resolution for the final model"))
    page = client.get(f"/tickets/{ticket.id}?saved={estonian.id}").get_data(as_text=True)
    assert "Püüdke 1–2 miljonit kolmnurka.</textarea>" in page
    assert page.index("(Estonian)") < page.index("(English)")  # the ticket's language first


def test_erasing_a_person_scrubs_what_their_account_wrote(app):
    from tracker.contacts.models import Person
    from tracker.privacy.services import erase_person

    estonian = user_by_email("cp.ee@demo.test")
    ticket = services.open_ticket(_state("EE"), by=estonian, category="other", subject="Question",
                                  body="I am Maria Tamm, call me on +372 5555 5555.",
                                  uploads=[(io.BytesIO(PDF), "cv.pdf")])
    person = db.session.get(Person, estonian.person_id)
    erase_person(person, by="test")
    [message] = ticket.messages
    assert message.body == "[erased]" and message.author_label == "[erased]"
    assert services.thread_of(ticket, internal=True)[0][1] == []


def test_a_desk_email_is_a_valid_message(app):
    ticket = services.open_ticket(_state("FR"), by=user_by_email("cp.fr@demo.test"), category="other",
                                  subject="Question\r\nBcc: x@evil.test", body="Bonjour")
    row = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1))
    from tracker.mail.services import build_message

    parsed = message_from_string(build_message(row).as_string())
    assert parsed["Bcc"] is None and "Question" in parsed["Subject"]
    assert ticket.subject.startswith("Question")
    assert datetime.now(UTC) - ticket.created_at < timedelta(minutes=5)
