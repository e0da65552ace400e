"""Kill test of the outbox relay: SIGKILL `flask outbox relay` again and again while it sends.

    .venv/bin/python -m bench.kill_test [--messages 300] [--kills 30] [--database-url URL]

Without --database-url the test runs on a fresh SQLite file under instance/. With a PostgreSQL URL
it creates a dedicated database (`tracker_killtest`) on that server, and drops it afterwards; the
database named in the URL is only used to connect. A sqlite:/// URL names a file to create (it must
not exist: the test never overwrites a database).

What it does: migrate the fresh database and load the demo; queue N reminder emails; start an
SMTP server (aiosmtpd) in this process that records the Message-ID of every message it accepts;
then start `flask outbox relay` as a subprocess and SIGKILL it after a random delay, --kills
times, restarting it each time; then run the relay without killing it until nothing is queued
or sending. It reports lost messages (queued, never received), duplicates (extra receipts of one
Message-ID) and where the kills landed, prints a table and writes bench/kill_test_results.json
(one key per database kind). The exit code is 1 if a message was lost, if a row did not end
'sent', or if there were more duplicates than kills that landed inside a send.

The SMTP server takes 5-20 ms per message, in two parts, so that kills land inside sends: it
reads the message (first part), takes responsibility for it (the receipt is recorded: from here
on the message will be delivered), then its "250 OK" reply is on its way (second part). A relay
killed in the second part, or after the reply but before it committed the row as sent, sends the
message again after its lease: that is the one duplicate a kill may cause, and the relay's
guarantee is that it is the only one.

How a kill is classified (measured, not guessed). The server tags each SMTP connection with the
number of the relay run that was alive when the connection was accepted (runs never overlap: a
run is reaped before the next starts, and the test waits SETTLE_SECONDS for the server to see a
killed connection close). A kill landed *inside a send* when either
  - a connection of that run had an open mail transaction (MAIL FROM received, the 250 reply to
    the message not yet pushed) when the connection died, or
  - a message the server accepted from that run still has its row unsent after the kill (the
    relay was killed between the server's acceptance and its own commit).
Other kills landed *during start-up* (no row claimed by the process, no connection: importing the
app, connecting to the database), *after claiming, before connecting* (rows claimed by the
process's pid, no SMTP connection yet), or *between sends* (connected, no message in flight:
building the next message, committing an outcome, claiming the next batch).

Kill delays: the relay's start-up (process start to its first SMTP connection: importing the app,
connecting to the database, claiming a batch; about 0.9 s on a 2-CPU machine) is measured on every
run. A quarter of the kills wait a random fraction of it (they land in start-up); the others wait
for the run's first SMTP connection, then a random share of the sending time left, sized so the
queue lasts over all the kills (about N / (kills + 1) messages per run on average). The whole
lifetime of a relay run on an empty outbox (start-up, one claim, exit) is measured first too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Session
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from config import BASE_DIR, normalise_database_url

RESULTS = BASE_DIR / "bench" / "kill_test_results.json"
#: How long the test waits after reaping a killed relay before it reads what the server saw.
SETTLE_SECONDS = 0.05
#: Share of the kills aimed at the relay's start-up rather than at its sending.
START_UP_SHARE = 0.25


# -- the SMTP server -----------------------------------------------------------------------------


class _TrackedSession(Session):
    """An SMTP connection, tagged with the relay run that made it."""

    def __init__(self, loop: asyncio.AbstractEventLoop, run: int) -> None:
        super().__init__(loop)
        self.run = run
        #: A mail transaction is open: MAIL FROM received, the reply to its DATA not yet pushed.
        self.in_send = False
        #: The connection closed while a transaction was open (its relay died inside a send).
        self.died_in_send = False
        self.closed = False


class Recorder:
    """The aiosmtpd handler: records every accepted message and every connection."""

    def __init__(self, delay: tuple[float, float], seed: int | None = None) -> None:
        self.delay = delay
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        #: The relay run now alive (the test sets it before starting each run).
        self.run = 0
        self.sessions: list[_TrackedSession] = []
        #: (Message-ID, run) for every accepted message, duplicates included.
        self.receipts: list[tuple[str, int]] = []
        self.connected_at: dict[int, float] = {}
        self._parser = BytesHeaderParser()

    def new_session(self, loop: asyncio.AbstractEventLoop) -> _TrackedSession:
        """A session for a connection just accepted."""
        with self.lock:
            session = _TrackedSession(loop, self.run)
            self.sessions.append(session)
            self.connected_at.setdefault(self.run, time.monotonic())
        return session

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd hook name
        """Open a mail transaction."""
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        session.in_send = True
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        """Take the message (a random part of the delay), record it, reply (the rest of the delay)."""
        total = self.random.uniform(*self.delay)
        split = self.random.random()
        await asyncio.sleep(total * split)  # cancelled if the relay dies now: nothing recorded
        headers = self._parser.parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.receipts.append((str(headers["Message-ID"]).strip(), session.run))
        # The server has the message; a relay killed from here until it commits 'sent' sends it again.
        await asyncio.sleep(total * (1 - split))
        session.in_send = False
        return "250 OK"

    def snapshot(self, run: int) -> tuple[list[_TrackedSession], list[str]]:
        """The connections and accepted Message-IDs of one relay run."""
        with self.lock:
            return ([s for s in self.sessions if s.run == run],
                    [mid for mid, r in self.receipts if r == run])


class _TrackedSMTP(SMTP):
    """aiosmtpd's SMTP protocol, noting which connections died inside a transaction."""

    def _create_session(self) -> Session:
        return self.event_handler.new_session(self.loop)

    def connection_lost(self, error: Exception | None) -> None:  # noqa: D102
        session = self.session
        if isinstance(session, _TrackedSession):
            session.died_in_send = session.in_send
            session.closed = True
        super().connection_lost(error)


class RecordingServer(Controller):
    """An SMTP server on loopback that records what it accepts (a Controller thread)."""

    def __init__(self, recorder: Recorder, port: int) -> None:
        super().__init__(recorder, hostname="127.0.0.1", port=port)

    def factory(self) -> SMTP:  # noqa: D102
        return _TrackedSMTP(self.handler, **self.SMTP_kwargs)


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM (a clean stop: a scheduler finishes its job, gunicorn its requests), SIGKILL after `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition: Callable[[], bool], limit: float, what: str) -> None:
    """Poll `condition` every 0.2 s; AssertionError naming `what` after `limit` seconds."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- databases -----------------------------------------------------------------------------------


def database_kind(url: str | None) -> str:
    """'sqlite' or 'postgresql'."""
    return "sqlite" if not url or url.startswith("sqlite") else "postgresql"


@contextmanager
def scratch_database(url: str | None, name: str, *, keep: bool = False) -> Iterator[str]:
    """A fresh, empty database: a SQLite file under instance/, or `name` on the PostgreSQL server of `url`.

    It is removed afterwards unless `keep`. The database named in a PostgreSQL URL is only used to
    connect (so `postgresql://postgres@127.0.0.1:5432/test` leaves `test` alone).
    """
    if database_kind(url) == "sqlite":
        if url:
            path = Path(make_url(url).database or "")
            if path.exists():
                raise SystemExit(f"{path} exists: the kill test only creates fresh SQLite files")
        else:
            path = BASE_DIR / "instance" / f"{name}-{os.getpid()}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        _unlink_sqlite(path)
        try:
            yield f"sqlite:///{path}"
        finally:
            if not keep:
                _unlink_sqlite(path)
        return
    server = make_url(normalise_database_url(url or ""))
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    quoted = '"' + name.replace('"', '""') + '"'
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        admin.dispose()


def _unlink_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def make_app(url: str):
    """An app on `url` (development profile), whatever DATABASE_URL said when config was imported."""
    from tracker import create_app

    # The URL goes in as an override: config.py reads DATABASE_URL at import, which may be long past.
    return create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "WTF_CSRF_ENABLED": False},
                      profile="development")


def bench_app():
    """The app on the bench SQLite file (instance/bench.db), migrated to head."""
    from flask_migrate import upgrade

    app = make_app(f"sqlite:///{BASE_DIR / 'instance' / 'bench.db'}")
    with app.app_context():
        upgrade()
    return app


def prepare_database(url: str):
    """Migrate the empty database to head and load the demo campaign; returns the app."""
    from flask_migrate import upgrade

    from tracker.demo.services import load_demo
    from tracker.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
    return app


def queue_reminders(app, count: int) -> list[str]:
    """Queue `count` reminder emails with distinct keys (committed); their Message-IDs."""
    from tracker.countries.models import Campaign, MemberState, Milestone
    from tracker.extensions import db
    from tracker.mail.services import queue_email
    from tracker.reminders.models import ReminderStep

    with app.app_context():
        milestone = db.session.scalar(
            sa.select(Milestone).join(Campaign).where(Campaign.code == "twinit-2", Milestone.code == "asset_submitted"))
        step = db.session.scalar(sa.select(ReminderStep).where(ReminderStep.milestone_id == milestone.id,
                                                               ReminderStep.offset_days == 0))
        states = list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))
        languages = ("en", "fr", "de")
        ids = []
        for number in range(count):
            state = states[number % len(states)]
            message = queue_email(
                key=f"kill-test:{number}", to=[(f"Kill Test {number}", f"kill.test.{number}@demo.test")],
                template="reminders/emails/reminder", language=languages[number % len(languages)],
                kind="reminder", member_state_id=state.id,
                milestone=milestone, member_state=state, step=step, due_at=milestone.due_for(state), zone=None,
                link=f"http://127.0.0.1:5000/countries/{state.code}", campaign=milestone.campaign, late=False,
            )
            ids.append(message.message_id)
        db.session.commit()
        db.session.remove()
    return ids


def outbox_rows(engine: sa.Engine) -> list[tuple[str, str, str | None]]:
    """(Message-ID, status, claimed_by) of every outbox row."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.text("SELECT message_id, status, claimed_by FROM outbox_messages ORDER BY id"))]


# -- the relay runs ------------------------------------------------------------------------------


def relay_env(url: str, port: int, *, batch_size: int, lease_seconds: int) -> dict[str, str]:
    """The environment of a `flask outbox relay` subprocess."""
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update(FLASK_APP="wsgi", TRACKER_CONFIG="development", DATABASE_URL=url,
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), MAIL_BATCH_SIZE=str(batch_size),
               MAIL_LEASE_SECONDS=str(lease_seconds), MAIL_USERNAME="", MAIL_USE_SSL="", MAIL_USE_STARTTLS="")
    return env


def start_relay(env: dict[str, str]) -> subprocess.Popen:
    """`flask outbox relay` as a subprocess."""
    return subprocess.Popen([sys.executable, "-m", "flask", "outbox", "relay"], cwd=BASE_DIR, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@dataclass
class KillRecord:
    """One relay run that the test killed."""

    run: int
    pid: int
    delay_s: float
    aimed_at: str
    landed: str = ""
    received: int = 0
    repeat_risk: list[str] = field(default_factory=list)


def _classify(recorder: Recorder, kill: KillRecord, rows: list[tuple[str, str, str | None]]) -> None:
    """Where the kill landed, from what the server saw and what the database holds after it."""
    sessions, accepted = recorder.snapshot(kill.run)
    kill.received = len(accepted)
    unsent = {mid for mid, status, _claimed in rows if status != "sent"}
    kill.repeat_risk = sorted(set(accepted) & unsent)  # accepted by the server, not recorded as sent
    claimed = any(status == "sending" and claimed_by and f":{kill.pid}:" in claimed_by
                  for _mid, status, claimed_by in rows)
    if any(s.died_in_send or (s.in_send and not s.closed) for s in sessions) or kill.repeat_risk:
        kill.landed = "inside a send"
    elif sessions:
        kill.landed = "between sends"
    elif claimed:
        kill.landed = "after claiming, before connecting"
    else:
        kill.landed = "during start-up"


def measure_start_up(env: dict[str, str], runs: int = 3) -> float:
    """Median seconds of a relay run on an empty outbox: start-up, one claim, exit."""
    samples = []
    for _ in range(runs):
        start = time.monotonic()
        process = start_relay(env)
        _out, err = process.communicate(timeout=60)
        if process.returncode != 0:
            raise RuntimeError(f"`flask outbox relay` failed: {err.strip()[-2000:]}")
        samples.append(time.monotonic() - start)
    return statistics.median(samples)


def run_kill_test(
    *,
    messages: int = 300,
    kills: int = 30,
    database_url: str | None = None,
    database_name: str = "tracker_killtest",
    batch_size: int = 10,
    lease_seconds: int = 1,
    smtp_delay: tuple[float, float] = (0.005, 0.02),
    seed: int | None = None,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Queue `messages` reminders, SIGKILL the relay `kills` times while it sends, then drain; the figures."""
    rng = random.Random(seed)
    started = time.monotonic()
    kind = database_kind(database_url)
    recorder = Recorder(smtp_delay, seed)
    port = free_port()
    server = RecordingServer(recorder, port)
    with scratch_database(database_url, database_name, keep=keep) as url:
        log(f"kill test on {kind}: preparing the database")
        app = prepare_database(url)
        engine = sa.create_engine(normalise_database_url(url), poolclass=NullPool)
        server.start()
        try:
            env = relay_env(url, port, batch_size=batch_size, lease_seconds=lease_seconds)
            start_up = measure_start_up(env)
            log(f"relay run on an empty outbox (start, claim nothing, exit; median of 3): {start_up:.2f} s")
            expected = queue_reminders(app, messages)
            with app.app_context():
                from tracker.extensions import db

                db.engine.dispose()  # the relays own the database from here on
            kill_records, runs_finished, start_ups = _kill_loop(
                recorder, env, engine, kills=kills, start_up=start_up, smtp_delay=smtp_delay, rng=rng, log=log)
            drain_runs = _drain(recorder, env, engine, lease_seconds=lease_seconds)
            time.sleep(SETTLE_SECONDS)
            rows = outbox_rows(engine)
        finally:
            server.stop()
            engine.dispose()

    receipts = Counter(mid for mid, _run in recorder.receipts)
    expected_set = set(expected)
    landed = Counter(record.landed for record in kill_records)
    delays = [record.delay_s for record in kill_records]
    result = {
        "database": kind,
        "messages": messages,
        "kills": len(kill_records),
        "kills_inside_send": landed["inside a send"],
        "kills_between_sends": landed["between sends"],
        "kills_after_claim_before_connect": landed["after claiming, before connecting"],
        "kills_during_start_up": landed["during start-up"],
        "kills_aimed_at_start_up": sum(record.aimed_at == "start-up" for record in kill_records),
        "kills_with_an_accepted_message_not_marked_sent": sum(bool(record.repeat_risk) for record in kill_records),
        "received": sum(receipts.values()),
        "lost": len(expected_set - set(receipts)),
        "duplicates": sum(count - 1 for mid, count in receipts.items() if count > 1),
        "unexpected": len(set(receipts) - expected_set),
        "final_statuses": dict(Counter(status for _mid, status, _claimed in rows)),
        "relay_runs_that_finished_unkilled": runs_finished,
        "drain_runs": drain_runs,
        "relay_run_on_empty_outbox_s": round(start_up, 2),
        "relay_start_up_to_first_smtp_connection_s": _summary(start_ups),
        "kill_delay_s": _summary(delays),
        "batch_size": batch_size,
        "lease_seconds": lease_seconds,
        "smtp_delay_ms": [round(smtp_delay[0] * 1000, 1), round(smtp_delay[1] * 1000, 1)],
        "elapsed_s": round(time.monotonic() - started, 1),
        "kill_log": [{"after_s": r.delay_s, "aimed_at": r.aimed_at, "landed": r.landed, "accepted_in_run": r.received,
                      "accepted_not_marked_sent": len(r.repeat_risk)} for r in kill_records],
    }
    result["passed"] = (result["lost"] == 0 and result["duplicates"] <= result["kills_inside_send"]
                        and result["final_statuses"] == {"sent": messages} and result["unexpected"] == 0)
    return result


def _summary(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3), "max": round(max(values), 3)}


def _kill_loop(recorder: Recorder, env: dict[str, str], engine: sa.Engine, *, kills: int, start_up: float,
               smtp_delay: tuple[float, float], rng: random.Random,
               log: Callable[[str], None]) -> tuple[list[KillRecord], int, list[float]]:
    """Start the relay and SIGKILL it after a random delay until `kills` kills were made.

    A kill aimed at start-up waits a random fraction of the shortest recent start-up (process start
    to first SMTP connection). A kill aimed at sending waits for the run's first connection, then a
    random share of the sending time left, so the queue lasts over all the kills.
    """
    records: list[KillRecord] = []
    start_ups: list[float] = []
    per_message = sum(smtp_delay) / 2 + 0.01  # refined from what the server sees
    finished = 0
    while len(records) < kills:
        rows = outbox_rows(engine)
        left = sum(status in ("queued", "sending") for _mid, status, _claimed in rows)
        # The shortest recent start-up, so that kills aimed at it land in it despite the jitter.
        expected_start_up = min(start_ups[-5:]) if start_ups else start_up
        aim_at_start_up = bool(start_ups) and rng.random() < START_UP_SHARE
        recorder.run += 1
        run = recorder.run
        spawned = time.monotonic()
        process = start_relay(env)
        if aim_at_start_up or left == 0:
            aimed_at = "start-up"
            deadline = spawned + rng.uniform(0.05, 0.95) * expected_start_up
        else:
            aimed_at = "sending"
            connected = _wait_for_connection(recorder, run, process, limit=spawned + 3 * expected_start_up + 5)
            share = left / (kills - len(records) + 1)
            deadline = (connected or time.monotonic()) + rng.uniform(0, 2) * share * per_message
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            process.wait()
            killed = True
        else:
            killed = False
        time.sleep(SETTLE_SECONDS)
        connected = recorder.connected_at.get(run)
        if connected is not None:
            start_ups.append(connected - spawned)
        if not killed:
            finished += 1
            if process.returncode != 0:
                raise RuntimeError(f"relay run {run} failed: {process.stderr.read()[-2000:]}")
            continue
        record = KillRecord(run=run, pid=process.pid, delay_s=round(killed_at - spawned, 3), aimed_at=aimed_at)
        _classify(recorder, record, outbox_rows(engine))
        records.append(record)
        if connected is not None and record.received >= 3:
            per_message = 0.7 * per_message + 0.3 * (killed_at - connected) / record.received
        log(f"kill {len(records):>3}: {record.delay_s:.3f} s after start (aimed at {aimed_at}), landed "
            f"{record.landed}; {record.received} accepted in this run, {left} were left")
    return records, finished, start_ups


def _wait_for_connection(recorder: Recorder, run: int, process: subprocess.Popen, *, limit: float) -> float | None:
    """When the run first connected to the SMTP server (None if it ended or took too long)."""
    while time.monotonic() < limit and process.poll() is None:
        connected = recorder.connected_at.get(run)
        if connected is not None:
            return connected
        time.sleep(0.002)
    return recorder.connected_at.get(run)


def _drain(recorder: Recorder, env: dict[str, str], engine: sa.Engine, *, lease_seconds: int,
           limit_s: float = 120) -> int:
    """Run the relay to completion until no row is queued or sending (waiting out leases)."""
    deadline = time.monotonic() + limit_s
    runs = 0
    while time.monotonic() < deadline:
        rows = outbox_rows(engine)
        if not any(status in ("queued", "sending") for _mid, status, _claimed in rows):
            return runs
        recorder.run += 1
        runs += 1
        process = start_relay(env)
        _out, err = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"relay failed while draining: {err.strip()[-2000:]}")
        if any(status == "sending" for _mid, status, _claimed in outbox_rows(engine)):
            time.sleep(lease_seconds)  # rows of a killed relay come back when their lease is over
    raise RuntimeError("the outbox did not drain")


# -- the command ---------------------------------------------------------------------------------


def print_table(result: dict[str, Any]) -> None:
    """The figures as a two-column table."""
    print(f"\n{'kill test (' + result['database'] + ')':<44} {'value':>12}")
    for key, value in result.items():
        if key in ("database", "kill_log"):
            continue
        text = json.dumps(value) if isinstance(value, dict | list) else str(value)
        print(f"{key:<44} {text:>12}")


def write_results(result: dict[str, Any]) -> None:
    """Merge the figures into bench/kill_test_results.json under the database kind."""
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing[result["database"]] = result
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the kill test from the command line; 0 when nothing was lost or duplicated beyond the bound."""
    parser = argparse.ArgumentParser(prog="python -m bench.kill_test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--database-url", help="a PostgreSQL server (a dedicated database is created on it) "
                                               "or a new SQLite file; default: a fresh SQLite file under instance/")
    parser.add_argument("--database-name", default="tracker_killtest", help="the dedicated PostgreSQL database")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--lease-seconds", type=int, default=1)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    args = parser.parse_args(argv)
    result = run_kill_test(messages=args.messages, kills=args.kills, database_url=args.database_url,
                           database_name=args.database_name, batch_size=args.batch_size,
                           lease_seconds=args.lease_seconds, seed=args.seed, keep=args.keep)
    print_table(result)
    write_results(result)
    print(f"written to {RESULTS.relative_to(BASE_DIR)}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
