"""Words for the audit trail's codes: what was done, and to what (the timeline and the audit log show these)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: What was done, by its code in `audit_entries.action`.
ACTION_LABELS = {
    "create": _l("created"), "update": _l("changed"), "delete": _l("deleted"), "send": _l("sent"),
    "attended": _l("attended"), "translate": _l("translated"), "remove_translation": _l("translation removed"),
    "status": _l("status changed"), "change_status": _l("status changed"), "correct_status": _l("status corrected"),
    "reach_status": _l("status reached"), "set_password": _l("password set"), "revoke": _l("revoked"),
    "review": _l("reviewed"), "reopen_review": _l("review reopened"), "request_confirmation": _l("asked to confirm"),
    "reply": _l("replied"), "replace": _l("replaced"), "propose_replacement": _l("replacement proposed"),
    "reject": _l("refused"), "remove_attendance": _l("attendance removed"),
    "promote": _l("moved up from the waiting list"), "note": _l("note added"), "merge": _l("merged"),
    "link": _l("linked"), "issue": _l("issued"), "invite": _l("invited"), "import_attendance": _l("attendance imported"),
    "discard_import": _l("import discarded"), "export_person": _l("personal data exported"), "export": _l("exported"),
    "erase": _l("erased"), "end": _l("ended"), "decline": _l("declined"), "confirm": _l("confirmed"),
    "cancel": _l("cancelled"), "build": _l("built"), "attach": _l("file attached"), "assign": _l("assigned"),
    "accept": _l("accepted"),
}

#: What it was done to, by table.
ENTITY_LABELS = {
    "appointments": _l("Appointment"), "participations": _l("Status"), "assets": _l("Asset"), "people": _l("Person"),
    "organisations": _l("Organisation"), "member_states": _l("Country details"), "milestone_extensions": _l("Extension"),
    "users": _l("Account"), "stored_files": _l("File"), "events": _l("Event"), "event_registrations": _l("Registration"),
    "letters": _l("Letter"), "letter_batches": _l("Batch of letters"), "letter_texts": _l("Wording of a letter"),
    "tickets": _l("Ticket"), "ticket_messages": _l("Message"), "saved_replies": _l("Saved reply"),
    "attendance_imports": _l("Attendance report"), "event_attendances": _l("Attendance"),
    "calendar_feeds": _l("Calendar feed"), "digests": _l("Status digest"), "outbox_messages": _l("Email"),
    "reminder_steps": _l("Reminder step"), "reminder_dispatches": _l("Reminder"), "milestones": _l("Deadline"),
    "campaigns": _l("Campaign"), "person_roles": _l("Role"),
    "api_tokens": _l("API token"),
}


def action_label(code: str) -> str:
    """What was done, in the interface language."""
    return str(ACTION_LABELS.get(code, code))


def entity_label(table: str) -> str:
    """What it was done to, in the interface language."""
    return str(ENTITY_LABELS.get(table, table))
