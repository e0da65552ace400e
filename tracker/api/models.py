"""API tokens the secretariat creates per client, and the log of every call made with them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.time import BRUSSELS, UTCDateTime, utcnow
from tracker.countries.models import MemberState
from tracker.extensions import db


class ApiToken(db.Model):
    """A client's key to the read API: its scopes, an expiry, and revocation; only a hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who uses it ("Europeana dashboard", "DG CONNECT reporting script").
    name: Mapped[str] = mapped_column(sa.String(120))
    #: SHA-256 of the secret; the secret itself is shown once, when the token is created.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The secret's first characters, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    #: Space-separated scopes (see tracker.api.schemas.SCOPES).
    scopes: Mapped[str] = mapped_column(sa.String(200))
    #: Only this country's data, when set (a national partner); every country otherwise.
    member_state_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_states.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_label: Mapped[str] = mapped_column(sa.String(254), default="")
    #: The token stops working at this moment.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_label: Mapped[str] = mapped_column(sa.String(254), default="")

    member_state: Mapped[MemberState | None] = relationship()

    audit_member_state_id = None

    @property
    def scope_list(self) -> list[str]:
        """The scopes as a list."""
        return self.scopes.split()

    @property
    def last_day(self) -> date:
        """The last day the token works, in Brussels (it stops at the midnight after it)."""
        return (self.expires_at.astimezone(BRUSSELS) - timedelta(microseconds=1)).date()

    def has_scope(self, scope: str) -> bool:
        """Whether the token may read what `scope` covers."""
        return scope in self.scope_list

    def state(self, now: datetime) -> str:
        """"active", "expired" or "revoked" at `now`."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"


class ApiCall(db.Model):
    """One request to the API, answered or refused: who, what, when, the answer and how long it took."""

    __tablename__ = "api_calls"
    __table_args__ = (sa.Index("ix_api_calls_token_at", "token_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The token used; None when none or an unknown one was presented.
    token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    method: Mapped[str] = mapped_column(sa.String(10))
    #: The path and query string, cut to 500 characters (a token never travels in the URL).
    path: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[int]
    duration_ms: Mapped[int] = mapped_column(default=0)
    #: The caller's address, as seen behind the configured proxies.
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")

    token: Mapped[ApiToken | None] = relationship()
