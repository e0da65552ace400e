"""Reading the audit log (staff)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.audit.services import list_entries
from tracker.core import exports
from tracker.core.permissions import member_state_or_404, require_staff, staff_required
from tracker.countries.models import MemberState
from tracker.countries.services import list_member_states
from tracker.extensions import db

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _log_filters() -> tuple[str, dict]:
    """The audit log's filters from the query string (?country=, ?entity=, ?id=): the code, and list_entries' arguments."""
    code = request.args.get("country", "").upper()
    state = db.session.scalar(sa.select(MemberState).where(MemberState.code == code)) if code else None
    return code, {"member_state_id": state.id if state else None,
                  "entity_type": request.args.get("entity", "")[:40] or None, "entity_id": _int_arg("id")}


@bp.get("/audit")
@staff_required
def log():
    """The newest changes, filtered by member state and entity."""
    code, filters = _log_filters()
    entity_type = filters["entity_type"]
    entries = list_entries(**filters, limit=PAGE_SIZE, before_id=_int_arg("before"))
    return render_template("audit/log.html", entries=entries, states=list_member_states(),
                           selected=code, entity_type=entity_type or "", page_size=PAGE_SIZE, state=None)


@bp.get("/countries/<code>/audit")
def member_state_log(code: str):
    """Every change recorded for one member state."""
    state = member_state_or_404(code)
    require_staff()
    entries = list_entries(member_state_id=state.id, limit=PAGE_SIZE, before_id=_int_arg("before"))
    return render_template("audit/log.html", entries=entries, states=[], selected=state.code,
                           entity_type="", page_size=PAGE_SIZE, state=state)


#: The most entries one export holds (the newest matching the filters): 50,000 rows is about 10 s as XLSX.
EXPORT_LIMIT = 50_000


def _audit_columns() -> tuple[exports.Column, ...]:
    """The audit export's columns (country codes read from one query, not per entry)."""
    codes = {state.id: state.code for state in list_member_states()}
    return (
        exports.Column("id", lambda e: e.id), exports.Column("at", lambda e: e.at),
        exports.Column("actor", lambda e: e.actor_label), exports.Column("action", lambda e: e.action),
        exports.Column("entity_type", lambda e: e.entity_type), exports.Column("entity_id", lambda e: e.entity_id),
        exports.Column("country", lambda e: codes.get(e.member_state_id, "")),
        exports.Column("how", lambda e: e.how),
        exports.Column("changes", lambda e: json.dumps(e.changes, ensure_ascii=False, sort_keys=True, default=str)),
        exports.Column("note", lambda e: e.note),
    )


@bp.get("/audit/export.<fmt>")
@staff_required
def export_log(fmt: str):
    """The audit log, with the page's filters, as CSV or XLSX (it names people: audited)."""
    _code, filters = _log_filters()
    entries = list_entries(**filters, limit=EXPORT_LIMIT)
    return exports.download(fmt, "audit", _audit_columns(), entries, personal=True, by=current_user,
                            entity_type="audit_entries")


@bp.get("/countries/<code>/audit/export.<fmt>")
def export_member_state_log(code: str, fmt: str):
    """One member state's audit trail as CSV or XLSX (audited)."""
    state = member_state_or_404(code)
    require_staff()
    entries = list_entries(member_state_id=state.id, limit=EXPORT_LIMIT)
    return exports.download(fmt, f"audit-{state.code}", _audit_columns(), entries, personal=True, by=current_user,
                            entity_type="audit_entries", member_state_id=state.id)
