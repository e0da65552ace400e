"""Settings classes; every secret is read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _sqlite_default() -> str:
    """The SQLite database used by `make run` unless DATABASE_URL says otherwise."""
    return f"sqlite:///{BASE_DIR / 'instance' / 'tracker.db'}"


def normalise_database_url(url: str) -> str:
    """Route plain postgresql:// URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


#: The Commission's public holidays in Brussels for 2025 and 2026 (Staff Regulations' list: New Year,
#: Holy Thursday to Easter Monday, Labour Day, Europe Day, Ascension and the day after, Whit Monday,
#: Belgian National Day, Assumption, All Saints and All Souls, 24 to 31 December).
COMMISSION_HOLIDAYS = (
    "2025-01-01 2025-01-02 2025-04-17 2025-04-18 2025-04-21 2025-05-01 2025-05-09 2025-05-29 2025-05-30 "
    "2025-06-09 2025-07-21 2025-08-15 2025-11-01 2025-11-02 2025-12-24 2025-12-25 2025-12-26 2025-12-27 "
    "2025-12-28 2025-12-29 2025-12-30 2025-12-31 "
    "2026-01-01 2026-01-02 2026-04-02 2026-04-03 2026-04-06 2026-05-01 2026-05-09 2026-05-14 2026-05-15 "
    "2026-05-25 2026-07-21 2026-08-15 2026-11-01 2026-11-02 2026-12-24 2026-12-25 2026-12-26 2026-12-27 "
    "2026-12-28 2026-12-29 2026-12-30 2026-12-31"
)


class Config:
    """Settings shared by every profile."""

    APP_NAME = "Twin it! tracker"
    SECRET_KEY = os.environ.get("TRACKER_SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", _sqlite_default())
    )
    #: hide_parameters: a database error in the log shows its SQL, never the values (addresses, texts, tokens).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    #: Absolute base URL used in links inside emails.
    BASE_URL = os.environ.get("TRACKER_BASE_URL", "http://127.0.0.1:5000")

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    #: Languages the interface is offered in: the 24 official EU languages, in the EU's protocol order.
    UI_LANGUAGES = ("bg", "es", "cs", "da", "de", "et", "el", "en", "fr", "ga", "hr", "it",
                    "lv", "lt", "hu", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "fi", "sv")  # fmt: skip

    #: Browsers keep static files for a day; their links carry ?v=<mtime>, so a changed file is fetched anew.
    SEND_FILE_MAX_AGE_DEFAULT = 24 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    MAX_CONTENT_LENGTH = _int("TRACKER_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

    #: Failed logins allowed per account and per client address in the window.
    LOGIN_MAX_FAILURES = _int("TRACKER_LOGIN_MAX_FAILURES", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _int("TRACKER_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    LOGIN_WINDOW_SECONDS = _int("TRACKER_LOGIN_WINDOW_SECONDS", 15 * 60)
    #: Lifetime of password-reset and invitation links.
    RESET_LINK_MAX_AGE = _int("TRACKER_RESET_LINK_MAX_AGE", 2 * 3600)
    INVITATION_LINK_MAX_AGE = _int("TRACKER_INVITATION_LINK_MAX_AGE", 14 * 24 * 3600)
    #: Lifetime of the personal links contact points confirm their appointment with, in days.
    APPOINTMENT_LINK_MAX_AGE_DAYS = _int("TRACKER_APPOINTMENT_LINK_MAX_AGE_DAYS", 30)
    #: Whether an alternate or replacement proposed by a contact point takes effect at once
    #: (otherwise when the secretariat accepts it).
    APPOINTMENT_PROPOSALS_AUTO_ACCEPT = _bool("TRACKER_APPOINTMENT_PROPOSALS_AUTO_ACCEPT")
    #: Largest file accepted with a recorded reply (bytes); requests are capped by TRACKER_MAX_UPLOAD_BYTES.
    ATTACHMENT_MAX_BYTES = _int("TRACKER_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    #: Largest attendance report accepted through the web (bytes); `flask events import-attendance` has no limit.
    ATTENDANCE_MAX_BYTES = _int("TRACKER_ATTENDANCE_MAX_BYTES", 15 * 1024 * 1024)
    #: Service levels of the service desk, in working days (weekends and TRACKER_HOLIDAYS skipped).
    SLA_FIRST_RESPONSE_DAYS = _int("TRACKER_SLA_FIRST_RESPONSE_DAYS", 2)
    SLA_RESOLUTION_DAYS = _int("TRACKER_SLA_RESOLUTION_DAYS", 10)
    #: The Commission's holidays (ISO dates, comma or space separated): no SLA time runs on them.
    HOLIDAYS = os.environ.get("TRACKER_HOLIDAYS", COMMISSION_HOLIDAYS)
    #: Largest file attached to a ticket message (bytes); requests are capped by TRACKER_MAX_UPLOAD_BYTES.
    TICKET_ATTACHMENT_MAX_BYTES = _int("TRACKER_TICKET_ATTACHMENT_MAX_BYTES", 15 * 1024 * 1024)
    #: Who hears of new tickets not yet assigned (comma-separated); empty: every secretariat account.
    SERVICE_DESK_EMAILS = os.environ.get("TRACKER_SERVICE_DESK_EMAILS", "")
    #: Letters' reference numbers: this prefix, the year and a number counted per year.
    LETTER_REFERENCE_PREFIX = os.environ.get("TRACKER_LETTER_REFERENCE_PREFIX", "CNECT.G2/TWIN-IT")
    #: Who receives the status digest (comma-separated addresses); empty: nobody is emailed, it is still archived.
    DIGEST_RECIPIENTS = os.environ.get("TRACKER_DIGEST_RECIPIENTS", "")
    #: When the scheduler builds and sends the weekly digest: day (mon ... sun) and hour, Brussels time.
    DIGEST_DAY = os.environ.get("TRACKER_DIGEST_DAY", "mon")
    DIGEST_HOUR = _int("TRACKER_DIGEST_HOUR", 7)
    #: The language digests are written in (one of the interface languages).
    DIGEST_LANGUAGE = os.environ.get("TRACKER_DIGEST_LANGUAGE", "en")
    #: Passwords refused in this profile (the demo password in production).
    REFUSED_PASSWORDS: frozenset[str] = frozenset()
    #: How many proxies set X-Forwarded-For in front of the app.
    PROXY_COUNT = _int("TRACKER_PROXY_COUNT", 0)
    #: The least important log records written (DEBUG, INFO, WARNING, ERROR); one JSON line each, on stderr.
    LOG_LEVEL = os.environ.get("TRACKER_LOG_LEVEL", "INFO").upper()
    #: The bearer token Prometheus sends to read /metrics (empty: only a secretariat login may read it).
    METRICS_TOKEN = os.environ.get("TRACKER_METRICS_TOKEN", "")
    #: The version the OpenAPI document of /api/v1 announces (raise it when the API changes).
    API_VERSION = "1.0.0"

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_STARTTLS = _bool("MAIL_USE_STARTTLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Twin it! secretariat <twinit-secretariat@demo.test>"
    )
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 30)
    #: Messages claimed by the relay at a time (one SMTP connection each batch).
    MAIL_BATCH_SIZE = _int("MAIL_BATCH_SIZE", 50)
    #: How long a relay owns the messages it claimed; a relay that dies frees them after this.
    MAIL_LEASE_SECONDS = _int("MAIL_LEASE_SECONDS", 300)
    #: Attempts before a message that keeps failing for a transient reason is marked failed.
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    #: Back-off between attempts: base x 2^(attempt-1), capped.
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 3600)
    #: Whether the mail log shows bodies holding secret links (the development inbox only).
    MAIL_LOG_SHOWS_SENSITIVE = False
    #: A reminder later than this (the scheduler was down) is not sent by itself; staff can send it.
    REMINDER_MAX_LATENESS_HOURS = _int("TRACKER_REMINDER_MAX_LATENESS_HOURS", 72)
    #: Whether `flask reminders ... --as-of` may pretend it is another moment (never in production).
    REMINDERS_ALLOW_AS_OF = True
    #: How often the scheduler relays the outbox and evaluates the ladders.
    SCHEDULER_RELAY_SECONDS = _int("TRACKER_SCHEDULER_RELAY_SECONDS", 60)
    SCHEDULER_REMINDERS_SECONDS = _int("TRACKER_SCHEDULER_REMINDERS_SECONDS", 300)
    #: How often the running scheduler checks that it still holds its lock (it stops when it does not).
    SCHEDULER_LOCK_CHECK_SECONDS = _int("TRACKER_SCHEDULER_LOCK_CHECK_SECONDS", 10)
    #: The lock file that keeps a second scheduler waiting (SQLite; PostgreSQL uses an advisory lock).
    SCHEDULER_LOCK_FILE = os.environ.get("TRACKER_SCHEDULER_LOCK_FILE", str(BASE_DIR / "instance" / "scheduler.lock"))
    #: Accept addresses under the reserved ".test" domain (demo and tests only).
    ALLOW_TEST_EMAIL_DOMAIN = True
    DEBUG = False
    TESTING = False


class DevelopmentConfig(Config):
    """`make run`: SQLite, mail kept in the local inbox, debug pages on."""

    DEBUG = _bool("FLASK_DEBUG", False)
    #: With no SMTP server, mail stays in the local inbox, where the newcomer reads reset links too.
    MAIL_LOG_SHOWS_SENSITIVE = not os.environ.get("MAIL_SERVER")


class TestingConfig(Config):
    """The test suite."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        # One SQLite file per test process, so two runs on one machine never share a database.
        os.environ.get("TEST_DATABASE_URL", "sqlite:///" + str(BASE_DIR / "instance" / f"test-{os.getpid()}.db"))
    )
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    """Production: secrets required, secure cookies, no debug, no demo password."""

    DEBUG = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    REFUSED_PASSWORDS = frozenset({"demo-password"})
    REMINDERS_ALLOW_AS_OF = False
    ALLOW_TEST_EMAIL_DOMAIN = False

    def __init__(self) -> None:
        secret = os.environ.get("TRACKER_SECRET_KEY", "")
        if len(secret) < 32:
            raise RuntimeError("TRACKER_SECRET_KEY must be set to at least 32 characters in production")
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("DATABASE_URL must be set in production")
        self.SECRET_KEY = secret
        # Read now, not at import, so the process environment at start-up decides.
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ["DATABASE_URL"])


PROFILES = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
