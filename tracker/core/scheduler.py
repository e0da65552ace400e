"""`flask scheduler run`: the one process that runs the periodic jobs (never the web workers).

A second scheduler started by mistake waits on a lock (a PostgreSQL advisory lock, or a lock
file with SQLite) and takes over only when the first one stops, so no job ever runs twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup

from tracker.core.time import BRUSSELS, utcnow
from tracker.extensions import db

log = logging.getLogger(__name__)
scheduler_cli = AppGroup("scheduler", help="The process that relays mail and sends reminders.")

#: The PostgreSQL advisory-lock key of the scheduler ("twin" in ASCII).
ADVISORY_LOCK_KEY = 0x7477696E


class SchedulerLock:
    """Held for the life of the scheduler process; `acquire` waits while another process holds it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._connection: Any = None
        self._file: Any = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free."""
        with self.app.app_context():
            engine = db.engine
            if engine.dialect.name == "postgresql":
                connection = engine.connect()
                got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
                connection.commit()
                if got:
                    self._connection = connection  # the lock lives as long as this session
                    return True
                connection.close()
                return False
        path = Path(self.app.config["SCHEDULER_LOCK_FILE"])
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle  # the kernel releases it when the process ends, however it ends
        return True

    def acquire(self, poll_seconds: float = 5.0, should_stop: Callable[[], bool] = lambda: False) -> bool:
        """Wait until the lock is ours (False if asked to stop first)."""
        announced = False
        while not self.try_acquire():
            if not announced:
                log.warning("another scheduler holds the lock; waiting")
                click.echo("Another scheduler is running: waiting for it to stop.", err=True)
                announced = True
            if should_stop():
                return False
            time.sleep(poll_seconds)
        return True

    def held(self) -> bool:
        """Whether this process still holds the lock (PostgreSQL: its session is alive and owns the lock)."""
        if self._connection is not None:
            try:
                owned = self._connection.execute(sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
                    " AND classid = 0 AND objid::bigint = :key AND objsubid = 1"), {"key": ADVISORY_LOCK_KEY}).scalar()
                self._connection.commit()
                return bool(owned)
            except sa.exc.SQLAlchemyError:
                return False  # the session died with the database or the network: the lock went with it
        return self._file is not None

    def release(self) -> None:
        """Let a waiting scheduler take over."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._file is not None:
            self._file.close()
            self._file = None


#: Who runs the jobs, as recorded in scheduler_runs ("host:pid").
RUNNER = f"{socket.gethostname()}:{os.getpid()}"[:120]


def record_run(job_id: str, started_at: datetime, error: BaseException | None) -> None:
    """Note a finished run of `job_id` in scheduler_runs (flushes, the caller commits)."""
    from tracker.core.models import SchedulerRun

    run = db.session.get(SchedulerRun, job_id) or SchedulerRun(job=job_id, runs=0, failures=0)
    finished_at = utcnow()
    run.last_started_at, run.last_finished_at, run.last_host = started_at, finished_at, RUNNER
    run.runs += 1
    if error is None:
        run.last_succeeded_at = finished_at
    else:
        run.last_failed_at, run.last_error = finished_at, type(error).__name__[:120]
        run.failures += 1
    db.session.add(run)
    db.session.flush()


def in_app(app: Flask, job: Callable[[], None], job_id: str | None = None) -> Callable[[], None]:
    """Run `job` in an app context and record the run; roll back and log on failure so the next starts clean."""

    def run() -> None:
        with app.app_context():
            started_at, error = utcnow(), None
            try:
                job()
            except Exception as exc:
                db.session.rollback()
                log.exception("job %s failed", job.__name__)
                error = exc
            try:
                record_run(job_id or job.__name__, started_at, error)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("the run of %s could not be recorded", job.__name__)
            finally:
                db.session.remove()

    run.__name__ = job.__name__
    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    """The scheduler with its fixed jobs."""
    from tracker.digests.jobs import weekly_digest_job
    from tracker.mail.jobs import relay_job
    from tracker.reminders.jobs import send_due_job

    scheduler = BlockingScheduler(
        timezone=BRUSSELS,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
    )
    now = utcnow()
    scheduler.add_job(in_app(app, send_due_job, "send-due-reminders"), "interval", id="send-due-reminders",
                      next_run_time=now, seconds=app.config["SCHEDULER_REMINDERS_SECONDS"])
    scheduler.add_job(in_app(app, relay_job, "relay-outbox"), "interval", id="relay-outbox", next_run_time=now,
                      seconds=app.config["SCHEDULER_RELAY_SECONDS"])
    scheduler.add_job(in_app(app, weekly_digest_job, "weekly-digest"), "cron", id="weekly-digest",
                      day_of_week=app.config["DIGEST_DAY"], hour=app.config["DIGEST_HOUR"], minute=0)
    return scheduler


@scheduler_cli.command("run")
def run() -> None:
    """Run the periodic jobs until stopped (SIGTERM or Ctrl+C); waits if another scheduler runs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    from tracker.core.preflight import require_ready

    require_ready(app)
    lock = SchedulerLock(app)
    stopping: dict[str, bool] = {"now": False}

    def stop(_signum: int, _frame: Any) -> None:
        stopping["now"] = True
        if scheduler.running:
            # Let a running job finish before the lock goes to a waiting scheduler.
            scheduler.shutdown(wait=True)

    scheduler = build_scheduler(app)

    def check_lock() -> None:
        """Stop at once when the lock is lost (say PostgreSQL restarted): another scheduler may now run."""
        if not lock.held():
            log.error("the scheduler lock was lost; stopping so that two schedulers never run at once")
            stopping["lost"] = True
            scheduler.shutdown(wait=False)

    scheduler.add_job(check_lock, "interval", id="check-lock", seconds=app.config["SCHEDULER_LOCK_CHECK_SECONDS"])
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not lock.acquire(should_stop=lambda: stopping["now"]):
        return
    click.echo("Scheduler running: outbox relay every "
               f"{app.config['SCHEDULER_RELAY_SECONDS']} s, reminders every {app.config['SCHEDULER_REMINDERS_SECONDS']} s, "
               f"weekly digest on {app.config['DIGEST_DAY']} at {app.config['DIGEST_HOUR']:02d}:00 Brussels time.")
    try:
        scheduler.start()
    finally:
        lock.release()
    if stopping.get("lost"):
        raise SystemExit(1)  # systemd starts it again; it then waits for the lock like any second scheduler
