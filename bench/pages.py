"""The dashboard and a country page on the large dataset: p50/p95 server times, throughput, and the
floor (the same template rendered from data already in memory, with no query).

`python -m bench.pages` runs it on the bench SQLite file and, when BENCH_PG_URL names a PostgreSQL
server, on a scratch database created there for the run; `make bench` includes it."""

from __future__ import annotations

import os
import time
from typing import Any

import sqlalchemy as sa

PATHS = {"dashboard": "/", "country_page": "/countries/EE"}
REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "100"))


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {"p50_ms": round(samples[len(samples) // 2], 2),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2)}


def bench_pages(app) -> dict[str, Any]:
    """Time each page REQUESTS times through the app as the secretariat, and the dashboard's floor."""
    from tracker.accounts.models import User
    from tracker.demo.services import load_large
    from tracker.extensions import db

    with app.app_context():
        load_large()
        db.session.commit()
        session_id = db.session.scalar(sa.select(User).where(User.email == "secretariat@demo.test")).get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    results: dict[str, Any] = {"database": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0], "requests": REQUESTS}
    for name, path in PATHS.items():
        client.get(path)
        samples = []
        start = time.perf_counter()
        for _ in range(REQUESTS):
            began = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = {**_percentiles(samples), "per_s": round(REQUESTS / (time.perf_counter() - start), 1)}
    results["dashboard_floor"] = _floor(app, client)
    results["dashboard_over_floor"] = round(results["dashboard"]["per_s"] / results["dashboard_floor"]["per_s"], 2)
    return results


def _floor(app, client) -> dict[str, float]:
    """The dashboard template rendered REQUESTS times from a context captured once (no query, no request handling)."""
    from flask import template_rendered

    captured: dict[str, Any] = {}

    def capture(sender, template, context, **extra):
        if template.name == "countries/dashboard.html":
            captured.update(context)

    template_rendered.connect(capture, app)
    try:
        client.get("/")
    finally:
        template_rendered.disconnect(capture, app)
    from flask import render_template
    from flask_login import login_user

    context = {k: v for k, v in captured.items() if k not in ("g", "request", "session", "current_user", "config")}
    user = captured["current_user"]
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user
    with app.test_request_context("/"):
        login_user(user)
        render_template("countries/dashboard.html", **context)
        start = time.perf_counter()
        for _ in range(REQUESTS):
            render_template("countries/dashboard.html", **context)
        elapsed = time.perf_counter() - start
    return {"per_s": round(REQUESTS / elapsed, 1), "ms": round(elapsed * 1000 / REQUESTS, 2)}


def bench_pages_postgresql(server_url: str) -> dict[str, Any]:
    """The same on a scratch PostgreSQL database on `server_url`'s server."""
    from bench.relay import on_scratch_postgresql

    return on_scratch_postgresql(server_url, "tracker_bench_pages", bench_pages)


def print_rows(results: dict[str, Any]) -> None:
    """The page lines of the bench table."""
    for value in results.values():
        if isinstance(value, dict) and "dashboard_floor" in value:
            for name in PATHS:
                row = value[name]
                print(f"{name + ' (' + value['database'] + ')':<42} p50 {row['p50_ms']:>7} ms  p95 {row['p95_ms']:>7} ms  "
                      f"{row['per_s']:>7} req/s")
            print(f"{'dashboard floor (' + value['database'] + ')':<42} {value['dashboard_floor']['per_s']:>7} renders/s   "
                  f"dashboard at {value['dashboard_over_floor']:.0%} of the floor")


def main() -> None:
    """Run the page benchmark alone and print it."""
    from bench.kill_test import bench_app

    app = bench_app()
    results = {"pages_sqlite": bench_pages(app)}
    if os.environ.get("BENCH_PG_URL"):
        results["pages_postgresql"] = bench_pages_postgresql(os.environ["BENCH_PG_URL"])
    print_rows(results)


if __name__ == "__main__":
    main()
