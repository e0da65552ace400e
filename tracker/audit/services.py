"""Recording changes in the audit log (flushes, never commits)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.extensions import db

_ALWAYS_EXCLUDED = {"id", "version", "created_at", "updated_at"}


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a column value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _excluded(entity: Any) -> set[str]:
    return _ALWAYS_EXCLUDED | set(getattr(entity, "__audit_exclude__", ()))


def pending_changes(entity: Any) -> dict[str, list[Any]]:
    """{field: [before, after]} of the unflushed column changes of `entity`."""
    state = sa.inspect(entity)
    changes: dict[str, list[Any]] = {}
    excluded = _excluded(entity)
    for attr in state.mapper.column_attrs:
        if attr.key in excluded:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if _plain(before) != _plain(after):
                changes[attr.key] = [_plain(before), _plain(after)]
    return changes


def snapshot(entity: Any) -> dict[str, list[Any]]:
    """{field: [None, value]} of every column of a new entity."""
    excluded = _excluded(entity)
    return {
        attr.key: [None, _plain(getattr(entity, attr.key))]
        for attr in sa.inspect(entity).mapper.column_attrs
        if attr.key not in excluded and getattr(entity, attr.key) not in (None, "")
    }


def _unproxied(value: Any) -> Any:
    """The object behind a Flask-Login `current_user` proxy (or the value itself)."""
    getter = getattr(value, "_get_current_object", None)
    return getter() if callable(getter) else value


def actor_label(by: Any) -> str:
    """How an actor is named in the log: the account email, or a system name."""
    if by is None:
        return "system"
    if isinstance(by, str):
        return by
    return by.email


def record_change(
    entity: Any,
    *,
    by: Any,
    action: str = "update",
    how: str = "web",
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
) -> AuditEntry | None:
    """Log the changes of `entity` (call before flushing it); returns None when nothing changed."""
    entity, by = _unproxied(entity), _unproxied(by)
    if changes is None:
        if action == "create":
            db.session.flush()
            changes = snapshot(entity)
        else:
            changes = pending_changes(entity)
    if action == "update" and not changes:
        return None
    db.session.flush()
    return record_event(action=action, entity_type=type(entity).__tablename__, entity_id=entity.id,
                        member_state_id=getattr(entity, "audit_member_state_id", None), by=by, how=how,
                        changes=changes, note=note)


def record_event(
    *, action: str, entity_type: str, by: Any, entity_id: int | None = None, member_state_id: int | None = None,
    how: str = "web", note: str = "", changes: dict[str, list[Any]] | None = None,
) -> AuditEntry:
    """Log one entry; on its own, something done that changes no row (an export of personal data)."""
    by = _unproxied(by)
    entry = AuditEntry(
        actor_id=None if by is None or isinstance(by, str) else by.id, actor_label=actor_label(by), action=action,
        entity_type=entity_type, entity_id=entity_id, member_state_id=member_state_id, how=how,
        changes=changes or {}, note=note,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def list_entries(
    *, member_state_id: int | None = None, entity_type: str | None = None,
    entity_id: int | None = None, limit: int = 200, before_id: int | None = None,
) -> list[AuditEntry]:
    """Newest audit entries, filtered by member state and/or entity."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if member_state_id is not None:
        query = query.where(AuditEntry.member_state_id == member_state_id)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query))
