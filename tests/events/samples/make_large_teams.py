"""A Microsoft Teams attendance report (current layout) as large as wanted, for the parser's benchmark.

Invented people only ("Participant 0001", participant0001@example.org); the layout is the one of
teams_attendance.csv: UTF-16 LE with a byte-order mark, tab-separated, CR LF line ends.

    python tests/events/samples/make_large_teams.py large.csv 100000
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

PEOPLE = 2_000
START = datetime(2025, 9, 22, 9, 0, 0)
#: A long day of meeting: enough distinct times that the benchmark pays for reading dates.
LENGTH = timedelta(hours=9)


def _when(moment: datetime) -> str:
    """Teams' en-US date and time: 9/22/25, 9:58:01 AM."""
    hour = moment.hour % 12 or 12
    return f"{moment.month}/{moment.day}/{moment:%y}, {hour}:{moment:%M:%S} {'AM' if moment.hour < 12 else 'PM'}"


def _duration(seconds: int) -> str:
    """Teams' duration, zero parts left out: 1h 2m 3s, 45m, 3h."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{value}{unit}" for value, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if value]
    return " ".join(parts) or "0s"


def large_teams_report(rows: int = 100_000) -> bytes:
    """A Teams report with `rows` In-Meeting Activities rows over about 2,000 invented participants."""
    people = min(PEOPLE, rows)
    joins = [rows // people + (1 if index < rows % people else 0) for index in range(people)]
    total = int(LENGTH.total_seconds())
    activities: list[str] = []
    summary: list[str] = []
    for index, count in enumerate(joins):
        name = f"Participant {index + 1:04d}"
        email = f"participant{index + 1:04d}@example.org"
        role = "Organizer" if index == 0 else "Attendee"
        # Each person's joins share out the day one after the other, a little shifted per person.
        slot = total // count
        spent = 0
        first = last = START
        for join in range(count):
            joined = START + timedelta(seconds=join * slot + (index * 7) % max(slot // 4, 1))
            seconds = max(slot // 2 + (index * 13 + join * 17) % max(slot // 3, 1), 1)
            left = joined + timedelta(seconds=seconds)
            activities.append("\t".join((name, _when(joined), _when(left), _duration(seconds), email, role)))
            spent += seconds
            first = joined if join == 0 else first
            last = left
        summary.append("\t".join((name, _when(first), _when(last), _duration(spent), email, email, role)))
    lines = [
        "1. Summary",
        "Meeting title\tBenchmark meeting",
        f"Attended participants\t{people}",
        f"Start time\t{_when(START)}",
        f"End time\t{_when(START + LENGTH)}",
        f"Meeting duration\t{_duration(total)}",
        f"Average attendance time\t{_duration(total // 2)}",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
        *summary,
        "",
        "3. In-Meeting Activities",
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole",
        *activities,
    ]
    return b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("large_teams.csv")
    target.write_bytes(large_teams_report(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000))
