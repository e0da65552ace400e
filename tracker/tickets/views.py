"""Service-desk pages: the queue, a ticket's thread, replies and notes, assignment, merging, reports."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from tracker.accounts.models import User
from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, ActionForm, report_edit_conflict
from tracker.core.i18n import language_name, mail_language
from tracker.core.permissions import require_secretariat, require_staff, visible_or_404
from tracker.countries.reference import EU_LANGUAGES
from tracker.countries.services import current_campaign, list_member_states
from tracker.extensions import db
from tracker.files.services import FileRefused
from tracker.files.views import download_response
from tracker.tickets import services
from tracker.tickets.forms import AssignForm, LinkForm, MergeForm, ReplyForm, SavedReplyForm, StatusForm, TicketForm
from tracker.tickets.labels import CATEGORY_LABELS, FILE_REFUSALS, REFUSALS, STATUS_LABELS
from tracker.tickets.models import STATUSES, SavedReply, Ticket

bp = Blueprint("tickets", __name__)


def _refused(refused: services.TicketRefused) -> str:
    return str(REFUSALS.get(refused.reason, _("This change is not possible.")))


def _file_refused(refused: FileRefused, name: str) -> str:
    size = current_app.config["TICKET_ATTACHMENT_MAX_BYTES"] // (1024 * 1024)
    return str(FILE_REFUSALS[refused.reason]) % {"name": name, "size": size}


def _uploads(field) -> list[tuple]:
    """The files chosen in a MultipleFileField (an empty file input sends one nameless part)."""
    return [(upload.stream, upload.filename) for upload in (field.data or []) if upload and upload.filename]


def _attachment_help() -> str:
    return _("PDF, images, office documents or 3D models (glTF/GLB, OBJ, STL, PLY ...), each up to %(size)s MB.",
             size=current_app.config["TICKET_ATTACHMENT_MAX_BYTES"] // (1024 * 1024))


def _may_write() -> None:
    """DG CONNECT's viewers read tickets; the secretariat and the country write in them."""
    if not (current_user.is_secretariat or current_user.is_contact_point):
        abort(403)


# -- the queue ----------------------------------------------------------------------------------


def _queue_shown(limit: int = 500) -> tuple[services.QueueFilter, list]:
    """The queue's filters from the query string, and the tickets they select (a contact point: their own)."""
    codes = {s.code: s.id for s in list_member_states()}
    wanted = services.QueueFilter(
        status=request.args.get("status") if request.args.get("status") in (*STATUSES, "active") else None,
        category=request.args.get("category") if request.args.get("category") in CATEGORY_LABELS else None,
        member_state_id=codes.get(request.args.get("country", "")) if current_user.is_staff else None,
        assignee_id=int(request.args["assignee"]) if request.args.get("assignee", "").isdigit() else None,
        overdue=request.args.get("overdue") == "1", text=request.args.get("q", "")[:200],
    )
    rows = services.queue(wanted, member_state_id=None if current_user.is_staff else current_user.member_state_id,
                          internal=current_user.is_staff, limit=limit)
    return wanted, rows


@bp.get("/tickets")
def index():
    """The queue (staff: every country, filtered) or the country's own tickets (contact point)."""
    number = request.args.get("number", "")
    if number.strip().lstrip("#").isdigit():
        return redirect(url_for("tickets.show", ticket_id=int(number.strip().lstrip("#"))))
    wanted, rows = _queue_shown()
    return render_template("tickets/index.html", rows=rows, wanted=wanted, states=list_member_states(),
                           assignees=services.staff_users() if current_user.is_staff else [],
                           country=request.args.get("country", ""))


@bp.route("/tickets/new", methods=["GET", "POST"])
def new():
    """Ask the service desk a question (a contact point for their country; the secretariat for any)."""
    _may_write()
    form = TicketForm()
    form.attachments.description = _attachment_help()
    states = list_member_states()
    form.member_state.choices = [(s.code, s.name) for s in states] if current_user.is_secretariat else [
        (current_user.member_state.code, current_user.member_state.name)]
    if form.validate_on_submit():
        state = next((s for s in states if s.code == form.member_state.data), None) \
            if current_user.is_secretariat else current_user.member_state
        if state is None:
            form.member_state.errors = [_("Choose a country.")]
        else:
            uploads = _uploads(form.attachments)
            try:
                ticket = services.open_ticket(state, by=current_user, category=form.category.data,
                                              subject=form.subject.data, body=form.body.data, uploads=uploads,
                                              language=mail_language(str(get_locale() or "en")))
                db.session.commit()
            except FileRefused as refused:
                db.session.rollback()
                form.attachments.errors = [_file_refused(refused, refused.filename)]
            except services.TicketRefused as refused:
                db.session.rollback()
                form.form_errors.append(_refused(refused))
            else:
                from tracker.mail.services import relay_after_commit

                relay_after_commit()
                flash(ngettext("Your question is ticket %(reference)s. The service desk answers within %(num)d "
                               "working day.", "Your question is ticket %(reference)s. The service desk answers "
                               "within %(num)d working days.", current_app.config["SLA_FIRST_RESPONSE_DAYS"],
                               reference=ticket.reference), "success")
                return redirect(url_for("tickets.show", ticket_id=ticket.id))
    status = 422 if request.method == "POST" else 200
    return render_template("tickets/new.html", form=form), status


# -- one ticket ---------------------------------------------------------------------------------


def _ticket_page(ticket: Ticket, reply_form: ReplyForm | None = None, status: int = 200):
    staff = current_user.is_staff
    reply_form = reply_form or ReplyForm()
    reply_form.attachments.description = _attachment_help()
    saved = services.saved_replies(ticket.language) if current_user.is_secretariat else []
    chosen = request.args.get("saved", "")
    if request.method == "GET" and chosen.isdigit():
        found = next((r for r in saved if r.id == int(chosen)), None)
        if found is not None:
            reply_form.body.data = found.body
    status_form = StatusForm()
    status_form.status.choices = [(s, str(STATUS_LABELS[s])) for s in STATUSES]
    status_form.status.data = ticket.status
    status_form.version.data = ticket.version
    assign_form = AssignForm()
    assign_form.assignee.choices = [("", _("Nobody"))] + [(str(u.id), u.name) for u in services.staff_users()]
    assign_form.assignee.data = str(ticket.assignee_id or "")
    link_form = LinkForm()
    if current_user.is_secretariat:
        link_form.asset.choices, link_form.event.choices = _link_choices(ticket)
        link_form.asset.data, link_form.event.data = str(ticket.asset_id or ""), str(ticket.event_id or "")
    return render_template(
        "tickets/show.html", ticket=ticket, thread=services.thread_of(ticket, internal=staff),
        service=services.service_of(ticket) if staff else None, reply_form=reply_form, status_form=status_form,
        assign_form=assign_form, merge_form=MergeForm(), link_form=link_form, saved=saved, action_form=ActionForm(),
        merged_into=db.session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None,
    ), status


def _link_choices(ticket: Ticket):
    from tracker.events.services import events_of
    from tracker.participation.models import Asset

    assets = db.session.scalars(sa.select(Asset).where(Asset.member_state_id == ticket.member_state_id)
                                .order_by(Asset.id))
    events = events_of(current_campaign(), member_state_id=ticket.member_state_id, staff=False)
    return ([("", "—")] + [(str(a.id), f"#{a.id} {a.title}") for a in assets],
            [("", "—")] + [(str(e.id), e.title) for e in events])


@bp.get("/tickets/<int:ticket_id>")
def show(ticket_id: int):
    """The ticket, its thread (notes for staff only), its service levels and what can be done with it."""
    return _ticket_page(visible_or_404(Ticket, ticket_id))


@bp.post("/tickets/<int:ticket_id>/reply")
def reply(ticket_id: int):
    """Reply in the thread: staff answer or note; the country follows up (a resolved ticket reopens)."""
    ticket = visible_or_404(Ticket, ticket_id)
    _may_write()
    form = ReplyForm()
    if not form.validate_on_submit():
        return _ticket_page(ticket, form, 422)
    uploads = _uploads(form.attachments)
    try:
        services.reply(ticket, by=current_user, body=form.body.data, uploads=uploads,
                       internal=bool(form.internal.data) and current_user.is_secretariat,
                       then=form.then.data if current_user.is_secretariat else None)
        db.session.commit()
    except FileRefused as refused:
        db.session.rollback()
        form.attachments.errors = [_file_refused(refused, refused.filename)]
        return _ticket_page(db.session.get(Ticket, ticket_id), form, 422)
    except services.TicketRefused as refused:
        db.session.rollback()
        form.form_errors.append(_refused(refused))
        return _ticket_page(db.session.get(Ticket, ticket_id), form, 409)
    from tracker.mail.services import relay_after_commit

    relay_after_commit()
    flash(_("The note is saved.") if form.internal.data and current_user.is_secretariat else
          _("Your message is sent."), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#thread")


@bp.post("/tickets/<int:ticket_id>/status")
def set_status(ticket_id: int):
    """Resolve, close, reopen or set waiting (the country may only close its ticket)."""
    ticket = visible_or_404(Ticket, ticket_id)
    _may_write()
    form = StatusForm()
    form.status.choices = [(s, s) for s in STATUSES]
    if form.validate_on_submit():
        try:
            services.set_status(ticket, form.status.data, by=current_user, loaded_version=form.version.data)
            db.session.commit()
        except services.TicketRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        except EDIT_CONFLICTS:
            db.session.rollback()
            flash(_("Someone else changed this ticket meanwhile. Check it and try again."), "error")
        else:
            flash(_("Ticket %(reference)s is now: %(status)s.", reference=ticket.reference,
                    status=STATUS_LABELS[ticket.status]), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.post("/tickets/<int:ticket_id>/assign")
def assign(ticket_id: int):
    """Give the ticket to someone of the secretariat."""
    ticket = visible_or_404(Ticket, ticket_id)
    require_secretariat()
    form = AssignForm()
    form.assignee.choices = [("", "")] + [(str(u.id), u.name) for u in services.staff_users()]
    if form.validate_on_submit():
        assignee = db.session.get(User, int(form.assignee.data)) if form.assignee.data else None
        try:
            services.assign(ticket, assignee, by=current_user)
            db.session.commit()
        except services.TicketRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        else:
            flash(_("Assigned to %(name)s.", name=assignee.name) if assignee else _("Nobody is assigned now."),
                  "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.post("/tickets/<int:ticket_id>/merge")
def merge(ticket_id: int):
    """Close this ticket as a duplicate of another of the same country."""
    ticket = visible_or_404(Ticket, ticket_id)
    require_secretariat()
    form = MergeForm()
    if form.validate_on_submit():
        into = db.session.get(Ticket, form.into.data)
        try:
            if into is None:
                raise services.TicketRefused("unknown")
            services.merge(ticket, into, by=current_user)
            db.session.commit()
        except services.TicketRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        else:
            flash(_("Ticket %(duplicate)s is merged into %(kept)s.", duplicate=ticket.reference, kept=into.reference),
                  "success")
            return redirect(url_for("tickets.show", ticket_id=into.id))
    else:
        flash(_("Give a ticket number."), "error")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.post("/tickets/<int:ticket_id>/link")
def link(ticket_id: int):
    """Tie the ticket to an asset of its country or to an event."""
    ticket = visible_or_404(Ticket, ticket_id)
    require_secretariat()
    form = LinkForm()
    form.asset.choices, form.event.choices = _link_choices(ticket)
    if form.validate_on_submit():
        try:
            services.link(ticket, asset_id=int(form.asset.data) if form.asset.data else None,
                          event_id=int(form.event.data) if form.event.data else None, by=current_user)
            db.session.commit()
        except services.TicketRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        else:
            flash(_("The links are saved."), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.get("/tickets/<int:ticket_id>/files/<int:file_id>")
def download(ticket_id: int, file_id: int):
    """An attachment of the thread, as a download, for those who may see the ticket (notes' files: staff)."""
    ticket = visible_or_404(Ticket, ticket_id)
    stored = services.attachment_of(ticket, file_id, internal=current_user.is_staff)
    if stored is None:
        abort(404)
    return download_response(stored)


# -- reports and saved replies -----------------------------------------------------------------


@bp.get("/tickets/report")
def report():
    """Tickets per category and per country; median working days to first response and to resolution."""
    require_staff()
    return render_template("tickets/report.html", report=services.report(), states=list_member_states())


def _reply_form(saved: SavedReply | None = None) -> SavedReplyForm:
    form = SavedReplyForm(obj=saved)
    form.language.choices = [(code, language_name(code)) for code in EU_LANGUAGES]
    if request.method == "GET" and saved is not None:
        form.version.data = saved.version
    return form


@bp.route("/tickets/saved-replies", methods=["GET", "POST"])
def saved_replies():
    """The replies the secretariat reuses, per language; add one."""
    require_secretariat()
    form = _reply_form()
    if form.validate_on_submit():
        try:
            services.save_reply(None, title=form.title.data, language=form.language.data, body=form.body.data,
                                by=current_user)
            db.session.commit()
        except services.TicketRefused as refused:
            db.session.rollback()
            form.form_errors.append(_refused(refused))
        else:
            flash(_("The saved reply is added."), "success")
            return redirect(url_for("tickets.saved_replies"))
    status = 422 if request.method == "POST" else 200
    return render_template("tickets/saved_replies.html", form=form, replies=services.saved_replies()), status


@bp.route("/tickets/saved-replies/<int:reply_id>", methods=["GET", "POST"])
def edit_saved_reply(reply_id: int):
    """Change a saved reply, or delete it."""
    require_secretariat()
    saved = db.get_or_404(SavedReply, reply_id)
    if request.method == "POST" and request.form.get("action") == "delete":
        if ActionForm().validate_on_submit():
            services.delete_saved_reply(saved, by=current_user)
            db.session.commit()
            flash(_("The saved reply is deleted."), "success")
        return redirect(url_for("tickets.saved_replies"))
    form = _reply_form(saved)
    if form.validate_on_submit():
        try:
            services.save_reply(saved, title=form.title.data, language=form.language.data, body=form.body.data,
                                by=current_user, loaded_version=form.version.data)
            db.session.commit()
        except services.TicketRefused as refused:
            db.session.rollback()
            form.form_errors.append(_refused(refused))
        except EDIT_CONFLICTS:
            report_edit_conflict(form, saved)
        else:
            flash(_("The saved reply is saved."), "success")
            return redirect(url_for("tickets.saved_replies"))
    status = 422 if request.method == "POST" else 200
    return render_template("tickets/saved_reply.html", form=form, saved=saved, action_form=ActionForm()), status


TICKET_COLUMNS = (
    exports.Column("id", lambda r: r[0].id), exports.Column("country", lambda r: r[0].member_state.code),
    exports.Column("category", lambda r: r[0].category), exports.Column("subject", lambda r: r[0].subject),
    exports.Column("status", lambda r: r[0].status),
    exports.Column("assignee", lambda r: r[0].assignee.email if r[0].assignee else ""),
    exports.Column("language", lambda r: r[0].language), exports.Column("opened_at", lambda r: r[0].created_at),
    exports.Column("first_response_at", lambda r: r[0].first_response_at),
    exports.Column("resolved_at", lambda r: r[0].resolved_at), exports.Column("closed_at", lambda r: r[0].closed_at),
    exports.Column("last_activity_at", lambda r: r[0].last_activity_at),
    exports.Column("overdue", lambda r: r[1].overdue), exports.Column("breached", lambda r: r[1].breached),
)


@bp.get("/tickets/export.<fmt>")
def export(fmt: str):
    """The queue, with its filters, as CSV or XLSX (a contact point: their country's; audited)."""
    _wanted, rows = _queue_shown(limit=100_000)
    return exports.download(fmt, "tickets", TICKET_COLUMNS, rows, personal=True, by=current_user,
                            entity_type="tickets",
                            member_state_id=None if current_user.is_staff else current_user.member_state_id)


@bp.get("/tickets/report/export.<fmt>")
def export_report(fmt: str):
    """The report's tickets per country and per category, as CSV or XLSX (counts only)."""
    require_staff()
    figures = services.report()
    rows = [("country", s.code, figures.by_country.get(s.code, 0))
            for s in list_member_states()] + [("category", c, figures.by_category.get(c, 0)) for c in CATEGORY_LABELS]
    columns = (exports.Column("by", lambda r: r[0]), exports.Column("value", lambda r: r[1]),
               exports.Column("tickets", lambda r: r[2]))
    return exports.download(fmt, "tickets-report", columns, rows, personal=False, by=current_user,
                            entity_type="tickets")
