"""Load test, in `make bench`: wrk against gunicorn with 4 workers, 50 logged-in users browsing.

    .venv/bin/python -m bench.load

For each database (BENCH_LOAD_DATABASES, default "postgresql,sqlite"):
  - a scratch database: a dedicated database on the PostgreSQL server of BENCH_PG_URL (default
    postgresql://postgres@127.0.0.1:5432/postgres; the database named there is only used to connect),
    or a fresh SQLite file under instance/; both are dropped afterwards;
  - migrated, with the demo campaign and the large dataset (BENCH_LOAD_DATASET=large, the default:
    10 campaigns, 5,000 people, 200,000 audit rows; it adds about 6-8 s per database) or the demo
    campaign alone (BENCH_LOAD_DATASET=demo);
  - 50 accounts made through the models: 20 secretariat, 10 DG CONNECT viewers and 20 national contact
    points of 20 countries (each bound to its country and to that country's first demo person, as
    cp.ee@demo.test is). Their addresses are under example.com: the production profile refuses the
    ".test" domain at login. They share one random strong password, hashed once; the demo accounts get
    the same hash, since the production start-up refuses to run while an account has the demo password;
  - gunicorn with 4 workers (the production profile on PostgreSQL, development on SQLite, which runs in
    WAL mode with busy_timeout=5000), each user logged in through the login form (CSRF token, session
    cookie read from Set-Cookie: the production cookie is Secure, which a cookie jar keeps off http);
  - wrk -t2 -c50 for BENCH_LOAD_SECONDS (default 60): a generated Lua script walks the 50 sessions
    round-robin, each through its own pages: the dashboard, the country pages (staff: the 27; a contact
    point: its own) and the ticket queue. Every status but 200 counts as an error (a 302 is a lost session);
  - afterwards gunicorn's log is searched for "database is locked", tracebacks, 500s and worker timeouts.

Prints a table and merges the figures into bench/results.json under "load" (one entry per database).
Exit code 1 when a run had a non-200 response, a socket error or a server error in the log.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.kill_test import database_kind, free_port, prepare_database, scratch_database, stop_process
from config import BASE_DIR

RESULTS = BASE_DIR / "bench" / "results.json"
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
DATABASES = [name.strip() for name in os.environ.get("BENCH_LOAD_DATABASES", "postgresql,sqlite").split(",")
             if name.strip()]
PG_URL = os.environ.get("BENCH_PG_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
DATASET = os.environ.get("BENCH_LOAD_DATASET", "large")
#: The large dataset is worth loading when it costs less than this per database.
LARGE_BUDGET_S = 120
WORKERS = 4
THREADS = 2
CONNECTIONS = 50
#: The accounts: (role, how many). Contact points get one country each.
MIX = (("secretariat", 20), ("viewer", 10), ("contact_point", 20))
EMAIL_DOMAIN = "bench.example.com"
#: The demo's contact points are of these countries: the bench's own are of others.
DEMO_CONTACT_POINT_COUNTRIES = ("EE", "FR", "EL")
USER_AGENT = "twinit-load-bench/1"
GUNICORN_CONFIG = BASE_DIR / "gunicorn.conf.py"


@dataclass
class BenchUser:
    """One of the 50 accounts and its browser session."""

    email: str
    role: str
    country: str | None
    cookies: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)

    @property
    def cookie_header(self) -> str:
        """The Cookie header a browser would send over https."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


# -- the database ----------------------------------------------------------------------------------


def _strong_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "Load-" + "".join(secrets.choice(alphabet) for _ in range(28)) + "-7!"


def fill_database(url: str, password: str, log=print) -> tuple[dict[str, Any], list[BenchUser], list[str]]:
    """Migrate, load the demo (and the large dataset), make the 50 accounts; what was loaded, the users, the codes."""
    from tracker.accounts.models import Role, User
    from tracker.accounts.services import hash_password
    from tracker.audit.services import record_change
    from tracker.contacts.models import Person
    from tracker.core.time import utcnow
    from tracker.countries.models import MemberState
    from tracker.demo.services import load_large
    from tracker.extensions import db

    info: dict[str, Any] = {}
    start = time.perf_counter()
    app = prepare_database(url)
    info["demo_load_s"] = round(time.perf_counter() - start, 1)
    with app.app_context():
        if DATASET == "large":
            start = time.perf_counter()
            counts = load_large()
            db.session.commit()
            info["large_load_s"] = round(time.perf_counter() - start, 1)
            info["dataset"] = "large (" + ", ".join(f"{key} {value:,}" for key, value in counts.items()) + ")"
            if info["large_load_s"] > LARGE_BUDGET_S:
                log(f"  the large dataset took {info['large_load_s']} s (over {LARGE_BUDGET_S} s): "
                    "set BENCH_LOAD_DATASET=demo to bench on the demo campaign alone")
        else:
            info["dataset"] = "demo campaign (BENCH_LOAD_DATASET=demo)"
        start = time.perf_counter()
        password_hash = hash_password(password)  # once: argon2 is slow on purpose
        now = utcnow()
        by = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id))
        states = list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))
        codes = [state.code for state in states]
        cp_states = [state for state in states if state.code not in DEMO_CONTACT_POINT_COUNTRIES]
        users: list[BenchUser] = []
        for role, count in MIX:
            for number in range(1, count + 1):
                state = cp_states[number - 1] if role == Role.CONTACT_POINT else None
                # The country's first demo person, as the demo binds cp.ee@demo.test to Estonia's.
                person = db.session.scalar(sa.select(Person).where(Person.member_state_id == state.id)
                                           .order_by(Person.id).limit(1)) if state else None
                email = (f"cp.{state.code.lower()}@{EMAIL_DOMAIN}" if state
                         else f"{role.replace('_', '-')}.{number:02d}@{EMAIL_DOMAIN}")
                user = User(email=email, role=role, member_state_id=state.id if state else None,
                            person_id=person.id if person else None,
                            display_name=person.full_name if person else f"Load {role} {number}",
                            password_hash=password_hash, password_changed_at=now)
                db.session.add(user)
                record_change(user, by=by, action="create", how="cli", note="load benchmark")
                users.append(BenchUser(email=email, role=role, country=state.code if state else None))
        # The demo accounts too: the production start-up refuses the demo password.
        db.session.execute(sa.update(User).where(User.password_hash != password_hash)
                           .values(password_hash=password_hash, password_changed_at=now))
        db.session.commit()
        info["accounts"] = db.session.scalar(sa.select(sa.func.count(User.id)))
        info["accounts_s"] = round(time.perf_counter() - start, 1)
        db.session.remove()
        db.engine.dispose()  # gunicorn's workers own the database from here on
    return info, users, codes


def browsing_lists(users: list[BenchUser], codes: list[str]) -> None:
    """Each user's pages: dashboard, a country page, the queue, again (staff: every country, each its own order)."""
    for index, user in enumerate(users):
        countries = [user.country] if user.country else codes[index % len(codes):] + codes[:index % len(codes)]
        for code in countries:
            user.paths += ["/", f"/countries/{code}", "/tickets"]


# -- gunicorn --------------------------------------------------------------------------------------


def gunicorn_env(url: str, kind: str) -> dict[str, str]:
    """The environment of the gunicorn master: production on PostgreSQL, development on SQLite."""
    env = dict(os.environ)
    for name in ("TEST_DATABASE_URL", "MAIL_SERVER", "FLASK_DEBUG"):
        env.pop(name, None)
    alphabet = string.ascii_letters + string.digits
    env.update(FLASK_APP="wsgi", DATABASE_URL=url,
               TRACKER_CONFIG="production" if kind == "postgresql" else "development",
               TRACKER_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(48)))
    return env


def start_gunicorn(url: str, kind: str, port: int, folder: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn with 4 workers on 127.0.0.1:port, logging to files in `folder`; the process and the config used."""
    binary = Path(sys.executable).parent / "gunicorn"
    config = str(GUNICORN_CONFIG) if GUNICORN_CONFIG.exists() else "/dev/null"
    command = [str(binary if binary.exists() else shutil.which("gunicorn") or "gunicorn"), "-c", config,
               "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "wsgi:app"]
    with open(folder / f"gunicorn-{kind}.out", "wb") as out, open(folder / f"gunicorn-{kind}.err", "wb") as err:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=gunicorn_env(url, kind), stdout=out, stderr=err)
    return process, "gunicorn.conf.py" if config != "/dev/null" else "/dev/null (no gunicorn.conf.py)"


def wait_healthy(process: subprocess.Popen, port: int, folder: Path, kind: str, limit_s: float = 90) -> float:
    """Seconds until /healthz answers 200; raises if gunicorn exits or takes too long."""
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n" + _tail(folder / f"gunicorn-{kind}.err"))
        try:
            status, _headers, _body = fetch(port, "GET", "/healthz", timeout=5)
        except OSError:
            status = 0
        if status == 200:
            return time.monotonic() - start
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz with 200:\n" + _tail(folder / f"gunicorn-{kind}.err"))


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


# -- the browser -----------------------------------------------------------------------------------


def fetch(port: int, method: str, path: str, *, cookies: str = "", form: dict[str, str] | None = None,
          timeout: float = 30) -> tuple[int, list[tuple[str, str]], str]:
    """One request on a fresh connection: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"User-Agent": USER_AGENT}
    if cookies:
        headers["Cookie"] = cookies
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _keep_cookies(user: BenchUser, headers: list[tuple[str, str]]) -> None:
    """Apply Set-Cookie headers by hand (a cookie jar would keep a Secure cookie off http)."""
    for name, value in headers:
        if name.lower() != "set-cookie":
            continue
        pair, _sep, attributes = value.partition(";")
        cookie, _eq, content = pair.strip().partition("=")
        attributes = attributes.lower()
        if not content or "max-age=0" in attributes or "expires=thu, 01 jan 1970" in attributes:
            user.cookies.pop(cookie, None)
        else:
            user.cookies[cookie] = content


_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


def log_in(port: int, user: BenchUser, password: str) -> None:
    """The login form as a browser fills it, then the dashboard once (a 200, not a redirect to the login)."""
    status, headers, body = fetch(port, "GET", "/login")
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    _keep_cookies(user, headers)
    tag = _CSRF.search(body)
    token = _VALUE.search(tag.group(0)) if tag else None
    if token is None:
        raise RuntimeError("no csrf_token in the login form")
    status, headers, body = fetch(port, "POST", "/login", cookies=user.cookie_header, form={
        "csrf_token": token.group(1), "next": "", "email": user.email, "password": password})
    if status != 302:
        errors = re.findall(r'class="ecl-[^"]*(?:error|feedback)[^"]*"[^>]*>([^<]+)<', body)
        raise RuntimeError(f"login of {user.email} answered {status}: {errors[:3]}")
    _keep_cookies(user, headers)
    status, headers, _body = fetch(port, "GET", "/", cookies=user.cookie_header)
    if status != 200:
        raise RuntimeError(f"the dashboard of {user.email} answered {status} after the login")
    _keep_cookies(user, headers)  # the session now holds a CSRF token too: no Set-Cookie on later pages


def check_paths(port: int, users: list[BenchUser]) -> int:
    """Every distinct page once per kind of user (a staff member of each role, each contact point): 200."""
    seen_roles: set[str] = set()
    checked = 0
    for user in users:
        if user.role != "contact_point" and user.role in seen_roles:
            continue
        seen_roles.add(user.role)
        for path in dict.fromkeys(user.paths):
            status, _headers, _body = fetch(port, "GET", path, cookies=user.cookie_header)
            checked += 1
            if status != 200:
                raise RuntimeError(f"{path} answered {status} to {user.email} before the load")
    return checked


def sessions_still_valid(port: int, users: list[BenchUser]) -> int:
    """How many of the sessions still open the dashboard after the run."""
    return sum(fetch(port, "GET", "/", cookies=user.cookie_header)[0] == 200 for user in users)


# -- wrk -------------------------------------------------------------------------------------------


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


WRK_SCRIPT = r"""
-- Generated by bench/load.py: each thread walks its share of the sessions round-robin.
local user_agent = %(user_agent)s
local nthreads = %(threads)d
users = {
%(users)s
}

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  locations = {}
  mine = {}
  for i, user in ipairs(users) do
    if (i - 1) %% nthreads == id then
      local requests = {}
      for _, path in ipairs(user.paths) do
        requests[#requests + 1] = wrk.format("GET", path, {["Cookie"] = user.cookie, ["User-Agent"] = user_agent})
      end
      mine[#mine + 1] = {requests = requests, next = (#mine %% #requests)}
    end
  end
  current = 0
end

function request()
  current = current %% #mine + 1
  local user = mine[current]
  user.next = user.next %% #user.requests + 1
  return user.requests[user.next]
end

function response(status, headers, body)
  if status ~= 200 then
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    local location = headers["Location"] or headers["location"]
    if location then
      locations[location] = (locations[location] or 0) + 1
    end
  end
end

function done(summary, latency, requests)
  local statuses, locations = {}, {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses") or {}) do statuses[key] = (statuses[key] or 0) + count end
    for key, count in pairs(thread:get("locations") or {}) do locations[key] = (locations[key] or 0) + count end
  end
  io.write(string.format("LOAD requests %%d\n", summary.requests))
  io.write(string.format("LOAD duration_us %%d\n", summary.duration))
  io.write(string.format("LOAD requests_per_s %%.2f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 95, 99}) do
    io.write(string.format("LOAD p%%d_ms %%.2f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("LOAD mean_ms %%.2f\n", latency.mean / 1000))
  io.write(string.format("LOAD max_ms %%.2f\n", latency.max / 1000))
  for _, kind in ipairs({"connect", "read", "write", "status", "timeout"}) do
    io.write(string.format("LOAD errors_%%s %%d\n", kind, summary.errors[kind]))
  end
  for key, count in pairs(statuses) do io.write(string.format("LOAD status %%s %%d\n", key, count)) end
  for key, count in pairs(locations) do io.write(string.format("LOAD location %%s %%d\n", key, count)) end
end
"""


def write_wrk_script(users: list[BenchUser], path: Path) -> None:
    """The Lua script holding the sessions and their pages."""
    rows = []
    for user in users:
        paths = ", ".join(_lua(p) for p in user.paths)
        rows.append(f"  {{cookie = {_lua(user.cookie_header)}, paths = {{{paths}}}}},")
    path.write_text(WRK_SCRIPT % {"user_agent": _lua(USER_AGENT), "threads": THREADS, "users": "\n".join(rows)})


def run_wrk(port: int, script: Path, seconds: int, output: Path) -> dict[str, Any]:
    """wrk -t2 -c50 for `seconds`; the figures its done() printed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s",
               "-s", str(script), f"http://127.0.0.1:{port}/"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    output.write_text(completed.stdout + completed.stderr)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr[-2000:]}")
    figures: dict[str, Any] = {"statuses": {}, "locations": {}}
    for line in completed.stdout.splitlines():
        parts = line.split()
        if not parts or parts[0] != "LOAD":
            continue
        if parts[1] == "status":
            figures["statuses"][parts[2]] = int(parts[3])
        elif parts[1] == "location":
            figures["locations"][" ".join(parts[2:-1])] = int(parts[-1])
        else:
            figures[parts[1]] = float(parts[2])
    return figures


def scan_log(*paths: Path) -> dict[str, Any]:
    """What gunicorn's output tells of trouble: plain lines, and the app's JSON log lines (one a record)."""
    counts: Counter[str] = Counter()
    routes: Counter[str] = Counter()
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            counts["database_is_locked"] += "database is locked" in line
            counts["tracebacks"] += "Traceback" in line
            counts["worker_timeouts"] += "WORKER TIMEOUT" in line
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict):
                status = record.get("status")
                if isinstance(status, int) and status >= 500:
                    counts["server_errors"] += 1
                    routes[f"{record.get('method', '')} {record.get('route', '')} {status}".strip()] += 1
            elif " 500 " in line:
                counts["server_errors"] += 1
    result: dict[str, Any] = {key: counts[key]
                              for key in ("database_is_locked", "tracebacks", "server_errors", "worker_timeouts")}
    result["server_errors_by_route"] = dict(routes)
    return result


# -- one database ----------------------------------------------------------------------------------


def bench_database(kind: str, folder: Path, log=print) -> dict[str, Any]:
    """The whole run on one database kind; its figures."""
    url = PG_URL if kind == "postgresql" else None
    password = _strong_password()
    result: dict[str, Any] = {"database": kind}
    with scratch_database(url, f"tracker_load_{os.getpid()}") as scratch:
        log(f"== load on {kind}: migrating, loading the data, making {sum(n for _r, n in MIX)} accounts")
        info, users, codes = fill_database(scratch, password, log)
        result.update(info)
        log(f"  {info['dataset']}: demo {info['demo_load_s']} s"
            + (f", large {info['large_load_s']} s" if "large_load_s" in info else "")
            + f", accounts {info['accounts_s']} s ({info['accounts']} in all)")
        browsing_lists(users, codes)
        port = free_port()
        process, config = start_gunicorn(scratch, kind, port, folder)
        result["gunicorn_config"] = config
        result["profile"] = "production" if kind == "postgresql" else "development"
        try:
            result["start_up_s"] = round(wait_healthy(process, port, folder, kind), 1)
            log(f"  gunicorn -w {WORKERS} ({config}, {result['profile']} profile) answered /healthz "
                f"after {result['start_up_s']} s; logging the {len(users)} users in")
            start = time.perf_counter()
            for user in users:
                log_in(port, user, password)
            result["login_s"] = round(time.perf_counter() - start, 1)
            result["pages_checked"] = check_paths(port, users)
            script = folder / f"load-{kind}.lua"
            write_wrk_script(users, script)
            log(f"  logged in ({result['login_s']} s), {result['pages_checked']} pages checked; "
                f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s")
            figures = run_wrk(port, script, SECONDS, folder / f"wrk-{kind}.txt")
            result["sessions_valid_after"] = sessions_still_valid(port, users)
        finally:
            stop_process(process)
    log_counts = scan_log(folder / f"gunicorn-{kind}.err", folder / f"gunicorn-{kind}.out")
    result.update({
        "seconds": SECONDS, "workers": WORKERS, "threads": THREADS, "connections": CONNECTIONS,
        "users": {role: count for role, count in MIX},
        "requests": int(figures.get("requests", 0)),
        "duration_s": round(figures.get("duration_us", 0) / 1e6, 2),
        "requests_per_s": round(figures.get("requests_per_s", 0), 1),
        "latency_ms": {key: round(figures.get(f"{key}_ms", 0), 1) for key in ("p50", "p90", "p95", "p99", "mean", "max")},
        "non_200": figures["statuses"],
        "non_200_total": sum(figures["statuses"].values()),
        "redirect_locations": figures["locations"],
        "socket_errors": {key: int(figures.get(f"errors_{key}", 0)) for key in ("connect", "read", "write", "timeout")},
        **log_counts,
        "logs": str(folder),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    })
    result["passed"] = (result["non_200_total"] == 0 and not any(result["socket_errors"].values())
                        and result["tracebacks"] == 0 and result["server_errors"] == 0
                        and result["database_is_locked"] == 0 and result["sessions_valid_after"] == len(users))
    return result


# -- the command -----------------------------------------------------------------------------------


def print_table(results: dict[str, dict[str, Any]]) -> None:
    """One row per database."""
    header = (f"{'load (' + str(SECONDS) + ' s, 50 users)':<24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'requests':>9} {'non-200':>8} {'socket err':>10} {'db locked':>9}  dataset")
    print("\n" + header)
    for kind, r in results.items():
        latency = r["latency_ms"]
        print(f"{kind:<24} {r['requests_per_s']:>8} {latency['p50']:>8} {latency['p95']:>8} {latency['p99']:>8} "
              f"{r['requests']:>9} {r['non_200_total']:>8} {sum(r['socket_errors'].values()):>10} "
              f"{r['database_is_locked']:>9}  {r['dataset']}")
    for kind, r in results.items():
        notes = []
        if r["non_200"]:
            notes.append(f"non-200 by status {r['non_200']}, redirected to {r['redirect_locations']}")
        if any(r["socket_errors"].values()):
            notes.append(f"socket errors {r['socket_errors']}")
        for key in ("database_is_locked", "tracebacks", "server_errors", "worker_timeouts"):
            if r[key]:
                notes.append(f"{key.replace('_', ' ')}: {r[key]} line(s) in gunicorn's log")
        if r["server_errors_by_route"]:
            notes.append(f"5xx by route {r['server_errors_by_route']}")
        if r["sessions_valid_after"] != sum(r["users"].values()):
            notes.append(f"only {r['sessions_valid_after']} sessions still valid after the run")
        print(f"{kind}: " + ("; ".join(notes) if notes else "no error response, no socket error, nothing in the log")
              + f" (gunicorn -c {r['gunicorn_config']}, {r['profile']} profile; logs in {r['logs']})")


def write_results(results: dict[str, dict[str, Any]]) -> None:
    """Merge into bench/results.json under "load", one entry per database; other keys stay."""
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    load = existing.get("load") if isinstance(existing.get("load"), dict) else {}
    load.update(results)
    existing["load"] = load
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


def main() -> int:
    """Run the load test on each database; 0 when no run saw an error."""
    unknown = [kind for kind in DATABASES if kind not in ("postgresql", "sqlite")]
    if unknown:
        raise SystemExit(f"BENCH_LOAD_DATABASES: unknown {unknown} (postgresql, sqlite)")
    if DATASET not in ("large", "demo"):
        raise SystemExit("BENCH_LOAD_DATASET must be 'large' or 'demo'")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    results = {}
    for kind in DATABASES:
        assert database_kind(PG_URL if kind == "postgresql" else None) == kind
        results[kind] = bench_database(kind, folder)
    print_table(results)
    write_results(results)
    print(f"written to {RESULTS.relative_to(BASE_DIR)} (key 'load')")
    return 0 if all(r["passed"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
