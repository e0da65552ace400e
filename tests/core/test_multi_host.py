"""Two web hosts and two schedulers on one PostgreSQL database, as production runs them.

Real processes on loopback, in the production profile: two gunicorn instances on different ports
(two workers each), two `flask scheduler run` (as if each host started one, each with its own
lock file, so only PostgreSQL's advisory lock can keep the second waiting) and an aiosmtpd server
in the test process. It shows that a session made on one host works on the other and ends on
both, that failed logins on both hosts count towards one limit, that a form made stale on one host
is refused on the other, that mail queued on either host goes out once through the one running
scheduler, that the metrics of both hosts agree on the database's figures, and that the request
logs hold ids, never emails, passwords, cookies or tokens.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bench.kill_test import (
    Recorder,
    RecordingServer,
    database_kind,
    free_port,
    prepare_database,
    scratch_database,
    stop_process,
    wait_until,
)
from config import BASE_DIR, normalise_database_url
from tests.html_forms import form_values, posted_form_values
from tracker.core.scheduler import ADVISORY_LOCK_KEY

pytestmark = pytest.mark.postgresql

PASSWORD = "correct horse battery staple 7"
STAFF, CONTACT_POINT = "ops.secretariat@example.eu", "ops.estonia@example.eu"
READERS = 6
RESET_LINK = re.compile(r"https?://\S+/password/reset/(\S+)")


def _arrange(app) -> dict[str, int]:
    """Disable the demo accounts (production refuses their password), add two real ones; their ids."""
    from tracker.accounts.models import User
    from tracker.accounts.services import hash_password
    from tracker.countries.models import MemberState
    from tracker.extensions import db

    with app.app_context():
        db.session.execute(sa.update(User).values(is_enabled=False))
        estonia = db.session.scalar(sa.select(MemberState).where(MemberState.code == "EE"))
        password_hash = hash_password(PASSWORD)
        staff = User(email=STAFF, role="secretariat", display_name="Ops Secretariat", password_hash=password_hash)
        cp = User(email=CONTACT_POINT, role="contact_point", member_state_id=estonia.id,
                  display_name="Ops Estonia", password_hash=password_hash)
        db.session.add_all([staff, cp])
        for number in range(READERS):
            db.session.add(User(email=f"ops.reader.{number}@example.eu", role="viewer", display_name=f"Reader {number}"))
        db.session.commit()
        ids = {"staff": staff.id, "cp": cp.id}
        db.session.remove()
        db.engine.dispose()
    return ids


class Browser:
    """One person's cookies, sent by hand: the production cookies are `Secure` and this is plain http."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """Send with this browser's cookies; keep the ones set; never follow redirects."""
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs)
        for cookie in response.cookies:
            if cookie.value:
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        return response

    def submit(self, url: str, changes: dict[str, str], page_url: str | None = None) -> requests.Response:
        """Fetch the page's form (with its CSRF token), change some fields, post it."""
        page = self.request("GET", page_url or url)
        assert page.status_code == 200, (page_url or url, page.status_code)
        values = posted_form_values(page.text, urlsplit(url).path)
        values.update(changes)
        return self.request("POST", url, data=values)

    def log_in(self, base: str, email: str, password: str = PASSWORD) -> requests.Response:
        """Post the login form."""
        return self.submit(f"{base}/login", {"email": email, "password": password})




def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False




def _metric(text: str, name: str, labels: str = "") -> float:
    """One sample's value from a Prometheus text exposition."""
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} missing"
    return float(match.group(1))


def test_two_web_hosts_and_two_schedulers_share_one_postgresql(tmp_path):
    url_given = os.environ.get("TEST_DATABASE_URL")
    if database_kind(url_given) != "postgresql":
        pytest.skip("several hosts share one PostgreSQL database: `make test` runs this in its PostgreSQL run")
    with scratch_database(url_given, f"tracker_hosts_test_{os.getpid()}") as url:
        ids = _arrange(prepare_database(url))
        recorder = Recorder((0.001, 0.003))
        smtp_port, port_a, port_b = free_port(), free_port(), free_port()
        server = RecordingServer(recorder, smtp_port)
        metrics_token = secrets.token_urlsafe(24)
        env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
        env.update(
            FLASK_APP="wsgi", TRACKER_CONFIG="production", DATABASE_URL=url, PYTHONUNBUFFERED="1",
            TRACKER_SECRET_KEY=secrets.token_urlsafe(40), TRACKER_METRICS_TOKEN=metrics_token,
            TRACKER_BASE_URL="https://tracker.example.eu", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port),
            TRACKER_SCHEDULER_RELAY_SECONDS="1", TRACKER_SCHEDULER_REMINDERS_SECONDS="2",
            TRACKER_SCHEDULER_LOCK_CHECK_SECONDS="1",
        )
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        commands = {
            "web-a": ([gunicorn, "-c", "gunicorn.conf.py", "-w", "2", "-b", f"127.0.0.1:{port_a}", "wsgi:app"], {}),
            "web-b": ([gunicorn, "-c", "gunicorn.conf.py", "-w", "2", "-b", f"127.0.0.1:{port_b}", "wsgi:app"], {}),
            # Each "host" has its own lock file: only the database's advisory lock is shared.
            "scheduler-a": ([sys.executable, "-m", "flask", "scheduler", "run"],
                            {"TRACKER_SCHEDULER_LOCK_FILE": str(tmp_path / "a.lock")}),
            "scheduler-b": ([sys.executable, "-m", "flask", "scheduler", "run"],
                            {"TRACKER_SCHEDULER_LOCK_FILE": str(tmp_path / "b.lock")}),
        }
        logs = {name: tmp_path / f"{name}.log" for name in commands}
        processes: dict[str, subprocess.Popen] = {}
        engine = sa.create_engine(normalise_database_url(url), poolclass=NullPool)
        server.start()
        a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        try:
            for name, (command, extra) in commands.items():
                with logs[name].open("w") as out:  # the child keeps its own copy
                    processes[name] = subprocess.Popen(command, cwd=BASE_DIR, env={**env, **extra},
                                                       stdout=out, stderr=subprocess.STDOUT)
            wait_until(lambda: _answers(f"{a}/healthz") and _answers(f"{b}/healthz"), 60, "both web hosts")

            # -- sessions: logged in on A, known on B; logged out on B, gone on A too.
            staff = Browser()
            assert staff.log_in(a, STAFF).status_code == 302
            on_b = staff.request("GET", f"{b}/")
            assert on_b.status_code == 200 and "Ops Secretariat" in on_b.text
            cp = Browser()
            assert cp.log_in(b, CONTACT_POINT).status_code == 302
            assert cp.request("GET", f"{a}/countries/EE").status_code == 200
            assert cp.request("GET", f"{a}/countries/FR").status_code == 404  # never another country
            leaving = Browser()
            assert leaving.log_in(a, CONTACT_POINT).status_code == 302
            kept = dict(leaving.cookies)
            assert leaving.submit(f"{b}/logout", {}, page_url=f"{b}/").status_code == 302
            replay = Browser()
            replay.cookies = kept  # the cookie from before the logout, sent to the other host
            assert replay.request("GET", f"{a}/countries/EE").status_code == 302  # to the login page
            assert cp.request("GET", f"{a}/countries/EE").status_code == 302  # logout ends every session

            # -- login limits: five failures spread over both hosts lock the account on both.
            guesser = Browser()
            for attempt in range(5):
                page = guesser.log_in(a if attempt % 2 else b, STAFF, password=f"wrong-{attempt}-password")
                assert page.status_code == 200 and "Wrong email or password" in page.text
            refused = Browser().log_in(a, STAFF)
            assert refused.status_code == 200 and "Too many failed attempts" in refused.text
            assert Browser().log_in(b, STAFF).status_code == 200
            with engine.connect() as connection:
                attempts = connection.scalar(sa.text(
                    "SELECT count(*) FROM login_attempts WHERE email = :e AND NOT succeeded"), {"e": STAFF})
            assert attempts == 7

            # -- a form made stale on one host is refused on the other (the row's version).
            edit = f"/users/{ids['cp']}/edit"
            first, second = staff.request("GET", a + edit), staff.request("GET", b + edit)
            form_a, form_b = form_values(first.text), form_values(second.text)
            form_a["display_name"], form_b["display_name"] = "Ops Estonia (A)", "Ops Estonia (B)"
            assert staff.request("POST", a + edit, data=form_a).status_code == 302
            conflict = staff.request("POST", b + edit, data=form_b)
            assert conflict.status_code == 409
            with engine.connect() as connection:
                assert connection.scalar(sa.text("SELECT display_name FROM users WHERE id = :i"),
                                         {"i": ids["cp"]}) == "Ops Estonia (A)"

            # -- the outbox: reset emails asked on both hosts, each sent once by the one running scheduler.
            for number in range(READERS):
                host = a if number % 2 else b
                asked = Browser().submit(f"{host}/password/forgot", {"email": f"ops.reader.{number}@example.eu"})
                assert asked.status_code == 302

            def delivered() -> bool:
                with engine.connect() as connection:
                    busy = connection.scalar(sa.text(
                        "SELECT count(*) FROM outbox_messages WHERE status IN ('queued', 'sending')"))
                    relayed = connection.scalar(sa.text(
                        "SELECT count(*) FROM scheduler_runs WHERE job = 'relay-outbox'"))
                return busy == 0 and relayed == 1

            wait_until(delivered, 30, "the outbox to empty")
            time.sleep(2.5)  # more relay runs: nothing goes out twice
            with engine.connect() as connection:
                rows = connection.execute(sa.text("SELECT message_id, status FROM outbox_messages")).all()
                bodies = "\n".join(connection.scalars(sa.text("SELECT text_body FROM outbox_messages")))
                hosts = set(connection.scalars(sa.text("SELECT last_host FROM scheduler_runs")))
            receipts = Counter(mid for mid, _run in recorder.receipts)
            assert len(rows) >= READERS and {status for _mid, status in rows} == {"sent"}
            assert receipts == Counter({mid: 1 for mid, _status in rows})

            # -- one scheduler ran, whichever host started it; the other waits, and takes over.
            outputs = {name: logs[name].read_text() for name in commands}
            running = [n for n in ("scheduler-a", "scheduler-b") if "Scheduler running" in outputs[n]]
            waiting = [n for n in ("scheduler-a", "scheduler-b") if "Another scheduler is running" in outputs[n]]
            assert len(running) == 1 and len(waiting) == 1 and running != waiting, outputs
            assert hosts == {f"{os.uname().nodename}:{processes[running[0]].pid}"}

            # -- metrics: both hosts report the same outbox and scheduler figures, and their own requests.
            assert requests.get(f"{a}/metrics", timeout=10).status_code == 401
            contact_point = Browser()
            assert contact_point.log_in(a, CONTACT_POINT).status_code == 302
            assert contact_point.request("GET", f"{b}/metrics").status_code == 403
            bearer = {"Authorization": f"Bearer {metrics_token}"}
            scraped = {host: requests.get(f"{host}/metrics", headers=bearer, timeout=10).text for host in (a, b)}
            for text in scraped.values():
                assert _metric(text, "tracker_outbox_depth") == 0
                assert _metric(text, "tracker_mail_failed") == 0
                assert _metric(text, "tracker_scheduler_last_run_timestamp_seconds", '{job="relay-outbox"}') > 0
            # Host A answered exactly three refused logins (two wrong passwords, one throttled), host B four
            # (three and one), each spread over its two workers: the figures are the workers' sums.
            assert _metric(scraped[a], "tracker_http_requests_total",
                           '{method="POST",route="/login",status="200"}') == 3
            assert _metric(scraped[b], "tracker_http_requests_total",
                           '{method="POST",route="/login",status="200"}') == 4
            assert staff.request("GET", f"{a}/metrics").status_code == 200  # a secretariat login reads it too

            # The running scheduler's database session dies (PostgreSQL restarted, the network dropped it):
            # it notices within its lock check, stops, and the waiting one takes over.
            with engine.connect() as connection:
                connection.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key"),
                    {"key": ADVISORY_LOCK_KEY})
                connection.commit()
            assert processes[running[0]].wait(timeout=20) == 1
            assert "the scheduler lock was lost" in logs[running[0]].read_text()
            wait_until(lambda: "Scheduler running" in logs[waiting[0]].read_text(), 20, "the takeover")
        finally:
            for process in processes.values():
                stop_process(process)
            server.stop()
            engine.dispose()

    # -- the request logs: one JSON line per request; ids, never emails, passwords, cookies or tokens.
    lines = [line for name in ("web-a", "web-b") for line in logs[name].read_text().splitlines()]
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    requests_logged = [e for e in entries if e["logger"] == "tracker.request"]
    assert len(requests_logged) > 40
    for entry in requests_logged:
        assert set(entry) >= {"request_id", "user_id", "method", "route", "status", "duration_ms"}
    by_user = Counter(e["user_id"] for e in requests_logged)
    assert by_user[ids["staff"]] > 5 and by_user[ids["cp"]] > 1
    assert {e["route"] for e in requests_logged} >= {"/login", "/countries/<code>", "/users/<int:user_id>/edit"}
    text = "\n".join(lines)
    tokens = [m.group(1) for m in RESET_LINK.finditer(bodies)]
    assert len(tokens) >= READERS
    tokens += [*staff.cookies.values(), metrics_token]
    for secret in [PASSWORD, STAFF, CONTACT_POINT, "wrong-1-password", *tokens]:
        assert secret not in text
