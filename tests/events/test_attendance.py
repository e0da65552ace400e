"""Attendance imports: each meeting tool's real export format, matching, review, re-imports, bad files,
the command line, and the introductory meeting's milestone."""

from __future__ import annotations

import io
import os
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import user_by_email
from tracker.contacts.models import Person
from tracker.countries.models import Campaign, MemberState
from tracker.events import services
from tracker.events.models import Attendance, AttendanceImport, Event
from tracker.extensions import db
from tracker.participation.models import Participation

SAMPLES = Path(__file__).parent / "samples"
#: Each tool's sample: every one holds the same eleven participants of the 22 September 2025 meeting.
SAMPLE_FILES = {"zoom": "zoom_participants.csv", "teams": "teams_attendance.csv",
                "teams-legacy": "teams_attendance_legacy.csv", "webex": "webex_attendees.csv",
                "plain": "plain_attendees.csv"}
#: Who the samples' participants are, by how sure the match is.
MATCHED = {"maria.tamm@ee.demo.test", "eleni.papadopoulou@el.demo.test", "zsofia.kovacs@hu.demo.test",
           "eszter.nagy@hu.demo.test", "ciaran.o-suilleabhain@ie.demo.test", "andres.saar@ee.demo.test",
           "ruta.kazlauskiene@lt.demo.test"}
PROBABLE = {"camille.martin@fr.demo.test"}


def _sample(name: str) -> bytes:
    return (SAMPLES / SAMPLE_FILES[name]).read_bytes()


def _secretariat():
    return user_by_email("secretariat@demo.test")


def _meeting(kind: str = "introductory_meeting") -> Event:
    """A fresh event on the samples' day (the demo's own introductory meeting has attendance already)."""
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "twinit-2"))
    brussels = ZoneInfo("Europe/Brussels")
    day = datetime(2025, 9, 22).date()
    event = services.create_event(campaign, {
        "kind": kind, "title": "Introductory meeting (test)", "starts_at": datetime.combine(day, time(10), brussels),
        "ends_at": datetime.combine(day, time(11, 30), brussels), "time_zone": "Europe/Brussels",
        "audience": "contact_points"}, member_states=[], by=_secretariat())
    db.session.flush()
    return event


def _emails(person_ids) -> set[str]:
    return set(db.session.scalars(sa.select(Person.email).where(Person.id.in_(list(person_ids)))))


def _counts(event: Event) -> tuple[int, int]:
    imports = db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceImport)
                                .where(AttendanceImport.event_id == event.id))
    attended = db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)
                                 .where(Attendance.event_id == event.id))
    return imports, attended


def _status(code: str) -> str:
    return db.session.scalar(sa.select(Participation.status).join(MemberState).join(Campaign).where(
        MemberState.code == code, Campaign.code == "twinit-2"))


@pytest.mark.parametrize("tool", SAMPLE_FILES)
def test_each_tools_report_is_matched_then_saved(app, tool):
    event = _meeting()
    draft = services.start_import(event, SAMPLE_FILES[tool], _sample(tool), by=_secretariat(),
                                  max_bytes=None).draft
    assert draft.tool == tool.split("-")[0] and draft.state == "draft"
    assert _counts(event) == (1, 0)  # a draft only: no attendance yet

    by_category: dict[str, list[dict]] = {}
    for row in draft.rows:
        by_category.setdefault(row["category"], []).append(row)
    assert _emails(r["person_id"] for r in by_category["matched"]) == MATCHED
    assert _emails(r["person_id"] for r in by_category["probable"]) == PROBABLE
    assert sorted(r["name"] for r in by_category["unmatched"]) == ["Ana Pereira", "Jan Novak"]
    assert [r["name"] for r in by_category["organiser"]] == ["Secretariat Twin it"]
    # The Greek name and the name written family name first were found without an email.
    rows = {r["name"]: r for r in draft.rows}
    assert "Ελένη Παπαδοπούλου" in rows
    assert rows["Kazlauskienė Rūta"]["how"] == "name" and rows["Kazlauskienė Rūta"]["confidence"] == 0.95
    if tool in ("zoom", "teams", "webex"):
        # Maria Tamm left twice and came back: three joins, added up.
        maria = next(r for r in draft.rows if r["email"] == "maria.tamm@ee.demo.test")
        assert maria["joins"] == 3 and 80 * 60 <= maria["seconds"] <= 90 * 60

    hungary_before = _status("HU")
    result = services.apply_import(draft, services.default_decisions(draft), by=_secretariat())
    assert result.attended == len(MATCHED) and result.countries == 5  # EE, EL, HU, IE, LT
    assert _emails(a.person_id for a in services.attendance_of(event)) == MATCHED
    # Attending the introductory meeting met its milestone: Hungary moved on, the others were there already.
    assert hungary_before == "invited" and _status("HU") == "introductory_meeting_attended"
    assert result.statuses_moved == ["HU"]


def test_the_same_file_again_changes_nothing_and_a_corrected_file_replaces_the_first(app):
    event = _meeting()
    data = _sample("zoom")
    first = services.start_import(event, "report.csv", data, by=_secretariat(), max_bytes=None).draft
    services.apply_import(first, services.default_decisions(first), by=_secretariat())
    maria = db.session.scalar(sa.select(Person).where(Person.email == "maria.tamm@ee.demo.test"))
    services.record_attendance(event, db.session.scalar(sa.select(Person).where(
        Person.email == "lotte.peeters@be.demo.test")), by=_secretariat(), minutes=30)
    before = {(a.person_id, a.seconds, a.joins) for a in services.attendance_of(event)}

    again = services.start_import(event, "same-file-renamed.csv", data, by=_secretariat(), max_bytes=None)
    assert again.unchanged and again.draft.id == first.id
    assert {(a.person_id, a.seconds, a.joins) for a in services.attendance_of(event)} == before

    # The corrected export drops Andres Saar (he was in another meeting) and Maria's third join.
    lines = data.decode().splitlines(keepends=True)
    corrected = "".join(line for line in lines if not line.startswith("Andres Saar")
                        and "10:57:30" not in line).replace(",13,", ",11,").encode()
    second = services.start_import(event, "report-corrected.csv", corrected, by=_secretariat(), max_bytes=None).draft
    result = services.apply_import(second, services.default_decisions(second), by=_secretariat())
    assert result.replaced == first and first.state == "replaced"
    attended = {a.person.email: a for a in services.attendance_of(event)}
    assert "andres.saar@ee.demo.test" not in attended
    assert attended[maria.email].joins == 2
    assert attended["lotte.peeters@be.demo.test"].source == "manual"  # recorded by hand: kept


def test_staff_decisions_link_a_probable_match_add_a_guest_and_refuse_an_unknown_email(app):
    event = _meeting(kind="webinar")
    draft = services.start_import(event, "teams.csv", _sample("teams"), by=_secretariat(), max_bytes=None).draft
    db.session.commit()  # as the upload's request does: the review happens in a later one
    index = {row["name"]: i for i, row in enumerate(draft.rows)}
    camille = db.session.scalar(sa.select(Person).where(Person.email == "camille.martin@fr.demo.test"))
    czechia = db.session.scalar(sa.select(MemberState).where(MemberState.code == "CZ"))
    decisions = services.default_decisions(draft)
    decisions[index["Camile Martin"]] = services.Decision("person", camille.id, reviewed=True)
    decisions[index["Ana Pereira"]] = services.Decision("email", email="nobody@nowhere.test")
    imports, attended = _counts(event)
    with pytest.raises(services.EventRefused) as refused:
        services.apply_import(draft, decisions, by=_secretariat())
    assert refused.value.reason == "no_such_email"
    db.session.rollback()
    event = db.session.get(Event, event.id)
    draft = db.session.get(AttendanceImport, draft.id)
    assert _counts(event) == (imports, attended) and draft.state == "draft"

    decisions[index["Ana Pereira"]] = services.Decision("ignore")
    decisions[index["Jan Novak"]] = services.Decision("new", member_state_id=czechia.id, email="jan.novak@cz.demo.test")
    result = services.apply_import(draft, decisions, by=_secretariat())
    assert result.added_people == 1 and result.attended == len(MATCHED) + 2
    jan = db.session.scalar(sa.select(Person).where(Person.email == "jan.novak@cz.demo.test"))
    assert (jan.given_name, jan.family_name, jan.member_state_id) == ("Jan", "Novak", czechia.id)
    assert camille.id in {a.person_id for a in services.attendance_of(event)}
    assert next(a for a in services.attendance_of(event) if a.person_id == camille.id).confidence == 1.0


def _shifted(data: bytes) -> bytes:
    """The Zoom sample as if the meeting had been on 14 October."""
    return data.replace(b"09/22/2025", b"10/14/2025")


BAD_FILES = {
    "unknown format": (lambda: b"a,b,c\n1,2,3\n", "not an attendance report we recognise"),
    "wrong encoding": (lambda: _sample("zoom").decode().encode("cp1252", errors="replace").replace(
        b"Maria Tamm", "Mária Tämm".encode("cp1252")), "UTF-8 or UTF-16"),
    "truncated Teams file": (lambda: _sample("teams")[:1400], "cut short"),
    "10 MB of junk": (lambda: os.urandom(10 * 1024 * 1024), None),
    "another day": (lambda: _shifted(_sample("zoom")), "14 October 2025"),
    "empty file": (lambda: b"", "empty"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_imported(app, case):
    event = _meeting()
    services.record_attendance(event, db.session.scalar(sa.select(Person).where(
        Person.email == "lotte.peeters@be.demo.test")), by=_secretariat())
    before = _counts(event)
    make, expected = BAD_FILES[case]
    with pytest.raises(services.ImportRefused) as refused:
        services.start_import(event, "upload.csv", make(), by=_secretariat(), max_bytes=15 * 1024 * 1024)
    message = str(refused.value.message)
    assert message and (expected is None or expected in message), message
    assert _counts(event) == before


def test_a_file_over_the_limit_is_refused_before_reading(app):
    event = _meeting()
    with pytest.raises(services.ImportRefused) as refused:
        services.start_import(event, "big.csv", b"x" * 2_000_001, by=_secretariat(), max_bytes=2_000_000)
    assert "larger than" in str(refused.value.message)


def test_the_command_line_prints_the_counts_saves_confident_matches_and_respects_dry_run(app, runner, tmp_path):
    event = _meeting()
    db.session.commit()
    path = tmp_path / "teams.csv"
    path.write_bytes(_sample("teams"))

    dry = runner.invoke(args=["events", "import-attendance", str(event.id), str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "7 matched, 1 probable, 2 unmatched, 1 organisers or staff" in dry.output
    assert "dry run: nothing saved" in dry.output and _counts(event) == (0, 0)

    saved = runner.invoke(args=["events", "import-attendance", str(event.id), str(path)])
    assert saved.exit_code == 0, saved.output
    assert "saved: 7 people from 5 countries" in saved.output
    assert _emails(a.person_id for a in services.attendance_of(event)) == MATCHED

    again = runner.invoke(args=["events", "import-attendance", str(event.id), str(path)])
    assert "already imported" in again.output and _counts(event) == (1, 7)

    shifted = tmp_path / "other-day.csv"
    shifted.write_bytes(_shifted(_sample("zoom")))
    refused = runner.invoke(args=["events", "import-attendance", str(event.id), str(shifted)])
    assert refused.exit_code == 1 and "14 October 2025" in refused.output and _counts(event) == (1, 7)

    probable = tmp_path / "webex.csv"
    probable.write_bytes(_sample("webex"))
    replaced = runner.invoke(args=["events", "import-attendance", str(event.id), str(probable), "--include-probable"])
    assert "saved: 8 people from 6 countries, replacing import" in replaced.output


def test_the_secretariat_imports_through_the_page_and_reviews_before_saving(app, client, login_as):
    event = _meeting()
    db.session.commit()
    login_as("secretariat")
    bad = client.post(f"/events/{event.id}/attendance/import", data={
        "report": (io.BytesIO(b"\x00\x01junk" * 100), "junk.csv")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "not text in UTF-8 or UTF-16" in bad.get_data(as_text=True) and _counts(event) == (0, 0)

    response = client.post(f"/events/{event.id}/attendance/import", data={
        "report": (io.BytesIO(_sample("zoom")), "zoom.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302 and "/attendance-imports/" in response.location
    review = client.get(response.location).get_data(as_text=True)
    assert "7 matched, 1 probable, 2 not matched, 1 organisers or staff" in review
    assert _counts(event)[1] == 0
    draft = db.session.scalar(sa.select(AttendanceImport).where(AttendanceImport.event_id == event.id))
    form = {"version": str(draft.version)}
    for i, row in enumerate(draft.rows):
        form[f"row-{i}"] = f"p{row['person_id']}" if row["category"] in ("matched", "probable") else "ignore"
    applied = client.post(response.location, data={**form, "action": "apply"}, follow_redirects=True)
    assert "Attendance saved. People: 8; countries: 6." in applied.get_data(as_text=True)
    again = client.post(response.location, data={**form, "action": "apply"}, follow_redirects=True)
    assert "already applied or discarded" in again.get_data(as_text=True)
    assert _counts(event) == (1, 8)

    login_as("viewer")
    assert client.get(response.location).status_code == 200
    assert client.post(response.location, data={**form, "action": "discard"}).status_code == 403
