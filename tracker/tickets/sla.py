"""Service levels counted in working days: weekends and the Commission's holidays skipped, the clock
stopped while a ticket waits on the country (pure functions of times and a holiday list)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tracker.core.time import BRUSSELS

DAY = 86_400.0
#: Statuses in which the SLA clock runs (waiting stops it; resolved and closed end it).
RUNNING = ("new", "open")


def parse_holidays(text: str) -> frozenset[date]:
    """ISO dates separated by commas, spaces or new lines (the TRACKER_HOLIDAYS setting)."""
    return frozenset(date.fromisoformat(part) for part in text.replace(",", " ").split() if part)


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    """Monday to Friday, and not a holiday of the Commission."""
    return day.weekday() < 5 and day not in holidays


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BRUSSELS)


def working_seconds(start: datetime, end: datetime, holidays: frozenset[date]) -> float:
    """The seconds between two moments that fall on working days in Brussels."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.astimezone(BRUSSELS).date()
    last = end.astimezone(BRUSSELS).date()
    while day <= last:
        if is_working_day(day, holidays):
            begins = max(start, _midnight(day))
            ends = min(end, _midnight(day + timedelta(days=1)))
            total += max((ends - begins).total_seconds(), 0.0)
        day += timedelta(days=1)
    return total


def add_working_seconds(start: datetime, seconds: float, holidays: frozenset[date]) -> datetime:
    """The moment `seconds` of working time after `start`."""
    moment = start
    remaining = seconds
    while True:
        day = moment.astimezone(BRUSSELS).date()
        next_midnight = _midnight(day + timedelta(days=1))
        if is_working_day(day, holidays):
            available = (next_midnight - moment).total_seconds()
            if remaining <= available:
                return moment + timedelta(seconds=remaining)
            remaining -= available
        moment = next_midnight


def running_intervals(changes: Sequence[tuple[str, datetime]], until: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches of time, up to `until`, in which the ticket's status let the clock run."""
    intervals = []
    for index, (status, at) in enumerate(changes):
        if status not in RUNNING or at >= until:
            continue
        ends = changes[index + 1][1] if index + 1 < len(changes) else until
        intervals.append((at, min(ends, until)))
    return intervals


@dataclass(frozen=True)
class Clock:
    """One service level of one ticket: how much working time it used of its allowance."""

    used: float
    allowed: float
    #: The clock no longer runs: answered (first response) or resolved.
    stopped: bool
    #: The ticket waits on the country: the clock stands still.
    paused: bool
    #: When the allowance runs (or ran) out while the clock runs; None when stopped or paused.
    due_at: datetime | None

    @property
    def breached(self) -> bool:
        """More working time used than allowed."""
        return self.used > self.allowed

    @property
    def used_days(self) -> float:
        """Working days used, to one decimal."""
        return round(self.used / DAY, 1)


def clock(changes: Sequence[tuple[str, datetime]], *, stopped_at: datetime | None, now: datetime, days: float,
          holidays: frozenset[date]) -> Clock:
    """The clock of a ticket whose status history is `changes`, stopped at `stopped_at` if it stopped."""
    until = stopped_at or now
    allowed = days * DAY
    used, due_at = 0.0, None
    for begins, ends in running_intervals(changes, until):
        stretch = working_seconds(begins, ends, holidays)
        if due_at is None and used + stretch >= allowed:
            # The allowance ran out inside this stretch: that moment is when it fell due.
            due_at = add_working_seconds(begins, allowed - used, holidays)
        used += stretch
    current = changes[-1][0] if changes else "new"
    paused = stopped_at is None and current not in RUNNING
    if stopped_at is not None or paused:
        due_at = None
    elif due_at is None:
        due_at = add_working_seconds(now, allowed - used, holidays)
    return Clock(used=used, allowed=allowed, stopped=stopped_at is not None, paused=paused, due_at=due_at)


def median_days(values: Iterable[float]) -> float | None:
    """The median of working-time values in days (None for no values)."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    seconds = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return round(seconds / DAY, 1)
