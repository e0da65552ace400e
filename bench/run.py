"""`make bench`: load the large dataset, time the main pages and queries, print a table and
write bench/results.json. Uses BENCH_DATABASE_URL (default: a SQLite file under instance/).

Also importing a 100,000-row Teams attendance report beside the csv module alone (bench/attendance.py),
27 letters as one batch beside WeasyPrint alone and the digest on the large dataset (bench/letters.py),
and the relay's throughput beside its floor (bench/relay.py), on the bench database and, when
BENCH_PG_URL names a PostgreSQL server, on a dedicated database created there for the run."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask_migrate import upgrade

from config import BASE_DIR, normalise_database_url

RESULTS = BASE_DIR / "bench" / "results.json"
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))


def _timed(function: Callable[[], object], repeat: int = REPEAT) -> dict[str, float]:
    """Median and 95th percentile in milliseconds over `repeat` runs (after one warm-up)."""
    function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2), "runs": repeat}


def _bench_api_and_exports(app, client) -> dict[str, object]:
    """The API's lists (a token of every scope) and the largest list exports."""
    from datetime import timedelta

    from tracker.api.schemas import SCOPES
    from tracker.api.services import create_token
    from tracker.core.time import utcnow
    from tracker.extensions import db

    with app.app_context():
        _token, secret = create_token(name="bench", scopes=list(SCOPES), member_state=None, by="bench",
                                      expires_on=(utcnow() + timedelta(days=1)).date())
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    results: dict[str, object] = {}
    calls = {
        "api_countries": "/api/v1/countries", "api_appointments_200": "/api/v1/appointments?per_page=200",
        "api_attendance_200": "/api/v1/attendance?per_page=200", "api_events": "/api/v1/events",
        "api_assets_200": "/api/v1/assets?per_page=200", "api_openapi_document": "/api/v1/openapi.json",
    }
    for name, path in calls.items():
        def call(path: str = path) -> None:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = _timed(call)
    etag = client.get("/api/v1/countries", headers=headers).headers["ETag"]
    results["api_countries_304"] = _timed(lambda: client.get("/api/v1/countries",
                                                             headers={**headers, "If-None-Match": etag}))
    for name, path, repeat in (("export_people_csv", "/people/export.csv", REPEAT),
                               ("export_people_xlsx", "/people/export.xlsx", REPEAT),
                               ("export_audit_50k_csv", "/audit/export.csv", 3),
                               ("export_audit_50k_xlsx", "/audit/export.xlsx", 3)):
        def fetch(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = _timed(fetch, repeat)
    return results


def main() -> None:
    """Run every benchmark and write the results."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{BASE_DIR / 'instance' / 'bench.db'}"
    os.environ["DATABASE_URL"] = normalise_database_url(url)
    from bench.attendance import bench_attendance
    from bench.attendance import print_rows as print_attendance_rows
    from bench.letters import bench_letters
    from bench.letters import print_rows as print_letter_rows
    from bench.pages import bench_pages, bench_pages_postgresql
    from bench.pages import print_rows as print_page_rows
    from bench.relay import bench_relay, bench_relay_postgresql, print_rows
    from tracker import create_app
    from tracker.accounts.models import User
    from tracker.audit.services import list_entries
    from tracker.demo.services import load_large
    from tracker.extensions import db

    # The URL goes in as an override too: config.py read DATABASE_URL when this module imported it,
    # so setting DATABASE_URL above alone would leave the bench on instance/tracker.db, the developer's database.
    app = create_app({"WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": normalise_database_url(url)},
                     profile="development")
    results: dict[str, object] = {"database": url.split(":")[0],
                                  "python": platform.python_version(), "machine": platform.machine()}
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        counts = load_large()
        db.session.commit()
        results["load_large_s"] = round(time.perf_counter() - start, 2)
        results["dataset"] = counts
        secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@demo.test"))
        session_id = secretariat.get_id()
        estonia_audit = lambda: list_entries(member_state_id=1, limit=100)  # noqa: E731
        results["query_audit_latest_100_for_a_country"] = _timed(estonia_audit)

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    pages = {
        "page_dashboard": "/",
        "page_member_state": "/countries/EE",
        "page_people_list_500": "/people",
        "page_people_filtered": "/people?country=EE&q=synthetic",
        "page_audit_log": "/audit",
        "page_audit_country": "/countries/EE/audit",
        "page_appointments_overview": "/appointments",
        "page_appointments_country": "/countries/EE/appointments",
        "export_appointments_xlsx": "/appointments/export.xlsx",
    }
    for name, path in pages.items():
        def fetch(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = _timed(fetch)
    results["healthz"] = _timed(lambda: client.get("/healthz"))
    results.update(_bench_api_and_exports(app, client))
    results["pages"] = bench_pages(app)
    if os.environ.get("BENCH_PG_URL"):
        results["pages_postgresql"] = bench_pages_postgresql(os.environ["BENCH_PG_URL"])
    results["attendance"] = bench_attendance(app)
    results["letters"] = bench_letters(app)
    results["relay"] = bench_relay(app)
    if os.environ.get("BENCH_PG_URL"):
        results["relay_postgresql"] = bench_relay_postgresql(os.environ["BENCH_PG_URL"])

    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'benchmark':<42} {'median ms':>10} {'p95 ms':>10}")
    for key, value in results.items():
        if isinstance(value, dict) and "median_ms" in value:
            print(f"{key:<42} {value['median_ms']:>10} {value['p95_ms']:>10}")
    print_page_rows(results)
    print_attendance_rows(results)
    print_letter_rows(results)
    print_rows(results)
    print(f"load_large_s={results['load_large_s']} dataset={results['dataset']} database={results['database']}")
    print(f"written to {RESULTS.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
