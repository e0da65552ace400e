"""Gunicorn settings of the web process: `gunicorn -c gunicorn.conf.py wsgi:app` (the systemd unit runs this).

Before any worker starts, the master runs the preflight checks (tracker/core/preflight.py) and
stops with the reasons when the database is behind the migrations or, in production, when the
database is not PostgreSQL or an account still has the demo password. Command-line flags
(`-w`, `-b`) override what is set here.
"""

import glob
import os
import re
import stat
import sys
import tempfile

bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TRACKER_WEB_WORKERS", "4"))
# The largest export (the audit log's 50,000 rows as XLSX) takes about 12 s; leave it room.
timeout = int(os.environ.get("TRACKER_WEB_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after this many requests (jittered, so they never all restart together).
max_requests = 5000
max_requests_jitter = 500
# The app writes its own request line (request id, user id, route, status, duration); gunicorn's
# access log would add the raw path and query string, which may carry a link's token.
accesslog = None
errorlog = "-"
# The reverse proxy on this host sets X-Forwarded-*; the app trusts TRACKER_PROXY_COUNT of them.
forwarded_allow_ips = os.environ.get("TRACKER_FORWARDED_ALLOW_IPS", "127.0.0.1")


def _metrics_directory(server) -> str:
    """Where the workers keep their Prometheus figures: PROMETHEUS_MULTIPROC_DIR, or one per bound address."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        return given
    address = re.sub(r"[^A-Za-z0-9]+", "-", "_".join(server.cfg.bind))
    return os.path.join(tempfile.gettempdir(), f"tracker-metrics-{address}")


def on_starting(server) -> None:
    """In the master, once: a fresh metrics directory, then the preflight checks."""
    directory = _metrics_directory(server)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    status = os.lstat(directory)
    if stat.S_ISLNK(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o077:
        # Another user's folder (or a link) in a shared temp dir could feed the figures, or catch them.
        print(f"gunicorn: Not starting: {directory} must be this user's own folder, mode 0700 "
              "(or set PROMETHEUS_MULTIPROC_DIR to one)", file=sys.stderr, flush=True)
        sys.exit(3)
    for stale in glob.glob(os.path.join(directory, "*.db")):  # figures of an earlier run of this instance
        os.remove(stale)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # before anything imports prometheus_client

    from tracker import create_app
    from tracker.core.preflight import NotReady, require_ready

    try:
        require_ready(create_app())
    except NotReady as refused:
        print(f"gunicorn: {refused.format_message()}", file=sys.stderr, flush=True)
        sys.exit(refused.exit_code)
    except RuntimeError as refused:  # a required setting is missing (config.ProductionConfig)
        print(f"gunicorn: Not starting: {refused}", file=sys.stderr, flush=True)
        sys.exit(3)


def child_exit(server, worker) -> None:
    """A worker ended: drop its live gauges (its counters stay in the totals)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
