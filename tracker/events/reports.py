"""Attendance reports exported by Zoom, Microsoft Teams and Webex, and plain CSV lists of attendees.

Pure functions: bytes in, a `Report` out, or a `ReportError` whose message says what was expected.
tests/events/samples/FORMATS.md records what each tool's export looks like and where that was learnt.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString

#: The tools `detect_tool` can name.
TOOLS = ("zoom", "teams", "webex", "plain")

ORGANISER = "organiser"
ATTENDEE = "attendee"


class ReportError(ValueError):
    """A file that is not a readable attendance report; `message` says what was expected."""

    def __init__(self, message: LazyString) -> None:
        # The lazy string is kept so that the page showing it translates it into the reader's language.
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ReportRow:
    """One line of a report: one join of one participant."""

    #: As written, stripped, without Zoom's "(Original Name)" and Teams' " (Guest)" additions.
    name: str
    #: Lower-cased, "" when the report has none.
    email: str
    #: Naive local times as the report prints them; None when it prints none (plain lists).
    joined_at: datetime | None
    left_at: datetime | None
    #: Time in the meeting on this line, as the tool counts it.
    seconds: int
    #: "organiser" for hosts, co-hosts, organizers and co-organizers, else "attendee".
    role: str
    #: The tool says guest, external or unverified: in Zoom and Teams, anyone outside the organiser's
    #: organisation, so not the same as "unknown".
    is_guest: bool


@dataclass(frozen=True)
class Report:
    """What a meeting tool's export says about one meeting."""

    #: "zoom", "teams", "webex" or "plain".
    tool: str
    #: The meeting's topic or title, "" if none.
    title: str
    #: Naive local start time from the summary, if any.
    started_at: datetime | None
    #: The participant count the summary announces, if any.
    declared_participants: int | None
    rows: tuple[ReportRow, ...]

    def meeting_days(self) -> set[date]:
        """Days on which the rows' joins (or the summary start) fall."""
        days = {row.joined_at.date() for row in self.rows if row.joined_at is not None}
        if not days and self.started_at is not None:
            days.add(self.started_at.date())
        return days


# --- Messages -------------------------------------------------------------------------------------


def _not_text() -> ReportError:
    return ReportError(
        _l(
            "The file is not text in UTF-8 or UTF-16. Export the attendance report again from the meeting "
            "tool and upload it unchanged."
        )
    )


def _empty() -> ReportError:
    return ReportError(
        _l("The file is empty. Export the attendance report again from the meeting tool and upload it unchanged.")
    )


def _not_recognised() -> ReportError:
    return ReportError(
        _l(
            "This is not an attendance report we recognise. Expected a Zoom participant report, a Microsoft "
            "Teams attendance report, a Webex attendee report, or a CSV with a name or email column."
        )
    )


def _short_row(line: int, found: int, expected: int) -> ReportError:
    return ReportError(
        _l(
            "The file seems cut short: line %(line)s stops after %(found)s of its %(expected)s fields. "
            "Export the attendance report again and upload the whole file unchanged.",
            line=line,
            found=found,
            expected=expected,
        )
    )


def _open_quote(line: int) -> ReportError:
    return ReportError(
        _l(
            "The file seems cut short: a quoted value that starts on line %(line)s is never closed. "
            "Export the attendance report again and upload the whole file unchanged.",
            line=line,
        )
    )


def _stray_quote(line: int) -> ReportError:
    return ReportError(
        _l(
            "Line %(line)s cannot be read: a quotation mark is out of place. "
            "Export the attendance report again and upload it unchanged.",
            line=line,
        )
    )


def _no_rows(line: int) -> ReportError:
    return ReportError(
        _l(
            "The file seems cut short: the table whose header is on line %(line)s has no rows. "
            "Export the attendance report again and upload the whole file unchanged.",
            line=line,
        )
    )


def _empty_section(line: int) -> ReportError:
    return ReportError(
        _l(
            "The file seems cut short: the section that starts on line %(line)s is empty. "
            "Export the attendance report again and upload the whole file unchanged.",
            line=line,
        )
    )


def _no_participants(tool: str) -> ReportError:
    return ReportError(
        _l(
            "The file seems cut short: this %(tool)s report has no participant list. "
            "Export the attendance report again and upload the whole file unchanged.",
            tool=tool,
        )
    )


def _too_few(announced: int, found: int) -> ReportError:
    return ReportError(
        _l(
            "The file seems cut short: the report announces %(announced)s participants but lists only "
            "%(found)s. Export the attendance report again and upload the whole file unchanged.",
            announced=announced,
            found=found,
        )
    )


def _no_column(line: int, column: str) -> ReportError:
    return ReportError(
        _l(
            "Line %(line)s should be the header of the participant table, with a “%(column)s” column. "
            "Export the attendance report again and upload it unchanged.",
            line=line,
            column=column,
        )
    )


def _bad_date(line: int, value: str) -> ReportError:
    return ReportError(
        _l(
            "Line %(line)s: “%(value)s” is not a date and time this report format uses "
            "(expected for example 9/22/25, 10:05:00 AM or 09/22/2025 10:05:00 AM).",
            line=line,
            value=_shown(value),
        )
    )


def _bad_duration(line: int, value: str) -> ReportError:
    return ReportError(
        _l(
            "Line %(line)s: “%(value)s” is not a duration we can read "
            "(expected for example 1h 2m 3s, 1:02:03 or a number of minutes).",
            line=line,
            value=_shown(value),
        )
    )


def _shown(value: str) -> str:
    """`value` short enough to quote in a message: a garbled cell can be thousands of characters long."""
    value = value.strip()
    return value if len(value) <= 60 else value[:57] + "..."


# --- Decoding and recognition ---------------------------------------------------------------------

_BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def decode_report(data: bytes) -> str:
    """Text of the file: UTF-16 with BOM, UTF-8 with or without BOM; anything else -> ReportError."""
    if not data.strip():
        raise _empty()
    if data.startswith(_BOMS_UTF16):
        # Teams and Webex write UTF-16 LE with a byte-order mark; the codec reads the mark and drops it.
        text = _decode(data, "utf-16")
    elif b"\x00" in data:
        # NUL never occurs in UTF-8 text: this is a binary file (a spreadsheet, a PDF, random bytes).
        raise _not_text()
    else:
        text = _decode(data, "utf-8-sig")
    if "\x00" in text:
        # Decodable but not text, for instance UTF-32, whose byte-order mark begins like UTF-16's.
        raise _not_text()
    if not text.strip():
        raise _empty()
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        # A file cut in the middle of a character is still text up to the cut: decoding it lets the
        # parser say that the file is cut short, and where, instead of calling it "not text".
        if error.reason in ("truncated data", "unexpected end of data") and error.end >= len(data) - 3:
            return data[: error.start].decode(encoding)
        raise _not_text() from None


#: How much of the text recognition looks at: the headers are at the top, and a large file of
#: garbage must be turned away without being read through.
_HEAD_CHARS = 16_384
_HEAD_LINES = 40


def detect_tool(text: str) -> str:
    """Recognise the tool from the content (header lines), never from the file name; unknown -> ReportError."""
    lines = [line.strip() for line in text.lstrip("\ufeff")[:_HEAD_CHARS].splitlines()[:_HEAD_LINES]]
    lowered = [line.lower() for line in lines if line]
    if not lowered:
        raise _empty()
    first = lowered[0]
    if first in ("1. summary", "meeting summary") or any(
        line.startswith(("2. participants", "full name\tjoin time", "name\tfirst join")) for line in lowered
    ):
        return "teams"
    # Zoom's participant table always has this column; its webinar report says "User Name (Original
    # Name)" instead, a different layout this module does not read.
    if first.startswith(("meeting id,", '"meeting id",')) or any(
        _ZOOM_NAME in _header(line, ",") for line in lowered if "original name" in line
    ):
        return "zoom"
    header = _header(first, _delimiter(first))
    if "attendee email" in header or (
        "display name" in header and ("join time" in header or "attendance duration" in header)
    ):
        return "webex"
    if _plain_columns(header) is not None:
        return "plain"
    raise _not_recognised()


def parse_report(data: bytes) -> Report:
    """Decode, recognise and parse; raise ReportError with a clear message."""
    text = decode_report(data)
    tool = detect_tool(text)
    # Parsing allocates a few hundred thousand lists and rows but no reference cycles: the cyclic
    # garbage collector would walk them all again and again, at a cost greater than the parsing's.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _PARSERS[tool](text)
    finally:
        if collecting:
            gc.enable()


# --- Reading CSV ----------------------------------------------------------------------------------


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Each non-blank record of `text` with the line it ends on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    append = records.append
    line = 0
    try:
        for row in reader:
            line = reader.line_num
            if any(row):
                append((line, row))
    except csv.Error as error:
        # An opened quote swallows the rest of the file: csv reports it at the end of the data, or
        # when the swallowed text outgrows its field limit. The value began after the last record read.
        if "end of data" in str(error) or "field limit" in str(error):
            raise _open_quote(line + 1) from None
        raise _stray_quote(reader.line_num) from None
    return records


def _delimiter(line: str) -> str:
    """The separator of a header line: tab (UTF-16 exports), semicolon (European Excel) or comma."""
    if "\t" in line:
        return "\t"
    return ";" if line.count(";") > line.count(",") else ","


def _header(line: str, delimiter: str) -> list[str]:
    """The lower-cased cells of one header line (headers hold no quoted separators)."""
    return [_norm(cell.strip().strip('"')) for cell in line.split(delimiter)]


def _norm(cell: str) -> str:
    return " ".join(cell.lstrip("\ufeff").lower().split())


def _find(header: Sequence[str], names: tuple[str, ...], start: int = 0) -> int:
    """Index of the first of `names` among the cells of `header` from `start` on, or -1."""
    for name in names:
        for index in range(start, len(header)):
            if header[index] == name:
                return index
    return -1


def _unwrap(cell: str) -> str:
    # Webex writes some values as Excel formulas (="09/22/2025 10:00:00") so Excel keeps them as text.
    if cell.startswith('="') and cell.endswith('"'):
        return cell[2:-1]
    return cell


# --- Values ---------------------------------------------------------------------------------------

#: Date-and-time layouts each tool prints, the most likely first (FORMATS.md says where each was seen).
#: Teams follows the organiser's locale: en-US has a 12-hour clock and the month first, en-GB and the
#: continent a 24-hour clock and the day first, so the two never read the same text differently.
_TEAMS_DATES = (
    "%m/%d/%y, %I:%M:%S %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%d/%m/%y, %H:%M:%S",
    "%d/%m/%Y, %H:%M:%S",
    "%d.%m.%y, %H:%M:%S",
    "%d.%m.%Y, %H:%M:%S",
    "%Y-%m-%d, %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)
_ZOOM_DATES = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d %H:%M:%S",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %I:%M %p",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
)
_WEBEX_DATES = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
)


#: Regular expressions for the strptime directives of the layouts above; a layout using only these is
#: read by its expression (a tenth of strptime's cost), the others by strptime itself.
_DIRECTIVES = {
    "%d": r"(?P<d>\d{1,2})",
    "%m": r"(?P<m>\d{1,2})",
    "%y": r"(?P<y>\d{2})",
    "%Y": r"(?P<Y>\d{4})",
    "%H": r"(?P<H>\d{1,2})",
    "%I": r"(?P<I>\d{1,2})",
    "%M": r"(?P<M>\d{2})",
    "%S": r"(?P<S>\d{2})",
    "%p": r"(?P<p>[AaPp][Mm])",
}


def _expression(layout: str) -> re.Pattern[str] | None:
    """A regular expression that reads what `layout` prints, or None for a layout strptime must read."""
    parts = []
    for part in re.split(r"(%.)", layout):
        if part.startswith("%"):
            if part not in _DIRECTIVES:
                return None
            parts.append(_DIRECTIVES[part])
        else:
            parts.append(r"\s+".join(re.escape(word) for word in part.split(" ")))
    return re.compile("".join(parts))


def _from_match(match: re.Match[str]) -> datetime:
    """The datetime a match of `_expression` reads; ValueError for a day or hour that does not exist."""
    found = match.groupdict()
    year = int(found["Y"]) if "Y" in found else int(found["y"])
    if "y" in found:
        year += 2000 if year < 69 else 1900  # as strptime reads two-digit years
    if "I" in found:
        hour = int(found["I"])
        if not 1 <= hour <= 12:
            raise ValueError(hour)
        hour = hour % 12 + (12 if found["p"].lower() == "pm" else 0)
    else:
        hour = int(found["H"])
    return datetime(year, int(found["m"]), int(found["d"]), hour, int(found["M"]), int(found.get("S") or 0))


class _Dates:
    """Reads the dates of one file, which all share one layout: the layout that worked is tried first."""

    def __init__(self, layouts: Sequence[str]) -> None:
        self._layouts = [(layout, _expression(layout)) for layout in layouts]
        #: Each distinct text read so far, as written in the cell.
        self.known: dict[str, datetime] = {}

    def read(self, value: str, line: int) -> datetime | None:
        """The naive local date and time `value` prints, None when the cell is empty."""
        text = value.strip()
        if not text:
            return None
        for position, (layout, expression) in enumerate(self._layouts):
            try:
                if expression is None:
                    # Reports print local time; an offset (ISO layouts) only says which zone that was.
                    parsed = datetime.strptime(text, layout).replace(tzinfo=None)
                elif match := expression.fullmatch(text):
                    parsed = _from_match(match)
                else:
                    continue
            except ValueError:
                continue
            if position:
                self._layouts.insert(0, self._layouts.pop(position))
            self.known[value] = parsed
            return parsed
        raise _bad_date(line, text)


_UNITS = re.compile(
    r"(?:(\d+)\s*(?:h|hrs?|hours?)\s*)?(?:(\d+)\s*(?:m|mins?|minutes?)\s*)?(?:(\d+)\s*(?:s|secs?|seconds?))?",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"(\d+):(\d{1,2})(?::(\d{1,2}))?")
_MINUTES = re.compile(r"\d+(?:[.,]\d+)?")


class _Durations:
    """Reads durations: Teams' "1h 2m 3s", clock times "1:02:03", Zoom's and Webex's minutes."""

    def __init__(self) -> None:
        #: Each distinct text read so far, as written in the cell.
        self.known: dict[str, int] = {}

    def read(self, value: str, line: int) -> int:
        """Seconds that `value` stands for."""
        seconds = self._parse(value.strip())
        if seconds is None:
            raise _bad_duration(line, value)
        self.known[value] = seconds
        return seconds

    @staticmethod
    def _parse(value: str) -> int | None:
        if _MINUTES.fullmatch(value):
            return round(float(value.replace(",", ".")) * 60)
        clock = _CLOCK.fullmatch(value)
        if clock:
            hours, minutes, seconds = clock.groups()
            return int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
        units = _UNITS.fullmatch(value)
        if units and any(units.groups()):
            hours, minutes, seconds = (int(part or 0) for part in units.groups())
            return hours * 3600 + minutes * 60 + seconds
        return None


#: Teams appends these to the names of people outside the organiser's organisation.
_GUEST_MARK = re.compile(r"\s*\((?:guest|external|unverified)\)\s*$", re.IGNORECASE)
_NOT_LETTERS = re.compile(r"[^a-z]+")
_ORGANISER_ROLES = frozenset(
    {"organizer", "organiser", "coorganizer", "coorganiser", "host", "cohost", "alternativehost", "alternatehost"}
)
_TRUE = frozenset({"yes", "y", "true", "1", "oui", "ja"})


def _clean_name(raw: str, *, zoom: bool = False) -> tuple[str, bool]:
    """The name as written without the tool's additions, and whether an addition marked a guest."""
    name = raw.strip()
    guest = False
    while (mark := _GUEST_MARK.search(name)) is not None:
        name = name[: mark.start()]
        guest = True
    if zoom:
        name = _without_original_name(name)
    return name.strip(), guest


def _without_original_name(name: str) -> str:
    """Zoom's "Current Name (Original Name)" -> "Current Name"; parentheses inside a name are kept."""
    if not name.endswith(")"):
        return name
    depth = 0
    for index in range(len(name) - 1, -1, -1):
        if name[index] == ")":
            depth += 1
        elif name[index] == "(":
            depth -= 1
            if depth == 0:
                # A name that is nothing but parentheses is kept as written rather than emptied.
                return name[:index].rstrip() or name
    return name


def _role(value: str) -> str:
    """ "organiser" for the tools' host, co-host, organizer and co-organizer roles, else "attendee"."""
    return ORGANISER if _NOT_LETTERS.sub("", value.lower()) in _ORGANISER_ROLES else ATTENDEE


def _count(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


# --- Tables ---------------------------------------------------------------------------------------


@dataclass
class _Columns:
    """Where each field is in a participant table; -1 when the table has no such column."""

    name: int
    email: int = -1
    joined: int = -1
    left: int = -1
    duration: int = -1
    role: int = -1
    guest: int = -1
    first: int = -1
    last: int = -1

    def needed(self) -> int:
        """How many fields a row must have for every column read to be there."""
        return 1 + max(
            self.name, self.email, self.joined, self.left, self.duration, self.role, self.guest, self.first, self.last
        )


def _read_rows(
    records: Sequence[tuple[int, list[str]]],
    columns: _Columns,
    dates: _Dates,
    *,
    zoom: bool = False,
    unwrap: bool = False,
    organiser_email: str = "",
    organiser_name: str = "",
) -> list[ReportRow]:
    """The participant rows of one table; a row short of fields means the file was cut there."""
    needed = columns.needed()
    # Reports repeat the same names, roles, times and durations on row after row: each distinct text
    # is worked out once, which keeps a 100,000-row report well under a second.
    names: dict[str, tuple[str, bool]] = {}
    roles: dict[str, tuple[str, bool]] = {}
    durations = _Durations()
    read_date, known_dates = dates.read, dates.known
    read_duration, known_durations = durations.read, durations.known
    i_name, i_email, i_joined, i_left = columns.name, columns.email, columns.joined, columns.left
    i_duration, i_role, i_guest, i_first, i_last = (
        columns.duration,
        columns.role,
        columns.guest,
        columns.first,
        columns.last,
    )
    # A frozen dataclass fills each field through object.__setattr__, which costs more than all the
    # rest of a row; filling the new instance's __dict__ at once makes the same frozen object.
    new = object.__new__
    rows: list[ReportRow] = []
    for line, cells in records:
        if len(cells) < needed:
            raise _short_row(line, len(cells), needed)
        # A column the table lacks has index -1, which reads this empty cell.
        cells.append("")
        if unwrap:
            cells = [_unwrap(cell) for cell in cells]
        raw = cells[i_name]
        cleaned = names.get(raw)
        if cleaned is None:
            cleaned = names[raw] = _clean_name(raw, zoom=zoom)
        name, guest = cleaned
        if not name and i_first >= 0:
            name, guest = _clean_name(f"{cells[i_first].strip()} {cells[i_last].strip()}")
        email = cells[i_email].strip().lower()
        if not name and not email:
            continue
        value = cells[i_joined]
        joined = known_dates.get(value) or read_date(value, line)
        value = cells[i_left]
        left = known_dates.get(value) or read_date(value, line)
        # The tool's own duration is kept: Teams' leaves out the gaps of merged rejoins, which the
        # difference between first join and last leave would count.
        value = cells[i_duration]
        seconds = known_durations.get(value, -1)
        if seconds < 0:
            if value.strip():
                seconds = read_duration(value, line)
            elif joined is not None and left is not None and left >= joined:
                seconds = int((left - joined).total_seconds())
            else:
                seconds = 0
        value = cells[i_role]
        role_and_guest = roles.get(value)
        if role_and_guest is None:
            role_and_guest = roles[value] = (_role(value), "guest" in value.lower())
        role = role_and_guest[0]
        if (organiser_email and email == organiser_email) or (organiser_name and name == organiser_name):
            role = ORGANISER
        if role_and_guest[1] or (i_guest >= 0 and cells[i_guest].strip().lower() in _TRUE):
            guest = True
        row = new(ReportRow)
        row.__dict__.update(
            name=name, email=email, joined_at=joined, left_at=left, seconds=seconds, role=role, is_guest=guest
        )
        rows.append(row)
    return rows


# --- Microsoft Teams ------------------------------------------------------------------------------

_SECTION = re.compile(r"(\d+)\.\s*(\S.*)")
_PARTICIPANTS = "participants"
_ACTIVITIES = "in-meeting activities"


@dataclass
class _Section:
    """One numbered section of a Teams report: its title line, table header and rows."""

    line: int
    header: tuple[int, list[str]] | None = None
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def _parse_teams(text: str) -> Report:
    """A Teams attendance report, current (1. Summary / 2. Participants / 3. In-Meeting Activities) or older."""
    dates = _Dates(_TEAMS_DATES)
    summary: dict[str, tuple[int, str]] = {}
    sections: dict[str, _Section] = {}
    current = ""
    rows: list[tuple[int, list[str]]] | None = None  # the rows of the table being read
    for line, row in _records(text, "\t"):
        # Most records are table rows, told from a section title by their second cell.
        if rows is not None and len(row) > 1 and row[1]:
            rows.append((line, row))
            continue
        first = row[0].strip()
        lowered = first.lower()
        if len(row) == 1 or not any(row[1:]):
            numbered = _SECTION.fullmatch(first)
            if numbered or lowered == "meeting summary":
                current = numbered.group(2).lower() if numbered else "summary"
                sections[current] = _Section(line)
                rows = None
                continue
        # The older layout has no numbered sections: its participant table follows the summary.
        if current in ("", "summary") and lowered in ("full name", "name") and len(row) > 2:
            current = _PARTICIPANTS
            sections[current] = _Section(line)
        if current in ("", "summary"):
            if len(row) > 1:
                summary[lowered] = (line, row[1].strip())
            continue
        section = sections[current]
        if section.header is None:
            section.header = (line, row)
            rows = section.rows
        else:
            section.rows.append((line, row))

    participants = sections.get(_PARTICIPANTS)
    if participants is None:
        raise _no_participants("Microsoft Teams")
    listed = _teams_rows(participants, dates)
    activities = sections.get(_ACTIVITIES)
    joins = _teams_rows(activities, dates) if activities is not None else listed

    title = summary.get("meeting title", (0, ""))[1]
    started_at = None
    start = summary.get("start time") or summary.get("meeting start time")
    if start is not None:
        started_at = dates.read(start[1], start[0])
    announced = summary.get("attended participants") or summary.get("total number of participants")
    declared = _count(announced[1]) if announced is not None else None

    people = {row.email or row.name.casefold() for row in listed}
    if activities is not None:
        # The participant list is complete when a section follows it, and may list fewer people than
        # the summary counts (participants can opt out of the report), so here only the last section
        # can have lost rows: every listed participant has at least one activity.
        active = {row.email or row.name.casefold() for row in joins}
        if len(active) < len(people):
            raise _too_few(len(people), len(active))
    elif declared is not None and len(people) < declared:
        # Nothing follows the list: a cut at the end of a line leaves no other trace than the count.
        raise _too_few(declared, len(people))
    return Report("teams", title, started_at, declared, tuple(joins))


_TEAMS_COLUMNS = {
    "name": ("name", "full name"),
    "joined": ("join time", "first join"),
    "left": ("leave time", "last leave"),
    "duration": ("duration", "in-meeting duration"),
    "email": ("email",),
    "role": ("role",),
}


def _teams_rows(section: _Section, dates: _Dates) -> list[ReportRow]:
    if section.header is None:
        raise _empty_section(section.line)
    line, cells = section.header
    if not section.rows:
        raise _no_rows(line)
    header = [_norm(cell) for cell in cells]
    found = {key: _find(header, names) for key, names in _TEAMS_COLUMNS.items()}
    if found["name"] < 0:
        raise _no_column(line, "Name")
    return _read_rows(section.rows, _Columns(**found), dates)


# --- Zoom -----------------------------------------------------------------------------------------

_ZOOM_NAME = "name (original name)"


def _parse_zoom(text: str) -> Report:
    """A Zoom participant report, with or without the meeting details above the table."""
    records = _records(text, ",")
    at = next(
        (index for index, (_, row) in enumerate(records) if _ZOOM_NAME in (_norm(cell) for cell in row)),
        None,
    )
    if at is None:
        raise _no_participants("Zoom")
    header_line, header_cells = records[at]
    header = [_norm(cell) for cell in header_cells]
    name = header.index(_ZOOM_NAME)
    data = records[at + 1 :]
    if not data:
        raise _no_rows(header_line)

    details: dict[str, str] = {}
    if at >= 2:
        # Meeting details exported above the table: a header line and a line of values.
        details = {_norm(key): value.strip() for key, value in zip(records[0][1], records[1][1], strict=False)}
    elif name > 0:
        # The account-wide export repeats the meeting's details in front of every participant.
        details = {key: value.strip() for key, value in zip(header[:name], data[0][1][:name], strict=False)}
    dates = _Dates(_ZOOM_DATES)
    details_line = records[1][0] if at >= 2 else data[0][0]
    started_at = dates.read(details.get("start time", ""), details_line)

    columns = _Columns(
        name=name,
        email=_find(header, ("user email", "email"), name),
        joined=_find(header, ("join time",), name),
        left=_find(header, ("leave time",), name),
        duration=_find(header, ("duration (minutes)", "total duration (minutes)", "duration"), name),
        guest=_find(header, ("guest", "is guest"), name),
    )
    joins = len(data)
    waiting = _find(header, ("in waiting room",), name)
    if waiting >= 0:
        # Time in the waiting room is listed on rows of its own and is not time in the meeting.
        data = [(line, row) for line, row in data if len(row) <= waiting or row[waiting].strip().lower() not in _TRUE]
    rows = _read_rows(
        data,
        columns,
        dates,
        zoom=True,
        # Zoom marks no roles: the meeting details name the host ("User Email" is the host's).
        organiser_email=(details.get("user email") or details.get("host email") or "").lower(),
        organiser_name=details.get("host") or details.get("host name") or "",
    )
    declared = _count(details.get("participants", ""))
    # Zoom's count includes rejoins, so a complete one-row-per-join table has at least that many rows;
    # the one-row-per-person table ("Total Duration") may have fewer and is not checked.
    if declared is not None and columns.joined >= 0 and joins < declared:
        raise _too_few(declared, joins)
    return Report("zoom", details.get("topic", ""), started_at, declared, tuple(rows))


# --- Webex ----------------------------------------------------------------------------------------


def _parse_webex(text: str) -> Report:
    """A Webex meeting attendance report: one header line, one row per join."""
    first_line = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    records = _records(text, _delimiter(first_line))
    header_line, cells = records[0]
    header = [_norm(_unwrap(cell)) for cell in cells]
    data = records[1:]
    if not data:
        raise _no_rows(header_line)
    columns = _Columns(
        name=_find(header, ("display name", "attendee name", "name")),
        email=_find(header, ("attendee email", "email", "email address")),
        joined=_find(header, ("join time", "joined time")),
        left=_find(header, ("leave time", "left time")),
        duration=_find(header, ("attendance duration", "duration", "attended duration", "duration (minutes)")),
        role=_find(header, ("role", "participant type", "attendee type")),
        guest=_find(header, ("guest", "is guest")),
        first=_find(header, ("first name",)),
        last=_find(header, ("last name",)),
    )
    if columns.name < 0 and columns.first < 0 and columns.email < 0:
        raise _no_column(header_line, "Display Name")
    session = _find(header, ("session name",))
    if session >= 0:
        # Breakout sessions are listed as joins of their own while their people stay in the meeting:
        # counting them would count the same minutes twice.
        data = [(line, row) for line, row in data if len(row) <= session or "breakout" not in row[session].lower()]
    dates = _Dates(_WEBEX_DATES)
    rows = _read_rows(data, columns, dates, unwrap=True)
    title_at = _find(header, ("meeting name", "meeting title", "topic"))
    start_at = _find(header, ("meeting start time", "meeting start date", "start time"))
    line, first_row = data[0] if data else (header_line, [])
    title = _unwrap(first_row[title_at]).strip() if 0 <= title_at < len(first_row) else ""
    started_at = dates.read(_unwrap(first_row[start_at]), line) if 0 <= start_at < len(first_row) else None
    return Report("webex", title, started_at, None, tuple(rows))


# --- Plain CSV ------------------------------------------------------------------------------------

_PLAIN_NAME = ("name", "full name")
_PLAIN_FIRST = ("first name", "given name", "firstname", "first_name")
_PLAIN_LAST = ("last name", "family name", "surname", "lastname", "last_name")
_PLAIN_EMAIL = ("email", "e-mail", "email address", "e-mail address", "mail")


def _plain_columns(header: Sequence[str]) -> _Columns | None:
    """Where a plain list keeps names and emails, or None when its header has neither."""
    name = _find(header, _PLAIN_NAME)
    first = _find(header, _PLAIN_FIRST)
    last = _find(header, _PLAIN_LAST)
    email = _find(header, _PLAIN_EMAIL)
    if name < 0 and email < 0 and (first < 0 or last < 0):
        return None
    return _Columns(
        name=name,
        email=email,
        role=_find(header, ("role",)),
        first=first if name < 0 and last >= 0 else -1,
        last=last if name < 0 and first >= 0 else -1,
    )


def _parse_plain(text: str) -> Report:
    """A list of attendees with a name and/or email column and no times."""
    first_line = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    records = _records(text, _delimiter(first_line))
    header_line, cells = records[0]
    columns = _plain_columns([_norm(cell) for cell in cells])
    if columns is None:
        raise _not_recognised()
    if len(records) < 2:
        raise _no_rows(header_line)
    return Report("plain", "", None, None, tuple(_read_rows(records[1:], columns, _Dates(()))))


_PARSERS = {"teams": _parse_teams, "zoom": _parse_zoom, "webex": _parse_webex, "plain": _parse_plain}
