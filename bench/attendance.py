"""Importing a 100,000-row Microsoft Teams attendance report, beside the floor: the same file decoded and
read by the csv module alone.

Four figures, each the median of BENCH_ATTENDANCE_RUNS runs: the floor; `parse_report` (recognise, read
dates and durations, build rows); `start_import` (parse, add up the joins of 2,000 participants and match
them against every person in the database, store the draft); and `apply_import` (2,000 attendance rows
written). Peak Python memory of the parse and of the whole import is measured with tracemalloc.

`python -m bench.attendance` runs it on the bench SQLite file; `make bench` includes it."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from config import BASE_DIR

ROWS = int(os.environ.get("BENCH_ATTENDANCE_ROWS", "100000"))
RUNS = int(os.environ.get("BENCH_ATTENDANCE_RUNS", "3"))


def large_report(rows: int = ROWS) -> bytes:
    """The generator shipped with the test samples (invented participants)."""
    path = BASE_DIR / "tests" / "events" / "samples" / "make_large_teams.py"
    spec = importlib.util.spec_from_file_location("make_large_teams", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.large_teams_report(rows)


def csv_floor(data: bytes) -> int:
    """Decode the UTF-16 file and split every line into fields with the csv module: nothing more."""
    count = 0
    for _row in csv.reader(io.StringIO(data.decode("utf-16")), delimiter="\t"):
        count += 1
    return count


def _median(function: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def _peak(function: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def _participants(people: int = 2000) -> None:
    """The report's invented participants as people of the database, so their rows match by email."""
    from tracker.contacts.models import Person
    from tracker.countries.models import MemberState
    from tracker.extensions import db

    if db.session.scalar(sa.select(Person.id).where(Person.email == "participant0001@example.org")):
        return
    states = list(db.session.scalars(sa.select(MemberState.id).order_by(MemberState.protocol_order)))
    db.session.execute(sa.insert(Person), [
        {"given_name": "Participant", "family_name": f"{n:04d}", "email": f"participant{n:04d}@example.org",
         "member_state_id": states[n % len(states)], "preferred_language": "en", "phone": "", "version": 1}
        for n in range(1, people + 1)])
    db.session.commit()


def bench_attendance(app) -> dict[str, Any]:
    """The four timings and two memory peaks for one 100,000-row report."""
    from tracker.countries.models import Campaign
    from tracker.demo.services import load_large
    from tracker.events import services
    from tracker.events.reports import parse_report
    from tracker.extensions import db

    data = large_report()
    floor_s, lines = _median(lambda: csv_floor(data))
    parse_s, report = _median(lambda: parse_report(data))
    results: dict[str, Any] = {
        "rows": len(report.rows), "file_mb": round(len(data) / 1024 / 1024, 1), "lines_read_by_csv": lines,
        "csv_floor_s": round(floor_s, 3), "parse_s": round(parse_s, 3),
        "parse_over_floor": round(parse_s / floor_s, 2),
        "parse_peak_mb": round(_peak(lambda: parse_report(data)), 1),
    }
    with app.app_context():
        load_large()
        _participants()
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "twinit-2"))
        brussels = ZoneInfo("Europe/Brussels")
        day = datetime(2025, 9, 22).date()
        imports, applies, people = [], [], 0
        for run in range(RUNS):
            event = services.create_event(campaign, {
                "kind": "webinar", "title": f"Bench webinar {run}", "audience": "contact_points",
                "starts_at": datetime.combine(day, clock(9), brussels), "ends_at": datetime.combine(day, clock(18), brussels),
                "time_zone": "Europe/Brussels"}, member_states=[], by="bench")
            db.session.commit()
            start = time.perf_counter()
            draft = services.start_import(event, "large.csv", data, by="bench", max_bytes=None).draft
            db.session.commit()
            imports.append(time.perf_counter() - start)
            people = len(draft.rows)
            start = time.perf_counter()
            result = services.apply_import(draft, services.default_decisions(draft), by="bench")
            db.session.commit()
            applies.append(time.perf_counter() - start)
        results.update(participants=people, attended=result.attended,
                       start_import_s=round(statistics.median(imports), 3),
                       apply_import_s=round(statistics.median(applies), 3))
        event = services.create_event(campaign, {
            "kind": "webinar", "title": "Bench webinar (memory)", "audience": "contact_points",
            "starts_at": datetime.combine(day, clock(9), brussels), "ends_at": datetime.combine(day, clock(18), brussels),
            "time_zone": "Europe/Brussels"}, member_states=[], by="bench")
        db.session.commit()
        results["import_peak_mb"] = round(_peak(lambda: services.start_import(
            event, "large.csv", data, by="bench", max_bytes=None)), 1)
        db.session.rollback()
    results["rows_per_s_parse"] = round(results["rows"] / parse_s)
    results["rows_per_s_import"] = round(results["rows"] / results["start_import_s"])
    return results


def print_rows(results: dict[str, Any]) -> None:
    """The attendance lines of the bench table."""
    value = results.get("attendance")
    if not value:
        return
    print(f"attendance import: {value['rows']:,} Teams rows ({value['file_mb']} MB UTF-16), "
          f"{value['participants']:,} participants")
    print(f"  csv module alone (floor)     {value['csv_floor_s'] * 1000:>9.0f} ms")
    print(f"  parse_report                 {value['parse_s'] * 1000:>9.0f} ms  {value['parse_over_floor']:.2f}x the floor, "
          f"peak {value['parse_peak_mb']} MB")
    print(f"  start_import (parse+match)   {value['start_import_s'] * 1000:>9.0f} ms  peak {value['import_peak_mb']} MB")
    print(f"  apply_import ({value['attended']:,} rows)     {value['apply_import_s'] * 1000:>9.0f} ms")


def main() -> None:
    """Run the attendance benchmark alone and print it."""
    from bench.kill_test import bench_app

    app = bench_app()
    print_rows({"attendance": bench_attendance(app)})


if __name__ == "__main__":
    main()
