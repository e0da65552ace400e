"""The mail log: every message the tracker sent or will send (staff), resend and cancel (secretariat)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core import exports
from tracker.core.forms import ActionForm
from tracker.core.permissions import require_secretariat, staff_required
from tracker.extensions import db
from tracker.mail import services
from tracker.mail.models import KINDS, STATUSES, OutboxMessage

bp = Blueprint("mail", __name__, url_prefix="/mail")

PAGE_SIZE = 50

#: The HTML body of an email is shown in a sandboxed frame: no scripts, no requests, no forms.
EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'"


def _shows_body(message: OutboxMessage) -> bool:
    return not message.is_sensitive or current_app.config["MAIL_LOG_SHOWS_SENSITIVE"]


def _log_filters() -> dict:
    """list_messages' filters from ?status= and ?kind= (None unless a known value)."""
    status, kind = request.args.get("status", ""), request.args.get("kind", "")
    return {"status": status if status in STATUSES else None, "kind": kind if kind in KINDS else None}


@bp.get("")
@staff_required
def log():
    """Every message, newest first, filtered by status and kind."""
    status, kind = request.args.get("status", ""), request.args.get("kind", "")
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    messages, total = services.list_messages(**_log_filters(), page=page, per_page=PAGE_SIZE)
    return render_template(
        "mail/log.html", messages=messages, total=total, page=page, page_size=PAGE_SIZE,
        status=status, kind=kind, statuses=STATUSES, kinds=KINDS, failed=services.count_failed(),
        local_inbox=not current_app.config["MAIL_SERVER"],
    )


@bp.get("/<int:message_id>")
@staff_required
def message(message_id: int):
    """One message: its headers, status, and rendered text and HTML."""
    row = db.get_or_404(OutboxMessage, message_id)
    return render_template("mail/message.html", message=row, shows_body=_shows_body(row), form=ActionForm(),
                           attachments=services.attachments_of(row))


@bp.get("/<int:message_id>/html")
@staff_required
def html_body(message_id: int):
    """The HTML body alone, for the sandboxed frame of the message page."""
    row = db.get_or_404(OutboxMessage, message_id)
    if not _shows_body(row) or not row.html_body:
        abort(404)
    return row.html_body, 200, {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": EMAIL_CSP,
        "X-Frame-Options": "SAMEORIGIN",
    }


@bp.post("/<int:message_id>/resend")
@staff_required
def resend(message_id: int):
    """Queue a failed or cancelled message again."""
    row = db.get_or_404(OutboxMessage, message_id)
    require_secretariat()
    if ActionForm().validate_on_submit():
        try:
            services.resend_message(row, by=current_user)
        except ValueError:
            flash(_("Only a failed or cancelled message can be sent again."), "error")
        else:
            db.session.commit()
            services.relay_after_commit(row.id)
            flash(_("The message is queued again."), "success")
    return redirect(url_for("mail.message", message_id=row.id))


@bp.post("/<int:message_id>/cancel")
@staff_required
def cancel(message_id: int):
    """Withdraw a message that has not gone yet."""
    row = db.get_or_404(OutboxMessage, message_id)
    require_secretariat()
    if ActionForm().validate_on_submit():
        try:
            services.cancel_message(row, by=current_user)
        except ValueError:
            flash(_("This message is no longer waiting: it cannot be cancelled."), "error")
        else:
            db.session.commit()
            flash(_("The message is cancelled; it will not be sent."), "success")
    return redirect(url_for("mail.message", message_id=row.id))


MAIL_COLUMNS = (
    exports.Column("id", lambda m: m.id), exports.Column("created_at", lambda m: m.created_at),
    exports.Column("kind", lambda m: m.kind), exports.Column("status", lambda m: m.status),
    exports.Column("recipients", lambda m: m.recipients), exports.Column("cc", lambda m: m.cc),
    exports.Column("subject", lambda m: m.subject), exports.Column("language", lambda m: m.language),
    exports.Column("attempts", lambda m: m.attempts), exports.Column("sent_at", lambda m: m.sent_at),
    exports.Column("last_error", lambda m: m.last_error), exports.Column("attachments", lambda m: m.attachment_count),
)


@bp.get("/export.<fmt>")
@staff_required
def export(fmt: str):
    """The mail log, with the page's filters, as CSV or XLSX (addresses, never bodies: audited)."""
    messages, _total = services.list_messages(**_log_filters(), page=1, per_page=100_000)
    return exports.download(fmt, "mail", MAIL_COLUMNS, messages, personal=True, by=current_user,
                            entity_type="outbox_messages")
