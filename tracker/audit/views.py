"""Reading the audit log (staff)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from tracker.audit.services import list_entries
from tracker.core.permissions import member_state_or_404, require_staff, staff_required
from tracker.countries.models import MemberState
from tracker.countries.services import list_member_states
from tracker.extensions import db

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/audit")
@staff_required
def log():
    """The newest changes, filtered by member state and entity."""
    code = request.args.get("country", "").upper()
    state = db.session.scalar(sa.select(MemberState).where(MemberState.code == code)) if code else None
    entity_type = request.args.get("entity", "")[:40] or None
    entries = list_entries(
        member_state_id=state.id if state else None, entity_type=entity_type,
        entity_id=_int_arg("id"), limit=PAGE_SIZE, before_id=_int_arg("before"),
    )
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
