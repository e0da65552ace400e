"""Appointments on the demo campaign: carry-over, asking to confirm, the personal link, replies,
the overview and its exports, and one person's export and erasure.

In the demo, Estonia's Part II primary (Maria Tamm) and alternate (Andres Saar) await confirmation
and have not been asked; 18 countries have a confirmed primary.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from tests.conftest import user_by_email
from tracker.accounts.models import User
from tracker.appointments import services
from tracker.appointments.models import Appointment
from tracker.audit.models import AuditEntry
from tracker.contacts.models import Person
from tracker.core.time import utcnow
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db
from tracker.files.models import StoredFile
from tracker.mail.models import OutboxMessage


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _part2() -> Campaign:
    return db.session.scalar(sa.select(Campaign).where(Campaign.code == "twinit-2"))


def _appointment(code: str, kind: str = "primary") -> Appointment:
    return db.session.scalar(
        sa.select(Appointment).where(Appointment.campaign_id == _part2().id,
                                     Appointment.member_state_id == _state(code).id, Appointment.kind == kind,
                                     Appointment.state.in_(("awaiting_confirmation", "confirmed")))
    )


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _audit(action: str, entity_id: int | None = None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(db.session.scalars(query))


def _link(appointment: Appointment) -> str:
    return f"/appointments/link/{services.make_link_token(appointment)}"


def _snapshot(appointment: Appointment) -> tuple:
    db.session.refresh(appointment)
    return (appointment.state, appointment.version, appointment.link_nonce, appointment.answered_at,
            _count(AuditEntry), _count(Person), _count(OutboxMessage))


CONFIRM = {
    "action": "confirm", "confirm-given_name": "Maria", "confirm-family_name": "Tamm",
    "confirm-email": "maria.tamm@ee.demo.test", "confirm-phone": "+372 600 1000",
    "confirm-organisation_name": "Ministry of Culture", "confirm-organisation_kind": "ministry",
    "confirm-position": "Head of digital heritage", "confirm-languages": ["et", "en"],
    "confirm-preferred_language": "et",
}


# -- carry-over ---------------------------------------------------------------------------------

def test_carry_over_makes_part_one_contact_points_await_confirmation_and_adds_nothing_twice(app):
    part2 = _part2()
    assert services.carry_over(part2, by="test") == []  # the demo already carried everyone over

    estonia = _state("EE")
    for appointment in services.appointments_of(part2, estonia):
        db.session.delete(appointment)
    db.session.flush()
    created = services.carry_over(part2, by="test")

    assert [(a.member_state.code, a.kind, a.state) for a in created] == [
        ("EE", "primary", "awaiting_confirmation"), ("EE", "alternate", "awaiting_confirmation")]
    for appointment in created:
        old = appointment.carried_from
        assert old.campaign.code == "twinit-1" and old.person_id == appointment.person_id
        assert appointment.organisation_id == old.organisation_id
    assert services.carry_over(part2, by="test") == []


def test_the_carry_over_button_tells_what_it_did(client, login_as):
    login_as("secretariat")
    response = client.post("/appointments/carry-over", follow_redirects=True)
    assert "Every earlier contact point is already carried over." in response.get_data(as_text=True)


# -- asking to confirm ---------------------------------------------------------------------------

def test_asking_estonia_emails_each_person_awaiting_their_own_link_in_their_language(app, client, login_as):
    login_as("secretariat")
    response = client.post("/countries/EE/appointments/request-confirmation", data={"cc_permrep": "y"})
    assert response.status_code == 302

    rows = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key.like("appointment-request:%"))
                                   .order_by(OutboxMessage.id)))
    assert [row.recipients for row in rows] == ["Maria Tamm <maria.tamm@ee.demo.test>", "Andres Saar <andres.saar@ee.demo.test>"]
    assert {row.cc for row in rows} == {"permrep.ee@demo.test"}
    assert {row.language for row in rows} == {"et"} and all(row.is_sensitive for row in rows)
    links = [re.search(r"http://localhost(/appointments/link/\S+)", row.text_body).group(1) for row in rows]
    assert len(set(links)) == 2
    primary = _appointment("EE")
    assert services.check_link(links[0].rsplit("/", 1)[1]).appointment == primary
    assert (primary.request_count, primary.requested_at is not None) == (1, True)
    assert [e.how for e in _audit("request_confirmation", primary.id)] == ["web"]


def test_asking_again_within_ten_minutes_sends_nothing_more(app):
    waiting = services.awaiting_confirmation(_part2(), _state("EE"))
    first = services.request_confirmation(waiting, cc_permrep=False, by="test")
    again = services.request_confirmation(waiting, cc_permrep=False, by="test")
    assert (len(first.asked), len(again.asked), len(again.recently_asked)) == (2, 0, 2)
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        later = services.request_confirmation(waiting, cc_permrep=False, by="test")
    assert len(later.asked) == 2 and _count(OutboxMessage, OutboxMessage.idempotency_key.like("appointment-request:%")) == 4


def test_the_command_asks_one_country_or_every_pending_one(app, runner):
    result = runner.invoke(args=["appointments", "request-confirmation", "--country", "ee"])
    assert result.exit_code == 0, result.output
    assert "asked EE maria.tamm@ee.demo.test (primary)" in result.output and "2 asked, 0 skipped" in result.output

    everyone = runner.invoke(args=["appointments", "request-confirmation", "--all-pending", "--cc-permrep"])
    assert everyone.exit_code == 0, everyone.output
    pending = _count(Appointment, Appointment.campaign_id == _part2().id, Appointment.state == "awaiting_confirmation")
    assert f"{pending - 2} asked, 2 skipped" in everyone.output

    assert runner.invoke(args=["appointments", "request-confirmation"]).exit_code != 0
    unknown = runner.invoke(args=["appointments", "request-confirmation", "--country", "XX"])
    assert unknown.exit_code != 0 and "no member state" in unknown.output


# -- the personal link ---------------------------------------------------------------------------

def test_opening_the_link_changes_nothing_and_shows_only_that_persons_data(app, client):
    primary = _appointment("EE")
    before = _snapshot(primary)
    for _ in range(3):  # an Outlook link scanner, then the person, then again
        response = client.get(_link(primary))
        assert response.status_code == 200
    assert _snapshot(primary) == before
    page = response.get_data(as_text=True)
    assert "maria.tamm@ee.demo.test" in page
    assert "andres.saar" not in page and "permrep" not in page  # not the alternate, not the mailbox
    assert 'lang="et"' in page


def test_confirming_by_the_link_meets_the_milestone_and_is_audited(app, client):
    primary = _appointment("EE")
    day = services.today_in_brussels()
    assert services.count_contact_points(day, campaign_id=_part2().id).get(_state("EE").id) is None

    response = client.post(_link(primary), data=CONFIRM)

    assert response.status_code == 200
    db.session.refresh(primary)
    assert (primary.state, primary.answered_how, primary.since_on) == ("confirmed", "link", day)
    assert (primary.position, primary.languages, primary.person.phone) == ("Head of digital heritage", "et en", "+372 600 1000")
    assert services.count_contact_points(day, campaign_id=_part2().id)[_state("EE").id] == 1
    [entry] = _audit("confirm", primary.id)
    assert (entry.how, entry.actor_label) == ("link", "maria.tamm@ee.demo.test (link)")

    again = client.get(_link(primary))
    assert again.status_code == 200
    assert "Already confirmed" in again.get_data(as_text=True) or "juba kinnitatud" in again.get_data(as_text=True).lower()


def test_a_used_link_keeps_saying_already_confirmed(app, client):
    primary = _appointment("EE")
    link = _link(primary)
    client.post(link, data=CONFIRM)
    for method in ("get", "post"):
        response = getattr(client, method)(link + "?lang=en", data={"action": "decline"} if method == "post" else None)
        assert response.status_code == 200 and "Already confirmed" in response.get_data(as_text=True)
    db.session.refresh(primary)
    assert primary.state == "confirmed" and _audit("decline", primary.id) == []


def test_confirming_without_a_password_offers_to_set_one(app, client):
    alternate = _appointment("EE", "alternate")
    data = {**CONFIRM, "confirm-given_name": "Andres", "confirm-family_name": "Saar",
            "confirm-email": "andres.saar@ee.demo.test"}
    response = client.post(_link(alternate) + "?lang=en", data=data)
    page = response.get_data(as_text=True)
    token = re.search(r'href="/invitation/([^"]+)"', page).group(1)
    user = db.session.scalar(sa.select(User).where(User.email == "andres.saar@ee.demo.test"))
    assert (user.role, user.member_state.code, user.person_id, user.password_hash) == ("contact_point", "EE", alternate.person_id, None)
    set_password = client.post(f"/invitation/{token}", data={"password": "a-long-enough-password", "confirm": "a-long-enough-password"})
    assert set_password.status_code == 302
    db.session.refresh(user)
    assert user.password_hash is not None


def test_a_person_with_an_account_is_sent_to_the_login(app, client):
    # Maria Tamm is the person behind the cp.ee@demo.test login.
    response = client.post(_link(_appointment("EE")) + "?lang=en", data=CONFIRM)
    page = response.get_data(as_text=True)
    assert "/invitation/" not in page and 'href="/login"' in page
    assert _count(User, User.email == "maria.tamm@ee.demo.test") == 0


def test_confirming_with_an_alternate_proposes_them(app, client):
    data = {**CONFIRM, "confirm-alternate_given_name": "Kadri", "confirm-alternate_family_name": "Mets",
            "confirm-alternate_email": "kadri.mets@ee.demo.test", "confirm-alternate_organisation": "Eesti Rahva Muuseum"}
    client.post(_link(_appointment("EE")), data=data)
    proposal = db.session.scalar(sa.select(Appointment).join(Person).where(Person.email == "kadri.mets@ee.demo.test"))
    assert (proposal.kind, proposal.state, proposal.proposed_by.person.family_name) == ("alternate", "proposed", "Tamm")
    assert proposal.person.member_state.code == "EE" and proposal.organisation.name == "Eesti Rahva Muuseum"


def test_declining_by_the_link(app, client):
    primary = _appointment("EE")
    response = client.post(_link(primary), data={"action": "decline", "decline-reason": "I retire in October."})
    assert response.status_code == 200
    db.session.refresh(primary)
    assert (primary.state, primary.note, primary.answered_how) == ("declined", "I retire in October.", "link")
    assert "You declined" in client.get(_link(primary) + "?lang=en").get_data(as_text=True)


def test_a_replacement_waits_for_the_secretariat_then_gets_its_own_link(app, client, login_as):
    primary = _appointment("EE")
    link = _link(primary)
    client.post(link, data={"action": "replace", "replace-given_name": "Kertu", "replace-family_name": "Ilves",
                            "replace-email": "kertu.ilves@ee.demo.test", "replace-organisation_name": "Ministry of Culture"})
    proposal = db.session.scalar(sa.select(Appointment).where(Appointment.replaces_id == primary.id))
    assert (proposal.state, proposal.kind) == ("proposed", "primary")
    assert primary.state == "awaiting_confirmation"
    assert "Your proposal is with the secretariat" in client.get(link + "?lang=en").get_data(as_text=True)

    login_as("secretariat")
    assert client.post(f"/appointments/{proposal.id}/accept").status_code == 302
    db.session.refresh(primary)
    db.session.refresh(proposal)
    assert (primary.state, primary.replaced_by_id, proposal.state) == ("replaced", proposal.id, "awaiting_confirmation")
    [message] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipients.like("%kertu.ilves%")))
    assert message.language == "et" and "/appointments/link/" in message.text_body


def test_replacements_can_take_effect_at_once_when_so_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "APPOINTMENT_PROPOSALS_AUTO_ACCEPT", True)
    primary = _appointment("EE")
    client.post(_link(primary), data={"action": "replace", "replace-given_name": "Kertu", "replace-family_name": "Ilves",
                                      "replace-email": "kertu.ilves@ee.demo.test", "replace-organisation_name": "Ministry"})
    proposal = db.session.scalar(sa.select(Appointment).where(Appointment.replaces_id == primary.id))
    assert (primary.state, proposal.state) == ("replaced", "awaiting_confirmation")
    assert _count(OutboxMessage, OutboxMessage.recipients.like("%kertu.ilves%")) == 1


# -- bad input ------------------------------------------------------------------------------------

def test_a_tampered_or_unknown_link_is_refused_with_nothing_shown(app, client):
    token = services.make_link_token(_appointment("EE"))
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token"):
        response = client.get(f"/appointments/link/{bad}?lang=en")
        assert response.status_code == 404
        assert "maria" not in response.get_data(as_text=True).lower()


def test_an_expired_link_offers_a_new_one_sent_to_the_address_on_record(app, client):
    primary = _appointment("EE")
    link = _link(primary)
    with time_machine.travel(utcnow() + timedelta(days=31)):
        before = _snapshot(primary)
        response = client.get(link + "?lang=en")
        assert response.status_code == 410 and "Email me a new link" in response.get_data(as_text=True)
        assert client.post(link, data=CONFIRM).status_code == 410
        assert _snapshot(primary) == before
        renewed = client.post(link + "/new-link")
        assert renewed.status_code == 200
        client.post(link + "/new-link")  # twice the same day: one email
    [message] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key.like("appointment-renew:%")))
    assert message.recipients == "Maria Tamm <maria.tamm@ee.demo.test>"


def test_a_wrong_email_is_refused_and_nothing_is_saved(app, client):
    primary = _appointment("EE")
    before = _snapshot(primary)
    response = client.post(_link(primary) + "?lang=en", data={**CONFIRM, "confirm-email": "not-an-email"})
    assert response.status_code == 422 and "Invalid email address." in response.get_data(as_text=True)
    assert _snapshot(primary) == before


def test_a_replacement_who_belongs_to_another_country_is_refused(app, client):
    primary = _appointment("EE")
    before = _snapshot(primary)
    response = client.post(_link(primary) + "?lang=en", data={
        "action": "replace", "replace-given_name": "Camille", "replace-family_name": "Martin",
        "replace-email": "Camille.Martin@fr.demo.test", "replace-organisation_name": "Ministère"})
    assert response.status_code == 422
    assert "is a contact point of another country (France)" in response.get_data(as_text=True)
    assert _snapshot(primary) == before
    assert _count(AuditEntry, AuditEntry.entity_type == "organisations", AuditEntry.action == "create",
                  AuditEntry.actor_label.like("maria%")) == 0


def test_two_answers_at_once_keep_the_first(app, client):
    primary = _appointment("EE")
    link = _link(primary)
    # Another request saved an answer after this one loaded the appointment: the version check refuses it.
    db.session.execute(sa.update(Appointment).where(Appointment.id == primary.id)
                       .values(version=Appointment.version + 1).execution_options(synchronize_session=False))
    response = client.post(link + "?lang=en", data={"action": "decline"})
    assert response.status_code == 409
    assert "An answer was given from another window" in response.get_data(as_text=True)
    assert _audit("decline", primary.id) == []


def test_a_second_primary_is_refused(app, client, login_as):
    login_as("secretariat")
    kask = db.session.scalar(sa.select(Person).where(Person.email == "liis.kask@ee.demo.test"))
    response = client.post("/countries/EE/appointments/new", data={
        "person_id": str(kask.id), "kind": "primary", "state": "awaiting_confirmation", "how": "web",
        "preferred_language": "et"})
    assert response.status_code == 422
    assert "already has a primary contact point" in response.get_data(as_text=True)
    assert _count(Appointment, Appointment.person_id == kask.id) == 0

    ok = client.post("/countries/EE/appointments/new", data={
        "person_id": str(kask.id), "kind": "alternate", "state": "confirmed", "how": "phone", "preferred_language": "et"})
    assert ok.status_code == 302
    [added] = db.session.scalars(sa.select(Appointment).where(Appointment.person_id == kask.id))
    assert (added.kind, added.state, added.answered_how) == ("alternate", "confirmed", "phone")


def test_a_person_of_another_country_cannot_be_appointed(app, client, login_as):
    login_as("secretariat")
    response = client.post("/countries/EE/appointments/new", data={
        "given_name": "Camille", "family_name": "Martin", "email": "camille.martin@fr.demo.test",
        "kind": "alternate", "state": "awaiting_confirmation", "how": "web", "preferred_language": "fr"})
    assert response.status_code == 422 and "another country (France)" in response.get_data(as_text=True)


# -- replies received outside the tracker ---------------------------------------------------------

def _reply(client, appointment, **extra):
    data = {"outcome": "confirmed", "how": "letter", "received_on": "2025-09-10", "note": "Letter of 8 September."}
    data.update(extra)
    return client.post(f"/appointments/{appointment.id}/reply", data=data, content_type="multipart/form-data")


def test_a_letter_is_recorded_with_its_file(app, client, login_as):
    login_as("secretariat")
    primary = _appointment("EE")
    response = _reply(client, primary, attachment=(io.BytesIO(b"%PDF-1.4\n% a scanned letter\n"), "../../letter.pdf"))
    assert response.status_code == 302
    db.session.refresh(primary)
    assert (primary.state, primary.answered_how, primary.note, str(primary.since_on)) == (
        "confirmed", "letter", "Letter of 8 September.", "2025-09-10")
    [stored] = db.session.scalars(sa.select(StoredFile).where(StoredFile.entity_id == primary.id))
    assert (stored.filename, stored.content_type, stored.member_state_id) == ("letter.pdf", "application/pdf", primary.member_state_id)
    download = client.get(f"/files/{stored.id}")
    assert download.data.startswith(b"%PDF") and "attachment" in download.headers["Content-Disposition"]
    assert [e.how for e in _audit("attach", primary.id)] == ["letter"]


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"MZ\x90\x00 not a pdf", "letter.pdf", "This kind of file is not accepted"),
    (b"", "empty.pdf", "The file is empty."),
    (b"%PDF-1.4\n" + b"0" * (64 * 1024), "big.pdf", "The file is larger than"),
])
def test_a_refused_file_saves_nothing(app, client, login_as, monkeypatch, content, name, message):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 32 * 1024)
    login_as("secretariat")
    primary = _appointment("EE")
    before = _snapshot(primary)
    response = _reply(client, primary, attachment=(io.BytesIO(content), name))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _snapshot(primary) == before and _count(StoredFile, StoredFile.entity_type == "appointments") == 0


def test_a_reply_for_an_appointment_already_answered_is_refused(app, client, login_as):
    login_as("secretariat")
    confirmed = _appointment("FR")
    response = client.get(f"/appointments/{confirmed.id}/reply", follow_redirects=True)
    assert "This appointment is no longer awaiting an answer." in response.get_data(as_text=True)


# -- the overview and its exports ---------------------------------------------------------------------

def test_the_overview_counts_and_filters(app, client, login_as):
    login_as("viewer")
    page = client.get("/appointments").get_data(as_text=True)
    assert "Countries confirmed: 18 of 27" in page
    awaiting = client.get("/appointments?state=awaiting_confirmation").get_data(as_text=True)
    assert "Estonia" in awaiting and "France" not in awaiting
    silent = client.get("/appointments?not_answered=1").get_data(as_text=True)
    assert "Hungary" in silent and "Estonia" not in silent  # Estonia was never asked


def test_exports_neutralise_formulas_and_are_audited(app, client, login_as):
    person = _appointment("EE").person
    person.given_name, person.phone = "=HYPERLINK(\"http://evil.test\")", "+372 5555"
    db.session.flush()
    login_as("viewer")

    response = client.get("/appointments/export.csv")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["country", "kind", "state"] and len(rows) == 1 + _count(Appointment, Appointment.campaign_id == _part2().id)
    [estonia] = [row for row in rows if row[5] == "maria.tamm@ee.demo.test"]
    assert estonia[3] == "'=HYPERLINK(\"http://evil.test\")" and estonia[6] == "'+372 5555"

    workbook = load_workbook(io.BytesIO(client.get("/appointments/export.xlsx").data))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
    assert [(cell.value, cell.data_type) for cell in cells] == [("'=HYPERLINK(\"http://evil.test\")", "s")]
    assert [e.note.split(" ")[0] for e in _audit("export")] == ["CSV", "XLSX"]
    assert {e.actor_label for e in _audit("export")} == {"viewer@demo.test"}


def test_a_contact_point_sees_their_countrys_appointments_only(client, login_as):
    login_as("cp_own")
    assert "Maria Tamm" in client.get("/countries/EE/appointments").get_data(as_text=True)
    assert client.get("/countries/FR/appointments").status_code == 404


# -- one person's data ----------------------------------------------------------------------------------

def test_the_export_of_a_person_holds_everything_and_is_audited(app, client, login_as):
    login_as("secretariat")
    services.request_confirmation([_appointment("EE")], cc_permrep=False, by="test")
    maria = _appointment("EE").person
    response = client.get(f"/people/{maria.id}/export.json")
    data = json.loads(response.data)
    assert data["person"]["email"] == "maria.tamm@ee.demo.test"
    assert {(a["campaign"], a["state"]) for a in data["appointments"]} == {("twinit-1", "confirmed"), ("twinit-2", "awaiting_confirmation")}
    assert data["account"]["email"] == "cp.ee@demo.test"
    assert len(data["emails"]) == 1 and data["emails"][0]["text"] is None  # the link inside is a secret
    assert any(entry["action"] == "request_confirmation" for entry in data["history"])
    assert [e.entity_id for e in _audit("export_person")] == [maria.id]


def test_erasing_a_person_replaces_their_data_everywhere_and_keeps_the_statistics(app, client, login_as):
    maria = _appointment("EE").person
    services.request_confirmation([_appointment("EE")], cc_permrep=False, by="test")
    client.post(_link(_appointment("EE")), data=CONFIRM)
    appointments = _count(Appointment, Appointment.person_id == maria.id)
    login_as("secretariat")

    wrong = client.post(f"/people/{maria.id}/erase", data={"confirm_email": "someone@else.test"})
    assert wrong.status_code == 422 and maria.erased_at is None
    assert client.post(f"/people/{maria.id}/erase", data={"confirm_email": "Maria.Tamm@ee.demo.test"}).status_code == 302

    db.session.refresh(maria)
    assert (maria.given_name, maria.email, maria.phone) == ("[erased]", f"erased-{maria.id}@erased.invalid", "")
    assert _count(Appointment, Appointment.person_id == maria.id) == appointments
    dumped = json.dumps([(e.actor_label, e.changes, e.note) for e in db.session.scalars(sa.select(AuditEntry))], ensure_ascii=False)
    assert "maria.tamm" not in dumped.lower() and "Tamm" not in dumped and "600 1000" not in dumped
    mail = db.session.scalars(sa.select(OutboxMessage.recipients + OutboxMessage.text_body)).all()
    assert not any("maria.tamm" in (text or "") for text in mail)
    account_id = db.session.scalar(sa.select(User.id).where(User.person_id == maria.id))
    login = user_by_email(f"erased-user-{account_id}@erased.invalid")
    assert (login.is_enabled, login.password_hash) == (False, None)
    assert [e.entity_id for e in _audit("erase")] == [maria.id]
    assert services.check_link(services.make_link_token(_appointment("EE"))).status == "invalid"
