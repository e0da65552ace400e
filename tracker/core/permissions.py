"""Who may see what: login by default, roles, and country scoping (404, never 403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, current_app, request
from flask_login import current_user

from tracker.extensions import db, login_manager

#: Endpoints reachable without logging in.
PUBLIC_ENDPOINTS: set[str] = {"static"}


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in."""
    view._public = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable:
    """Let only users holding one of `roles` through (others get 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def staff_required(view: Callable) -> Callable:
    """Secretariat and viewers (DG CONNECT)."""
    return roles_required("secretariat", "viewer")(view)


def secretariat_required(view: Callable) -> Callable:
    """Secretariat only."""
    return roles_required("secretariat")(view)


def require_secretariat() -> None:
    """403 unless the current user is secretariat (call after the 404 checks)."""
    if not current_user.is_secretariat:
        abort(403)


def require_staff() -> None:
    """403 unless the current user is secretariat or viewer (call after the 404 checks)."""
    if not current_user.is_staff:
        abort(403)


def ensure_visible(member_state_id: int | None) -> None:
    """404 when the current user may not see this member state's data."""
    if not current_user.can_see(member_state_id):
        abort(404)


def visible_or_404(model: type, record_id: int) -> Any:
    """The record with this id, or 404 if unknown or of a member state the user may not see."""
    record = db.get_or_404(model, record_id)
    ensure_visible(record.member_state_id)
    return record


def member_state_or_404(code: str):
    """The member state with this code, or 404 if unknown or not the user's own."""
    from tracker.countries.models import MemberState

    member_state = db.session.scalar(sa.select(MemberState).where(MemberState.code == code.upper()))
    if member_state is None:
        abort(404)
    ensure_visible(member_state.id)
    return member_state


def _require_login() -> Any:
    """Every endpoint needs a login unless it is marked public."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    function = current_app.view_functions.get(request.endpoint)
    if getattr(function, "_public", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def init_app(app: Flask) -> None:
    """Install the login-by-default rule."""
    app.before_request(_require_login)
