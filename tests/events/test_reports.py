"""The attendance report parser on each tool's real export format, cut and garbled files, and a large report."""

from __future__ import annotations

import importlib.util
import os
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.events.reports import Report, ReportError, decode_report, detect_tool, parse_report

SAMPLES = Path(__file__).parent / "samples"
#: Each sample and the tool it comes from.
SAMPLE_TOOLS = {
    "zoom_participants.csv": "zoom",
    "teams_attendance.csv": "teams",
    "teams_attendance_legacy.csv": "teams",
    "webex_attendees.csv": "webex",
    "plain_attendees.csv": "plain",
}
#: The samples with times: one row per join, Maria Tamm's three included.
TIMED = [name for name, tool in SAMPLE_TOOLS.items() if tool != "plain"]
MARIA = "maria.tamm@ee.demo.test"
#: Maria Tamm's joins on 22 September 2025, as every timed sample prints them.
MARIA_JOINS = [
    (datetime(2025, 9, 22, 10, 0, 5), datetime(2025, 9, 22, 10, 24, 40)),
    (datetime(2025, 9, 22, 10, 26, 10), datetime(2025, 9, 22, 10, 55, 2)),
    (datetime(2025, 9, 22, 10, 57, 30), datetime(2025, 9, 22, 11, 30, 5)),
]


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _report(name: str) -> Report:
    return parse_report(_sample(name))


def _refused(data: bytes) -> str:
    """The untranslated message of the error `data` is refused with (and check it is a lazy string)."""
    with pytest.raises(ReportError) as refused:
        parse_report(data)
    message = refused.value.message
    assert hasattr(message, "_args"), "messages are lazy_gettext strings, translated when shown"
    assert str(refused.value) == str(message)
    return str(message)


def _teams_text() -> str:
    return decode_report(_sample("teams_attendance.csv"))


def _utf16(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")


# --- The samples -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_TOOLS)
def test_each_sample_is_recognised_by_its_content(name):
    data = _sample(name)
    assert detect_tool(decode_report(data)) == SAMPLE_TOOLS[name]
    report = parse_report(data)
    assert report.tool == SAMPLE_TOOLS[name]
    # Thirteen joins of eleven people in the timed reports, eleven people in the plain list.
    assert len(report.rows) == (11 if report.tool == "plain" else 13)
    assert len({row.email or row.name for row in report.rows}) == 11


def test_the_samples_are_in_each_tools_encoding():
    assert _sample("teams_attendance.csv").startswith(b"\xff\xfe1\x00.\x00 \x00S\x00")
    assert _sample("teams_attendance_legacy.csv").startswith(b"\xff\xfeM\x00e\x00")
    assert _sample("webex_attendees.csv").startswith(b"\xff\xfeM\x00e\x00")
    assert _sample("zoom_participants.csv").startswith(b"Meeting ID,Topic,")
    assert _sample("plain_attendees.csv").startswith(b"\xef\xbb\xbfFirst name;")
    assert "\r\n" in _teams_text() and "\t" in _teams_text()


@pytest.mark.parametrize("name", TIMED)
def test_maria_tamms_three_joins_add_up(name):
    joins = [row for row in _report(name).rows if row.email == MARIA]
    assert [(row.joined_at, row.left_at) for row in joins] == MARIA_JOINS
    assert {row.name for row in joins} == {"Maria Tamm"}
    seconds = sum(row.seconds for row in joins)
    if name.startswith("teams"):
        assert seconds == 1475 + 1732 + 1955  # Teams prints seconds: 24m 35s, 28m 52s, 32m 35s
    else:
        assert seconds == (25 + 29 + 33) * 60  # Zoom and Webex print whole minutes


@pytest.mark.parametrize("name", SAMPLE_TOOLS)
def test_the_organiser_is_the_secretariat(name):
    report = _report(name)
    organisers = {row.email for row in report.rows if row.role == "organiser"}
    assert organisers == {"secretariat@demo.test"}
    assert Counter(row.role for row in report.rows)["attendee"] == len(report.rows) - 1


@pytest.mark.parametrize(
    ("name", "guests"),
    [
        ("teams_attendance.csv", {"Jan Novak", "Ana Pereira"}),  # " (Guest)", " (External)"
        ("teams_attendance_legacy.csv", {"Jan Novak", "Ana Pereira"}),  # " (Guest)"
        ("zoom_participants.csv", {"Jan Novak", "Ana Pereira"}),  # Guest: Yes
        ("webex_attendees.csv", set()),  # the export marks no guests
        ("plain_attendees.csv", {"Jan Novak"}),  # typed "(Guest)"
    ],
)
def test_guests_are_flagged_and_their_mark_dropped_from_the_name(name, guests):
    rows = _report(name).rows
    assert {row.name for row in rows if row.is_guest} == guests
    assert not any("(" in row.name for row in rows)


@pytest.mark.parametrize("name", SAMPLE_TOOLS)
def test_emails_are_lower_cased_and_names_keep_their_script(name):
    rows = _report(name).rows
    assert "zsofia.kovacs@hu.demo.test" in {row.email for row in rows}
    assert all(row.email == row.email.lower().strip() for row in rows)
    names = {row.name for row in rows}
    assert "Ελένη Παπαδοπούλου" in names
    assert "Kazlauskienė Rūta" in names
    assert "Zsófia Kovács" in names  # Zoom's "(Zsófi K.)" original name is dropped
    assert "Camile Martin" in names
    assert {row.email for row in rows if row.name == "Camile Martin"} == {""}


def test_ciaran_has_accents_and_email_in_teams_only():
    assert {row.email for row in _report("teams_attendance.csv").rows if row.name == "Ciarán Ó Súilleabháin"} == {
        "ciaran.o.suilleabhain@ie.demo.test"
    }
    for name in ("zoom_participants.csv", "webex_attendees.csv", "plain_attendees.csv"):
        assert {row.email for row in _report(name).rows if row.name == "Ciaran O Suilleabhain"} == {""}


@pytest.mark.parametrize("name", TIMED)
def test_the_meeting_is_on_22_september_2025(name):
    report = _report(name)
    assert report.meeting_days() == {date(2025, 9, 22)}
    assert report.title == "Twin it! Introductory meeting"
    assert report.started_at == datetime(2025, 9, 22, 9, 58, 1)
    assert all(row.joined_at <= row.left_at for row in report.rows)


def test_the_summaries_announce_the_participants():
    assert _report("teams_attendance.csv").declared_participants == 11
    assert _report("teams_attendance_legacy.csv").declared_participants == 11
    assert _report("zoom_participants.csv").declared_participants == 13  # Zoom counts joins
    assert _report("webex_attendees.csv").declared_participants is None


def test_a_plain_list_has_no_times():
    report = _report("plain_attendees.csv")
    assert report.meeting_days() == set() and report.started_at is None
    assert all(row.joined_at is None and row.left_at is None and row.seconds == 0 for row in report.rows)


def test_a_plain_list_with_a_name_column_and_commas():
    report = parse_report(b"Name,E-mail\nMaria Tamm,Maria.Tamm@EE.demo.test\n,andres.saar@ee.demo.test\n")
    assert report.tool == "plain"
    assert [(row.name, row.email) for row in report.rows] == [
        ("Maria Tamm", "maria.tamm@ee.demo.test"),
        ("", "andres.saar@ee.demo.test"),
    ]


def test_teams_in_another_locale_and_zoom_without_meeting_details():
    british = _teams_text().replace("9/22/25, 9:58:01 AM", "22/09/25, 09:58:01")
    british = british.replace("9/22/25, 10:00:05 AM", "22/09/25, 10:00:05")
    report = parse_report(_utf16(british))
    assert report.started_at == datetime(2025, 9, 22, 9, 58, 1)
    assert report.rows[1].joined_at == datetime(2025, 9, 22, 10, 0, 5)

    zoom = _sample("zoom_participants.csv").decode().split("\n", 3)[3]
    assert zoom.startswith("Name (Original Name)")
    report = parse_report(zoom.encode())
    assert report.tool == "zoom" and len(report.rows) == 13 and report.title == ""


def test_teams_en_gb_layout_where_the_summary_counts_one_who_opted_out():
    # The layout of a real en-GB export (names invented): lower-case headers, 24-hour day-first dates,
    # and a summary that counts one participant more than it lists (people may opt out of the report).
    text = "\r\n".join(
        [
            "1. Summary",
            "Meeting title\tScrum",
            "Attended participants\t3",
            "Start time\t15/11/22, 09:30:17",
            "End time\t15/11/22, 09:41:47",
            "Meeting duration\t11m 31s",
            "Average attendance time\t9m 45s",
            "",
            "2. Participants",
            "Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tParticipant ID (UPN)\tRole",
            "Tamm, Maria\t15/11/22, 09:30:47\t15/11/22, 09:41:46\t10m 59s\tmaria.tamm@ee.demo.test\tmt@ee\tOrganizer",
            "Andres Saar\t15/11/22, 09:37:01\t15/11/22, 09:41:47\t4m 46s\tandres.saar@ee.demo.test\tas@ee\tPresenter",
            "",
            "3. In-Meeting activities",
            "Name\tJoin time\tLeave time\tDuration\tEmail\tRole",
            "Tamm, Maria\t15/11/22, 09:30:47\t15/11/22, 09:41:46\t10m 59s\tmaria.tamm@ee.demo.test\tOrganizer",
            "Andres Saar\t15/11/22, 09:37:01\t15/11/22, 09:41:47\t4m 46s\tandres.saar@ee.demo.test\tPresenter",
            "",
        ]
    )
    report = parse_report(_utf16(text))
    assert report.declared_participants == 3 and len(report.rows) == 2
    assert report.started_at == datetime(2022, 11, 15, 9, 30, 17)
    assert [(row.name, row.role, row.seconds) for row in report.rows] == [
        ("Tamm, Maria", "organiser", 659),
        ("Andres Saar", "attendee", 286),
    ]


def test_teams_with_a_quoted_title_engagement_columns_and_a_fourth_section():
    text = _teams_text().replace("Twin it! Introductory meeting", '"Twin it!\r\nIntroductory meeting"', 1)
    text = text.replace("\tRole\r\n", "\tRole\tEngagement: Raise Hands\r\n", 1)
    text += (
        "\r\n4. Meeting Engagement\r\nName\tEngagement Type\tTime\r\nMaria Tamm\tRaise Hands\t9/22/25, 10:05:00 AM\r\n"
    )
    report = parse_report(_utf16(text))
    assert report.title == "Twin it!\r\nIntroductory meeting"
    assert len(report.rows) == 13


def test_teams_with_the_participant_list_only():
    text = _teams_text()
    report = parse_report(_utf16(text[: text.index("3. In-Meeting Activities")]))
    assert len(report.rows) == 11  # one row per person: first join, last leave, time in the meeting
    maria = next(row for row in report.rows if row.email == MARIA)
    assert (maria.joined_at, maria.left_at, maria.seconds) == (MARIA_JOINS[0][0], MARIA_JOINS[-1][1], 5162)


# --- Files that are refused -----------------------------------------------------------------------

NOT_TEXT = "not text in UTF-8 or UTF-16"
NOT_RECOGNISED = "not an attendance report we recognise"
CUT_SHORT = "seems cut short"


def test_random_bytes_are_refused_fast():
    data = os.urandom(10 * 1024 * 1024)
    started = time.perf_counter()
    message = _refused(data)
    assert time.perf_counter() - started < 1.0
    assert NOT_TEXT in message or NOT_RECOGNISED in message


def test_a_latin_1_file_is_not_text():
    data = "Name;Email\nCiarán Ó Súilleabháin;ciaran.o.suilleabhain@ie.demo.test\n".encode("latin-1")
    assert NOT_TEXT in _refused(data)


def test_binary_files_are_not_text():
    assert NOT_TEXT in _refused(b"PK\x03\x04\x14\x00\x06\x00")  # a spreadsheet (zip)
    assert NOT_TEXT in _refused("\ufeffName\n".encode("utf-32"))


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf", b"\xff\xfe", _utf16("\r\n\r\n")])
def test_an_empty_file_is_refused(data):
    assert "The file is empty" in _refused(data)


@pytest.mark.parametrize(
    "data",
    [b"a,b,c\n1,2,3", b"Hello, world\n", b"Nimi;Telefon\nMaria Tamm;+372 555 0100\n", b"<html></html>"],
)
def test_unknown_content_is_not_recognised(data):
    message = _refused(data)
    assert NOT_RECOGNISED in message
    assert "Zoom participant report" in message and "name or email column" in message


def test_a_zoom_webinar_report_is_not_taken_for_a_meeting_report():
    data = b"Attendee Report,\nAttended,User Name (Original Name),Email,Join Time\nYes,Ada,ada@example.org,x\n"
    assert NOT_RECOGNISED in _refused(data)


@pytest.mark.parametrize("keep", [0.55, 0.6, 0.7, 0.75])
def test_a_teams_report_cut_in_the_participant_list_is_cut_short(keep):
    text = _teams_text()
    start, end = text.index("2. Participants"), text.index("3. In-Meeting Activities")
    cut = start + int((end - start) * keep)
    for data in (_utf16(text[:cut]), _utf16(text)[: 2 + 2 * cut + 1]):  # also cut inside a character
        assert CUT_SHORT in _refused(data)


def test_a_teams_report_cut_at_the_end_of_a_line_is_cut_short():
    text = _teams_text()
    cut = text.index("Camile Martin")  # the rows after are missing, yet no row is damaged
    message = _refused(_utf16(text[:cut]))
    assert CUT_SHORT in message and "announces 11 participants but lists only 9" in message


def test_a_teams_report_cut_in_the_activities_is_cut_short():
    text = _teams_text()
    cut = text.index("Camile Martin", text.index("3. In-Meeting Activities"))
    assert CUT_SHORT in _refused(_utf16(text[:cut]))
    assert CUT_SHORT in _refused(_utf16(text[: text.index("Name\tJoin Time")]))  # a section title only


def test_a_teams_report_without_its_participant_list_is_cut_short():
    text = _teams_text()
    message = _refused(_utf16(text[: text.index("2. Participants")]))
    assert CUT_SHORT in message and "Microsoft Teams" in message


def test_a_header_with_no_rows_is_cut_short():
    zoom = _sample("zoom_participants.csv").decode()
    message = _refused(zoom[: zoom.index("Secretariat Twin it")].encode())
    assert CUT_SHORT in message and "line 4" in message
    assert CUT_SHORT in _refused(b"First name;Last name;Email\r\n")


def test_a_row_with_too_few_fields_names_its_line():
    zoom = _sample("zoom_participants.csv").decode()
    cut = zoom.index(",09/22/2025 10:24:40 AM")  # Maria Tamm's first row, on line 6
    message = _refused(zoom[:cut].encode())
    assert CUT_SHORT in message and "line 6" in message and "after 3 of its 6 fields" in message


def test_an_unterminated_quote_is_cut_short():
    data = b'Name,Email\n"Maria Tamm,maria.tamm@ee.demo.test\nAndres Saar,andres.saar@ee.demo.test\n'
    message = _refused(data)
    assert CUT_SHORT in message and "line 2" in message and "never closed" in message


def test_a_bad_date_names_the_line_and_the_value():
    zoom = _sample("zoom_participants.csv").decode().replace("09/22/2025 10:00:05 AM", "31/31/2025 99:00")
    message = _refused(zoom.encode())
    assert "Line 6" in message and "31/31/2025 99:00" in message


def test_a_bad_duration_names_the_line_and_the_value():
    teams = _teams_text().replace("\t24m 35s\t", "\tabout half an hour\t")
    message = _refused(_utf16(teams))
    assert "about half an hour" in message and "Line 26" in message


def test_declared_participants_missing_from_a_zoom_report_are_cut_short():
    zoom = _sample("zoom_participants.csv").decode()
    lines = zoom.splitlines(keepends=True)
    assert CUT_SHORT in _refused("".join(lines[:-2]).encode())  # 11 of the 13 joins


# --- A large report -------------------------------------------------------------------------------


def _large_teams_report(rows: int) -> bytes:
    spec = importlib.util.spec_from_file_location("make_large_teams", SAMPLES / "make_large_teams.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.large_teams_report(rows)


def test_a_100000_row_teams_report_parses_quickly(capsys):
    data = _large_teams_report(100_000)
    started = time.process_time()
    report = parse_report(data)
    elapsed = time.process_time() - started
    assert len(report.rows) == 100_000
    assert report.declared_participants == 2_000
    assert len({row.email for row in report.rows}) == 2_000
    assert report.meeting_days() == {date(2025, 9, 22)}
    assert elapsed < 2.0
    assert capsys.readouterr() == ("", "")
