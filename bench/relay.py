"""Relay throughput for `make bench`: messages per second through relay_outbox(), beside the floor.

The floor is plain smtplib sending the same messages, built by build_message(), over one
connection to the same server, with no database at all: what the relay would reach if claiming,
leasing and committing each outcome cost nothing. The ratio relay / floor says what the
guarantees cost. The SMTP server (aiosmtpd, no delay) runs in a subprocess of its own, as a real
one would, so it does not compete with the relay for this process's GIL.

Databases: the bench database (BENCH_DATABASE_URL, default SQLite instance/bench.db), and, when
BENCH_PG_URL is set (a PostgreSQL server URL such as postgresql://postgres@127.0.0.1:5432/postgres),
a dedicated database `tracker_bench_relay` created on that server and dropped afterwards.
BENCH_RELAY_MESSAGES (default 1000) messages per run, BENCH_RELAY_REPEAT (default 3) runs; the
median run is reported. The rows queued for the benchmark are deleted afterwards.

    .venv/bin/python -m bench.relay            # on its own; `make bench` runs it too
"""

from __future__ import annotations

import os
import smtplib
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bench.kill_test import free_port
from config import BASE_DIR

MESSAGES = int(os.environ.get("BENCH_RELAY_MESSAGES", "1000"))
REPEAT = int(os.environ.get("BENCH_RELAY_REPEAT", "3"))


class SmtpSink:
    """An aiosmtpd server in a subprocess that counts what it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, "-m", "bench.relay", "serve", str(self.port)], cwd=BASE_DIR,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def count(self) -> int:
        """Messages accepted so far."""
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        """Stop the server."""
        self.process.stdin.close()
        self.process.wait(timeout=10)


def serve(port: int) -> None:
    """The sink's side: accept everything, answer 'count' on stdin with the number accepted."""
    from aiosmtpd.controller import Controller

    class Counter:
        accepted = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            Counter.accepted += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "count":
                print(Counter.accepted, flush=True)
    finally:
        controller.stop()


def _queue(count: int, prefix: str) -> None:
    """Queue `count` small real emails (the password-reset template), committed."""
    from tracker.extensions import db
    from tracker.mail.services import queue_email

    for number in range(count):
        queue_email(key=f"{prefix}:{number}", to=[(f"Bench {number}", f"bench.{number}@demo.test")],
                    template="accounts/emails/password_reset", language="en", kind="notification",
                    user=SimpleNamespace(email=f"bench.{number}@demo.test"), hours=2,
                    link=f"http://127.0.0.1:5000/password/reset/bench-{number}")
    db.session.commit()


def _rows(prefix: str) -> list[Any]:
    from tracker.extensions import db
    from tracker.mail.models import OutboxMessage

    table = OutboxMessage.__table__
    rows = list(db.session.execute(sa.select(table).where(table.c.idempotency_key.like(f"{prefix}:%"))
                                   .order_by(table.c.id)))
    db.session.commit()
    return rows


def _floor(rows: list[Any], port: int) -> float:
    """Seconds for plain smtplib to send `rows` (built with build_message) over one connection."""
    from tracker.mail.services import build_message

    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for row in rows:
            smtp.send_message(build_message(row))
    return time.perf_counter() - start


def _delete(prefix: str) -> None:
    from tracker.extensions import db
    from tracker.mail.models import OutboxMessage

    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.idempotency_key.like(f"{prefix}:%")))
    db.session.commit()


def bench_relay(app, *, messages: int = MESSAGES, repeat: int = REPEAT) -> dict[str, Any]:
    """Messages per second of relay_outbox() and of the smtplib floor on `app`'s database."""
    from tracker.extensions import db
    from tracker.mail.services import relay_outbox

    sink = SmtpSink()
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port, "MAIL_USERNAME": "",
                "MAIL_USE_SSL": False, "MAIL_USE_STARTTLS": False}
    previous = {key: app.config[key] for key in settings}
    app.config.update(settings)
    runs = []
    try:
        with app.app_context():
            for _ in range(repeat):
                prefix = f"bench-relay:{uuid.uuid4().hex[:8]}"
                _queue(messages, prefix)
                rows = _rows(prefix)
                before = sink.count()
                floor_s = _floor(rows, sink.port)
                assert sink.count() - before == len(rows), "the floor's messages did not all arrive"
                before = sink.count()
                start = time.perf_counter()
                result = relay_outbox()
                relay_s = time.perf_counter() - start
                arrived = sink.count() - before
                assert result.sent == arrived >= len(rows), (result, arrived)
                runs.append({"relay_msgs_per_s": result.sent / relay_s, "floor_msgs_per_s": len(rows) / floor_s})
                _delete(prefix)
            db.session.remove()
    finally:
        app.config.update(previous)
        sink.close()
    relay = statistics.median(run["relay_msgs_per_s"] for run in runs)
    floor = statistics.median(run["floor_msgs_per_s"] for run in runs)
    return {
        "database": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0],
        "messages": messages, "runs": repeat, "batch_size": app.config["MAIL_BATCH_SIZE"],
        "relay_msgs_per_s": round(relay, 1), "floor_msgs_per_s": round(floor, 1),
        "relay_over_floor": round(relay / floor, 3),
        "relay_runs_msgs_per_s": [round(run["relay_msgs_per_s"], 1) for run in runs],
        "floor_runs_msgs_per_s": [round(run["floor_msgs_per_s"], 1) for run in runs],
    }


def on_scratch_postgresql(server_url: str, name: str, bench: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Run `bench(app)` on a dedicated, migrated PostgreSQL database `name` on `server_url`'s server."""
    from flask_migrate import upgrade

    from bench.kill_test import make_app, scratch_database

    with scratch_database(server_url, name) as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
        try:
            return bench(app)
        finally:
            with app.app_context():
                from tracker.extensions import db

                db.engine.dispose()


def bench_relay_postgresql(server_url: str) -> dict[str, Any]:
    """The same measurement on a dedicated PostgreSQL database on `server_url`'s server."""
    return on_scratch_postgresql(server_url, "tracker_bench_relay", bench_relay)


def print_rows(results: dict[str, Any]) -> None:
    """The relay lines of the bench table."""
    for key, value in results.items():
        if isinstance(value, dict) and "relay_msgs_per_s" in value:
            print(f"{key + ' (' + value['database'] + ')':<42} relay {value['relay_msgs_per_s']:>8} msg/s   "
                  f"floor {value['floor_msgs_per_s']:>8} msg/s   ratio {value['relay_over_floor']:.0%}")


def main() -> None:
    """Run the relay benchmark alone (bench database, and PostgreSQL when BENCH_PG_URL is set)."""
    from bench.kill_test import make_app

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{BASE_DIR / 'instance' / 'bench.db'}"
    from flask_migrate import upgrade

    app = make_app(url)
    with app.app_context():
        upgrade()
    results = {"relay": bench_relay(app)}
    if os.environ.get("BENCH_PG_URL"):
        results["relay_postgresql"] = bench_relay_postgresql(os.environ["BENCH_PG_URL"])
    print_rows(results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
    else:
        main()
