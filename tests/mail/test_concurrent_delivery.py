"""Two schedulers and four gunicorn workers on one database: every email goes out exactly once.

Real processes, as in production: two `flask scheduler run` (the second must wait on the lock)
and `gunicorn -w 4`, all sending to an aiosmtpd server in the test process. The schedulers'
own ladder evaluation finds reminders due (a milestone moved to yesterday); meanwhile clients
ask gunicorn for password-reset links, each request queueing an email and relaying it inline.
Runs on a dedicated database: a SQLite file of its own, or a PostgreSQL database created on the
TEST_DATABASE_URL server (never the suite's own database).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bench.kill_test import (
    Recorder,
    RecordingServer,
    free_port,
    prepare_database,
    scratch_database,
    stop_process,
    wait_until,
)
from config import BASE_DIR, normalise_database_url

CLIENTS = 8
REQUESTS_PER_CLIENT = 4
#: Short enough that a message left 'sending' by a failed relay comes back (and shows) within the test.
LEASE_SECONDS = 15
#: The last line of a logged traceback ("sqlalchemy.exc.OperationalError: ...").
EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception): ")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _arrange(app) -> set[tuple[int, int]]:
    """Make the asset deadline yesterday (its day-0 step is due now), add accounts; the (step, country) due."""
    from tracker.accounts.models import User
    from tracker.core.time import utcnow
    from tracker.countries.models import Campaign, Milestone
    from tracker.extensions import db
    from tracker.reminders.services import plan_reminders

    with app.app_context():
        milestone = db.session.scalar(
            sa.select(Milestone).join(Campaign).where(Campaign.code == "twinit-2", Milestone.code == "asset_submitted"))
        # Day 0 is planned yesterday (within the 72 h a late reminder may still go by itself); days -3
        # and -14 are older than that (missed, not sent) and days +2 and +7 are still ahead.
        milestone.due_at = utcnow() - timedelta(days=1)
        for number in range(CLIENTS * 2):
            db.session.add(User(email=f"reset.{number}@demo.test", role="viewer", display_name=f"Reset {number}"))
        db.session.commit()
        due = {(item.step.id, item.member_state.id) for item in plan_reminders(utcnow()) if item.state == "due"}
        db.session.remove()
        db.engine.dispose()
    return due


def _client_session(base: str, emails: list[str], statuses: list[int], errors: list[str]) -> None:
    """One browser: its own cookies; fetch the form, post it with the CSRF token, again and again."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                         _NoRedirect())
    for number in range(REQUESTS_PER_CLIENT):
        try:
            page = opener.open(f"{base}/password/forgot", timeout=30).read().decode()
            match = CSRF.search(page)
            token = match.group(1) or match.group(2)
            data = urllib.parse.urlencode({"csrf_token": token, "email": emails[number % len(emails)]}).encode()
            try:
                statuses.append(opener.open(f"{base}/password/forgot", data=data, timeout=30).status)
            except urllib.error.HTTPError as answer:  # 302 (not followed) or an error page
                statuses.append(answer.code)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        time.sleep(0.2 + 0.1 * (number % 3))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep the 302 the view answers with, instead of following it."""

    def redirect_request(self, *args, **kwargs):  # noqa: D102
        return None






def test_two_schedulers_and_four_web_workers_send_every_email_once(tmp_path):
    url_given = os.environ.get("TEST_DATABASE_URL")
    with scratch_database(url_given, f"tracker_concurrency_test_{os.getpid()}") as url:
        due = _arrange(prepare_database(url))
        assert due, "the arrangement should make reminders due"
        recorder = Recorder((0.001, 0.005))
        smtp_port, web_port = free_port(), free_port()
        server = RecordingServer(recorder, smtp_port)
        env = dict(os.environ)
        env.pop("TEST_DATABASE_URL", None)
        env.update(
            FLASK_APP="wsgi", TRACKER_CONFIG="development", DATABASE_URL=url, PYTHONUNBUFFERED="1",
            MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_LEASE_SECONDS=str(LEASE_SECONDS),
            TRACKER_SCHEDULER_RELAY_SECONDS="1", TRACKER_SCHEDULER_REMINDERS_SECONDS="1",
            TRACKER_SCHEDULER_LOCK_FILE=str(tmp_path / "scheduler.lock"),
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        commands = {
            "scheduler-1": [sys.executable, "-m", "flask", "scheduler", "run"],
            "scheduler-2": [sys.executable, "-m", "flask", "scheduler", "run"],
            "gunicorn": [str(gunicorn), "-w", "4", "-b", f"127.0.0.1:{web_port}", "wsgi:app"],
        }
        logs = {name: (tmp_path / f"{name}.out", tmp_path / f"{name}.err") for name in commands}
        processes: dict[str, subprocess.Popen] = {}
        engine = sa.create_engine(normalise_database_url(url), poolclass=NullPool)
        server.start()
        try:
            for name, command in commands.items():
                out, err = logs[name]
                with out.open("w") as stdout, err.open("w") as stderr:  # the child keeps its own copies
                    processes[name] = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=stdout, stderr=stderr)
            base = f"http://127.0.0.1:{web_port}"
            wait_until(lambda: _answers(f"{base}/password/forgot"), 30, "gunicorn")

            statuses: list[int] = []
            errors: list[str] = []
            clients = [
                threading.Thread(target=_client_session, args=(base, [f"reset.{2 * n}@demo.test",
                                                                      f"reset.{2 * n + 1}@demo.test"],
                                                               statuses, errors))
                for n in range(CLIENTS)
            ]
            for client in clients:
                client.start()
            for client in clients:
                client.join(60)

            def delivered() -> bool:
                with engine.connect() as connection:
                    busy = connection.scalar(sa.text(
                        "SELECT count(*) FROM outbox_messages WHERE status IN ('queued', 'sending')"))
                    dispatched = connection.scalar(sa.text("SELECT count(*) FROM reminder_dispatches"))
                return busy == 0 and dispatched >= len(due)

            wait_until(delivered, 30, "the outbox to empty and the reminders to be dispatched")
            time.sleep(1.5)  # two more relay and ladder runs: nothing more may go out

            with engine.connect() as connection:
                rows = connection.execute(sa.text("SELECT message_id, kind, status FROM outbox_messages")).all()
                dispatches = Counter(tuple(row) for row in connection.execute(
                    sa.text("SELECT step_id, member_state_id FROM reminder_dispatches")))

            # The waiting scheduler takes over once the running one stops, and not before.
            outputs = {name: logs[name][0].read_text() + logs[name][1].read_text() for name in commands}
            running = [name for name in ("scheduler-1", "scheduler-2") if "Scheduler running" in outputs[name]]
            waiting = [name for name in ("scheduler-1", "scheduler-2") if "Another scheduler is running" in outputs[name]]
            assert len(running) == 1 and len(waiting) == 1 and running != waiting, outputs
            stop_process(processes[running[0]])
            wait_until(lambda: "Scheduler running" in logs[waiting[0]][0].read_text(), 15, "the takeover")
        finally:
            for process in processes.values():
                stop_process(process)
            server.stop()
            engine.dispose()

    outputs = {name: logs[name][0].read_text() + logs[name][1].read_text() for name in commands}
    receipts = Counter(mid for mid, _run in recorder.receipts)
    queued = Counter({mid: 1 for mid, _kind, _status in rows})
    kinds = Counter("reminder" if kind == "reminder" else "web" for _mid, kind, _status in rows)
    summary = {
        "queued": kinds, "final statuses": Counter(status for _mid, _kind, status in rows),
        "received more than once": sum(n > 1 for n in receipts.values()),
        "never received": len(set(queued) - set(receipts)), "POST answers": Counter(statuses),
        "client errors": errors, "dispatches": len(dispatches), "due": len(due),
        "database is locked": {name: text.count("database is locked") for name, text in outputs.items()},
    }
    assert kinds["reminder"] > 0 and kinds["web"] > 0, summary
    assert receipts == queued, summary  # every queued message received, and once
    assert summary["final statuses"] == {"sent": len(rows)}, summary
    assert set(dispatches) == due and set(dispatches.values()) == {1}, summary
    assert not errors, summary

    # Every request answered with the redirect, and no process logged an exception.
    exceptions = [line for text in outputs.values() for line in text.splitlines() if EXCEPTION_LINE.match(line)]
    if set(statuses) == {302} and not exceptions:
        return
    raise AssertionError(f"{summary}\n" + "\n".join(f"--- {name}\n{text[-3000:]}" for name, text in outputs.items()))


def _answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False
