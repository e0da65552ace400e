"""Running it: the request log, /metrics, the scheduler's record of its runs and the preflight checks."""

from __future__ import annotations

import json
import logging
import re

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.accounts.models import User
from tracker.core.logs import JsonFormatter
from tracker.core.models import SchedulerRun
from tracker.core.preflight import NotReady, problems, require_ready
from tracker.core.scheduler import in_app
from tracker.extensions import db
from tracker.mail.models import OutboxMessage


def _request_lines(caplog) -> list[dict]:
    """The request lines logged so far, as the JSON the production handler writes."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records if record.name == "tracker.request"]


def test_one_line_per_request_with_id_user_route_status_and_duration(client, login_as, caplog):
    caplog.set_level(logging.INFO, logger="tracker.request")
    user = login_as("cp_own")
    answer = client.get("/countries/EE", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "nginx-0123456789abcdef"
    [line] = _request_lines(caplog)
    assert line["request_id"] == "nginx-0123456789abcdef" and line["user_id"] == user.id
    assert (line["method"], line["route"], line["status"]) == ("GET", "/countries/<code>", 200)
    assert line["duration_ms"] > 0 and "EE" not in json.dumps(line)


def test_the_log_never_holds_passwords_emails_tokens_or_paths(client, caplog):
    caplog.set_level(logging.INFO, logger="tracker.request")
    client.post("/login", data={"email": "secretariat@demo.test", "password": "a-secret-Password-9"})
    client.get("/appointments/link/TOKEN-in-the-path-123?reply=yes")
    client.get("/api/v1/countries", headers={"Authorization": "Bearer tt_not-a-real-token"})
    lines = _request_lines(caplog)
    assert [(line["route"], line["status"]) for line in lines] == [
        ("/login", 200), ("/appointments/link/<token>", lines[1]["status"]), ("/api/v1/countries", 401)]
    written = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    for secret in ("secretariat@demo.test", "a-secret-Password-9", "TOKEN-in-the-path", "reply=yes", "tt_not"):
        assert secret not in written


def test_cr_and_lf_cannot_forge_a_line(client, caplog):
    caplog.set_level(logging.INFO, logger="tracker")
    forged = 'x\r\n{"level": "INFO", "message": "request", "user_id": 1}'
    client.get("/healthz", headers={"X-Request-ID": "abcdefgh forged <script>"})  # no CR/LF gets through HTTP
    client.get("/nowhere%0d%0a%7B%22level%22%3A%22INFO%22%7D")
    logging.getLogger("tracker.test").warning("a name from a form: %s", forged)
    written = [JsonFormatter().format(record) for record in caplog.records if record.name.startswith("tracker")]
    assert all("\n" not in line and "\r" not in line for line in written)
    assert json.loads(written[-1])["message"] == f"a name from a form: {forged}"
    request_line, unknown = json.loads(written[0]), json.loads(written[1])
    assert re.fullmatch(r"[0-9a-f]{32}", request_line["request_id"])  # the malformed id was replaced
    assert (unknown["route"], unknown["status"]) == ("(no route)", 404)


def test_an_exception_is_one_line_too():
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        record = logging.LogRecord("tracker", logging.ERROR, __file__, 1, "failed", (), exc_info=True)
        record.exc_info = __import__("sys").exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line and "line two" in json.loads(line)["exception"]


def test_metrics_are_protected(client, login_as, app):
    app.config["METRICS_TOKEN"] = "metrics-token-for-the-test"
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        answer = client.get("/metrics", headers={"Authorization": "Bearer metrics-token-for-the-test"})
        assert answer.status_code == 200 and answer.mimetype == "text/plain"
        login_as("viewer")
        assert client.get("/metrics").status_code == 403
        login_as("cp_own")
        assert client.get("/metrics").status_code == 403
        login_as("secretariat")
        assert client.get("/metrics").status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = ""


def _sample(text: str, name: str) -> float:
    return float(re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE).group(1))


def test_metrics_report_requests_outbox_failures_and_the_scheduler(client, login_as, app):
    login_as("secretariat")
    db.session.execute(sa.delete(OutboxMessage))
    for number, status in enumerate(["queued", "queued", "sending", "failed", "sent"]):
        db.session.add(OutboxMessage(idempotency_key=f"metrics-{number}", message_id=f"<m{number}@test>",
                                     sender="a@demo.test", recipients="b@demo.test", subject="s", text_body="t",
                                     status=status))

    def relay_job() -> None:
        """A job that works."""

    def failing_job() -> None:
        """A job that fails."""
        raise RuntimeError("boom")

    in_app(app, relay_job, "relay-outbox")()
    in_app(app, failing_job, "weekly-digest")()
    text = client.get("/metrics").get_data(as_text=True)
    assert _sample(text, "tracker_outbox_depth") == 3
    assert _sample(text, "tracker_mail_failed") == 1
    assert _sample(text, 'tracker_scheduler_job_failures{job="weekly-digest"}') == 1
    assert _sample(text, 'tracker_scheduler_last_run_timestamp_seconds{job="relay-outbox"}') > 1.7e9
    assert 'tracker_scheduler_last_success_timestamp_seconds{job="weekly-digest"}' not in text
    assert re.search(r'^tracker_http_requests_total\{method="GET",route="/metrics",status="200"\} [1-9]', text,
                     re.MULTILINE)
    failed = db.session.get(SchedulerRun, "weekly-digest")
    assert (failed.runs, failed.failures, failed.last_error) == (1, 1, "RuntimeError")


def test_preflight_refuses_the_demo_password_and_sqlite_in_production(base_app):
    production_like = create_app({"REFUSED_PASSWORDS": frozenset({"demo-password"}),
                                  "SQLALCHEMY_DATABASE_URI": base_app.config["SQLALCHEMY_DATABASE_URI"]},
                                 profile="testing")
    found = problems(production_like)
    with base_app.app_context():
        demo_ids = set(db.session.scalars(sa.select(User.id).where(User.password_hash.is_not(None))))
    assert any("demo password" in reason and str(min(demo_ids)) in reason for reason in found)
    if production_like.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert any("PostgreSQL" in reason for reason in found)
    with pytest.raises(NotReady):
        require_ready(production_like)
    assert problems(create_app(profile="testing")) == []  # development: migrations only, and they are at head


def test_preflight_refuses_a_database_behind_the_migrations(tmp_path):
    empty = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"}, profile="testing")
    [reason] = problems(empty)
    assert "flask db upgrade" in reason
    result = empty.test_cli_runner().invoke(args=["preflight"])
    assert result.exit_code == 3 and "flask db upgrade" in result.output


def test_disable_demo_leaves_real_accounts(app, runner):
    from tracker.accounts.services import hash_password

    real = User(email="real.person@demo.test", role="viewer", password_hash=hash_password("a real long password"))
    db.session.add(real)
    db.session.flush()
    result = runner.invoke(args=["users", "disable-demo"])
    assert result.exit_code == 0 and "disabled 5 account(s)" in result.output
    enabled = set(db.session.scalars(sa.select(User.email).where(User.is_enabled.is_(True),
                                                                 User.password_hash.is_not(None))))
    assert enabled == {"real.person@demo.test"}


@pytest.mark.once  # its own SQLite file, whatever the suite's database
def test_sqlite_pages_are_read_beside_a_writer(tmp_path):
    """A GET reads its WAL snapshot while another process holds the write lock; it does not queue for it."""
    import sqlite3
    import time

    from flask_migrate import upgrade

    path = tmp_path / "wal.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}, profile="testing")
    with app.app_context():
        upgrade()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the scheduler, say, in the middle of a write
    try:
        started = time.perf_counter()
        answer = app.test_client().get("/healthz")
        waited = time.perf_counter() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert answer.status_code == 200 and answer.get_json()["database"] == "ok"
    assert waited < 2  # with BEGIN IMMEDIATE it would wait busy_timeout (5 s) and fail


def test_an_id_beyond_the_database_range_is_404_not_a_database_error(client, login_as):
    login_as("secretariat")
    assert client.get("/users/2147483647/edit").status_code == 404  # the largest id: looked up, not found
    assert client.get("/users/2147483648/edit").status_code == 404  # beyond PostgreSQL's integer: no route


def test_the_500_page_gives_the_reference_of_the_logged_error():
    import io

    from tracker.core.permissions import public

    app = create_app(profile="testing")

    @app.get("/boom/<word>")
    @public
    def boom(word: str):
        raise RuntimeError("a bug")

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # as in production: formatted when written, inside the request
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tracker.core.errors")
    logger.addHandler(handler)
    try:
        page = app.test_client().get("/boom/secret-in-the-path",
                                     headers={"X-Request-ID": "ref-0123456789", "Accept-Language": "de"})
    finally:
        logger.removeHandler(handler)
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "nennen Sie dem Sekretariat bitte diese Referenz: ref-0123456789" in text and "a bug" not in text
    [error] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert error["request_id"] == "ref-0123456789" and "RuntimeError: a bug" in error["exception"]
    assert (error["level"], error["message"]) == ("ERROR", "unhandled error on GET /boom/<word>")
    assert "secret-in-the-path" not in stream.getvalue()


@pytest.mark.once  # its own SQLite file, whatever the suite's database
def test_sqlite_a_get_that_writes_waits_for_the_writer_instead_of_failing(tmp_path):
    """An audited export read while another process writes: its audit entry waits for the lock (no 500)."""
    import sqlite3
    import threading
    import time

    from bench.kill_test import prepare_database
    from tracker.audit.models import AuditEntry

    path = tmp_path / "busy.db"
    app = prepare_database(f"sqlite:///{path}")
    client = app.test_client()
    with app.app_context():
        user_id = db.session.scalar(sa.select(User).where(User.email == "secretariat@demo.test")).get_id()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    holding, done = threading.Event(), threading.Event()

    def writer() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")  # the scheduler, say, writing while the export reads
        connection.execute("UPDATE member_states SET name = name")
        holding.set()
        time.sleep(1.0)
        connection.execute("COMMIT")  # the export's snapshot is now older than the database
        connection.close()
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    holding.wait(5)
    answer = client.get("/people/export.csv")
    thread.join(10)
    assert done.is_set() and answer.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "export")) == 1


def test_the_scheduler_knows_when_its_lock_is_lost(base_app, tmp_path):
    from tracker.core.scheduler import ADVISORY_LOCK_KEY, SchedulerLock

    original = base_app.config["SCHEDULER_LOCK_FILE"]
    base_app.config["SCHEDULER_LOCK_FILE"] = str(tmp_path / "scheduler.lock")
    first, second = SchedulerLock(base_app), SchedulerLock(base_app)
    try:
        assert first.try_acquire() and first.held()
        assert not second.try_acquire()
        with base_app.app_context():
            if db.engine.dialect.name != "postgresql":
                return  # the lock file lives as long as the process: nothing else can take it away
            with db.engine.connect() as connection:  # PostgreSQL restarted, or the network dropped the session
                connection.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = :key"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                    {"key": ADVISORY_LOCK_KEY})
                connection.commit()
        assert not first.held()  # so the running scheduler stops ...
        assert second.try_acquire() and second.held()  # ... as the waiting one takes over
    finally:
        first.release()
        second.release()
        base_app.config["SCHEDULER_LOCK_FILE"] = original


def test_gunicorn_request_lines_and_database_values_stay_out_of_the_log(app):
    import sys

    from tracker.core.logs import GunicornRedactor

    redactor = GunicornRedactor()
    bad = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, "Invalid request from ip=%s: %s",
                            ("10.0.0.9", "Invalid HTTP request line: 'GET /password/reset/TOKEN-1 HTTP/1.1'"), None)
    failed = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s %s",
                               ("GET", "/appointments/link/TOKEN-2?x=1"), None)
    assert redactor.filter(bad) and redactor.filter(failed)
    assert "TOKEN" not in bad.getMessage() + failed.getMessage()

    # A real constraint error of this database: its SQL is logged, never its values.
    db.session.add(User(email="secretariat@demo.test", role="viewer", display_name="Someone Else Entirely"))
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        record = logging.LogRecord("tracker", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    finally:
        db.session.rollback()
    line = JsonFormatter().format(record)
    assert "INSERT INTO users" in line
    assert "secretariat@demo.test" not in line and "Someone Else Entirely" not in line
