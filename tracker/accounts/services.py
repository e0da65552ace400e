"""Account operations: login, logout, invitations, password resets (flush, never commit)."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import get_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.accounts.models import LoginAttempt, Role, User
from tracker.audit.services import record_change
from tracker.core.time import utcnow
from tracker.extensions import db
from tracker.mail.services import queue_email

if TYPE_CHECKING:
    from tracker.contacts.models import Person

_hasher = PasswordHasher()
#: Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 12


class LoginRefused(Exception):
    """Wrong email or password, or too many attempts (the message never says which account exists)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: "invalid" or "throttled".
        self.reason = reason


class PasswordRejected(ValueError):
    """A new password that does not meet the rules."""


class LinkInvalid(Exception):
    """A reset or invitation link that is forged, expired or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: "expired" or "invalid".
        self.reason = reason


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def _verifies(password_hash: str, candidates: frozenset[str]) -> bool:
    """Whether the hash verifies against one of `candidates`."""
    hasher = PasswordHasher()  # one per thread
    for password in candidates:
        try:
            if hasher.verify(password_hash, password):
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


def accounts_with_password(candidates: frozenset[str]) -> list[User]:
    """Enabled accounts whose password is one of `candidates` (every hash checked, four at a time)."""
    users = list(db.session.scalars(
        sa.select(User).where(User.password_hash.is_not(None), User.is_enabled.is_(True)).order_by(User.id)))
    # argon2 spends ~0.1 s per hash; threads overlap them (its C code releases the GIL).
    with ThreadPoolExecutor(max_workers=4) as pool:
        flags = list(pool.map(lambda user: _verifies(user.password_hash or "", candidates), users))
    return [user for user, flagged in zip(users, flags, strict=True) if flagged]


def disable_account(user: User, *, by: str, note: str = "") -> None:
    """Disable an account and end its sessions (audited)."""
    user.is_enabled = False
    user.session_version += 1
    record_change(user, by=by, how="cli", note=note)
    db.session.flush()


def check_password_rules(password: str) -> None:
    """Raise PasswordRejected if `password` is too short or refused in this profile."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected("too_short")
    if password in current_app.config["REFUSED_PASSWORDS"]:
        raise PasswordRejected("refused")


def find_user_by_email(email: str) -> User | None:
    """The account with this email (case-insensitive), if any."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def _recent_failures(column: sa.ColumnElement, value: str) -> int:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return db.session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
        )
    ) or 0


def authenticate(email: str, password: str, *, address: str) -> User:
    """Check a login; records the attempt and raises LoginRefused on any failure."""
    email = email.strip().lower()
    config = current_app.config
    throttled = (
        _recent_failures(LoginAttempt.email, email) >= config["LOGIN_MAX_FAILURES"]
        or _recent_failures(LoginAttempt.address, address) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        valid = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        valid = False
    valid = valid and user is not None and user.password_hash is not None and user.is_enabled
    if valid and password in config["REFUSED_PASSWORDS"]:
        valid = False
    db.session.add(LoginAttempt(email=email[:254], address=address[:64], succeeded=valid and not throttled))
    db.session.flush()
    if throttled:
        raise LoginRefused("throttled")
    if not valid:
        raise LoginRefused("invalid")
    assert user is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_session(user: User) -> None:
    """Log out: bump the session version so every earlier session cookie is refused."""
    user.session_version += 1
    db.session.flush()


def load_session_user(session_id: str) -> User | None:
    """The user behind a session id "<id>:<version>", if still valid."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_enabled:
        return None
    return user


# -- signed links -----------------------------------------------------------------------

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"tracker-{purpose}")


def _fingerprint(user: User) -> str:
    """Changes when the password is set, so a link works once."""
    material = f"{user.id}:{user.password_hash or '-'}:{user.password_changed_at}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def make_link_token(user: User, purpose: str) -> str:
    """A signed token for a password-reset or invitation link."""
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_link_token(token: str, purpose: str) -> User:
    """The user a link token was made for; raises LinkInvalid when forged, expired or used."""
    max_age = current_app.config[
        "RESET_LINK_MAX_AGE" if purpose == "reset" else "INVITATION_LINK_MAX_AGE"
    ]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkInvalid("expired") from exc
    except BadSignature as exc:
        raise LinkInvalid("invalid") from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_enabled or data.get("f") != _fingerprint(user):
        raise LinkInvalid("invalid")
    return user


def mail_language_of(user: User, fallback: str | None = None) -> str:
    """The language to write to a user in: their interface language, else their person's, else `fallback`."""
    from tracker.core.i18n import mail_language

    return mail_language(user.locale, user.person.preferred_language if user.person else None, fallback)


def request_password_reset(email: str) -> None:
    """Queue a reset link for an existing, enabled account; silent otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        return
    token = make_link_token(user, "reset")
    queue_email(
        kind="account",
        key=f"password-reset:{user.id}:{hashlib.sha256(token.encode()).hexdigest()[:16]}",
        to=[user.email],
        template="accounts/emails/password_reset",
        language=mail_language_of(user, str(get_locale() or "")),  # else the language of the page they asked on
        sensitive=True,
        user=user,
        link=f"{current_app.config['BASE_URL']}/password/reset/{token}",
        hours=current_app.config["RESET_LINK_MAX_AGE"] // 3600,
    )


def set_password(user: User, password: str, *, by: User | None = None, how: str = "web") -> None:
    """Set a new password, ending every session of the user."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    record_change(user, by=by or user, action="set_password", how=how, changes={})


def invite_user(
    *, email: str, role: str, display_name: str, member_state_id: int | None,
    locale: str | None, by: User,
) -> User:
    """Create an account without a password and email its holder an invitation link."""
    email = email.strip().lower()
    if role != Role.CONTACT_POINT:
        member_state_id = None
    user = User(
        email=email, role=role, display_name=display_name.strip(),
        member_state_id=member_state_id, locale=locale or None, invited_by_id=by.id,
    )
    db.session.add(user)
    record_change(user, by=by, action="create")
    token = make_link_token(user, "invitation")
    queue_email(
        kind="account",
        key=f"invitation:{user.id}:{hashlib.sha256(token.encode()).hexdigest()[:16]}",
        to=[user.email],
        template="accounts/emails/invitation",
        language=user.locale or "en",
        sensitive=True,
        user=user,
        inviter=by,
        link=f"{current_app.config['BASE_URL']}/invitation/{token}",
        days=current_app.config["INVITATION_LINK_MAX_AGE"] // 86400,
    )
    return user


def update_user(
    user: User, *, role: str, display_name: str, member_state_id: int | None,
    locale: str | None, is_enabled: bool, by: User,
) -> None:
    """Change an account's role, country, language or enabled flag."""
    if role != Role.CONTACT_POINT:
        member_state_id = None
    user.role = role
    user.display_name = display_name.strip()
    user.member_state_id = member_state_id
    user.locale = locale or None
    if user.is_enabled and not is_enabled:
        user.session_version += 1
    user.is_enabled = is_enabled
    record_change(user, by=by)


def set_locale(user: User, locale: str | None) -> None:
    """Remember the user's interface language."""
    user.locale = locale or None
    record_change(user, by=user)


def set_mail_language(person: Person, language: str, *, by: User) -> None:
    """Remember the language a person's emails and personal links are written in."""
    if person.preferred_language != language:
        person.preferred_language = language
        record_change(person, by=by)
