"""Appointment pages: the overview, a country's appointments, and the contact point's personal link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.appointments import services
from tracker.appointments.forms import (
    AppointForm,
    ConfirmForm,
    DeclineForm,
    EditAppointmentForm,
    EndForm,
    ReplacementForm,
    ReplyForm,
    RequestForm,
)
from tracker.appointments.models import Appointment
from tracker.audit.services import list_entries
from tracker.contacts.models import Organisation, Person
from tracker.contacts.services import organisations_for, search_people
from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, ActionForm, report_edit_conflict
from tracker.core.i18n import language_name, mail_language
from tracker.core.permissions import (
    member_state_or_404,
    public,
    require_secretariat,
    secretariat_required,
    staff_required,
    visible_or_404,
)
from tracker.countries.reference import EU_LANGUAGES
from tracker.countries.services import current_campaign
from tracker.extensions import db
from tracker.files.services import FileRefused, files_of
from tracker.mail.services import relay_after_commit

bp = Blueprint("appointments", __name__)


def refusal_message(refused: services.AppointmentRefused) -> str:
    """What to tell a person whose change the rules refused."""
    from tracker.core.i18n import country_name

    messages = {
        "already_appointed": _("This person is already appointed for this country in this campaign."),
        "other_country": _("This person is a contact point of another country (%(country)s) and cannot be appointed here.",
                           country=country_name(refused.details.get("country") or "") or "?"),
        "duplicate_email": _("Another person already has this email."),
        "primary_taken": _("The country already has a primary contact point. End or replace that appointment first, or appoint this person as an alternate."),
        "not_awaiting": _("This appointment is no longer awaiting an answer."),
        "not_proposed": _("This proposal has already been dealt with."),
        "not_open": _("This appointment has already ended."),
        "no_previous_campaign": _("There is no earlier campaign to carry the contact points over from."),
        "until_before_since": _("The end date is before the start date."),
    }
    return messages.get(refused.reason, _("This change is not possible."))


def _campaign_or_404():
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    return campaign


def _back(appointment: Appointment):
    return redirect(url_for("appointments.member_state", code=appointment.member_state.code))


# -- the secretariat's pages --------------------------------------------------------------------

@bp.get("/appointments")
@staff_required
def overview():
    """The 27 countries by appointment state, with counts, silence and days left."""
    campaign = _campaign_or_404()
    rows = services.overview(campaign)
    wanted = request.args.get("state", "")
    silent = request.args.get("not_answered") == "1"
    shown = [r for r in rows if (not wanted or r.state == wanted) and (not silent or r.not_answered)]
    counts = {state: sum(1 for r in rows if r.state == state) for state in services.COUNTRY_STATES}
    source = services.previous_campaign(campaign)
    return render_template(
        "appointments/overview.html", campaign=campaign, rows=shown, total=len(rows), counts=counts,
        wanted=wanted, silent=silent, source=source, request_form=RequestForm(), action_form=ActionForm(),
        not_answered=sum(1 for r in rows if r.not_answered),
        awaiting=sum(1 for r in rows for a in r.appointments if a.state == "awaiting_confirmation"),
    )


#: The export's columns: each row of `services.export_rows` read by position.
EXPORT_COLUMNS = tuple(exports.Column(name, lambda row, i=i: row[i]) for i, name in enumerate(services.EXPORT_COLUMNS))


@bp.get("/appointments/export.<fmt>")
@staff_required
def export(fmt: str):
    """The appointments as CSV or XLSX (personal data: every export is audited)."""
    campaign = _campaign_or_404()
    return exports.download(fmt, f"appointments-{campaign.code}", EXPORT_COLUMNS, services.export_rows(campaign),
                            personal=True, by=current_user, entity_type="appointments")


@bp.get("/countries/<code>/appointments/export.<fmt>")
def export_member_state(code: str, fmt: str):
    """One country's appointments as CSV or XLSX (its contact point may too; audited)."""
    state = member_state_or_404(code)
    campaign = _campaign_or_404()
    return exports.download(fmt, f"appointments-{campaign.code}-{state.code}", EXPORT_COLUMNS,
                            services.export_rows(campaign, state), personal=True, by=current_user,
                            entity_type="appointments", member_state_id=state.id)


@bp.post("/appointments/carry-over")
@secretariat_required
def carry_over():
    """Start the campaign's appointments from the previous campaign's contact points."""
    campaign = _campaign_or_404()
    if ActionForm().validate_on_submit():
        try:
            created = services.carry_over(campaign, by=current_user)
        except services.AppointmentRefused as refused:
            flash(refusal_message(refused), "error")
        else:
            db.session.commit()
            flash(ngettext("%(num)d contact point is now awaiting confirmation.",
                           "%(num)d contact points are now awaiting confirmation.", len(created)) if created
                  else _("Every earlier contact point is already carried over."), "success")
    return redirect(url_for("appointments.overview"))


def _ask(appointments: list[Appointment], form: RequestForm) -> None:
    result = services.request_confirmation(appointments, cc_permrep=form.cc_permrep.data, by=current_user)
    db.session.commit()
    relay_after_commit()
    if result.asked:
        flash(ngettext("%(num)d person is asked to confirm; the email is on its way.",
                       "%(num)d people are asked to confirm; the emails are on their way.", len(result.asked)), "success")
    if result.recently_asked:
        flash(ngettext("%(num)d person was asked less than 10 minutes ago and is not asked again.",
                       "%(num)d people were asked less than 10 minutes ago and are not asked again.",
                       len(result.recently_asked)), "info")
    if not result.asked and not result.recently_asked:
        flash(_("Nobody is awaiting confirmation."), "info")


@bp.post("/appointments/request-confirmation")
@secretariat_required
def request_all():
    """Ask everyone awaiting confirmation, in every country, to confirm."""
    campaign = _campaign_or_404()
    form = RequestForm()
    if form.validate_on_submit():
        _ask(services.awaiting_confirmation(campaign), form)
    return redirect(url_for("appointments.overview"))


@bp.get("/countries/<code>/appointments")
def member_state(code: str):
    """A country's contact points for the campaign, open and past, with their history."""
    state = member_state_or_404(code)
    campaign = _campaign_or_404()
    appointments = services.appointments_of(campaign, state)
    files = files_of("appointments", [a.id for a in appointments]) if current_user.is_staff else {}
    entries = list_entries(member_state_id=state.id, entity_type="appointments", limit=30) if current_user.is_staff else []
    deadline = next((m for m in campaign.milestones if m.code == services.MILESTONE), None)
    return render_template(
        "appointments/member_state.html", state=state, campaign=campaign, appointments=appointments, files=files,
        entries=entries, deadline=deadline.due_for(state) if deadline else None, request_form=RequestForm(),
        end_form=EndForm(), action_form=ActionForm(), country_state=services.country_state(appointments),
    )


@bp.post("/countries/<code>/appointments/request-confirmation")
def request_country(code: str):
    """Ask one country's contact points awaiting confirmation to confirm."""
    state = member_state_or_404(code)
    require_secretariat()
    form = RequestForm()
    if form.validate_on_submit():
        _ask(services.awaiting_confirmation(_campaign_or_404(), state), form)
    return redirect(url_for("appointments.member_state", code=state.code))


def _language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in EU_LANGUAGES]


@bp.route("/countries/<code>/appointments/new", methods=["GET", "POST"])
def appoint(code: str):
    """Appoint a person of the country as primary or alternate contact point."""
    state = member_state_or_404(code)
    require_secretariat()
    campaign = _campaign_or_404()
    form = AppointForm()
    form.person_id.choices = [("", _("— a new person —"))] + [
        (str(p.id), f"{p.full_name} <{p.email}>") for p in search_people(member_state_id=state.id) if p.erased_at is None]
    form.organisation_id.choices = [("", "—")] + [(str(o.id), o.name) for o in organisations_for(state.id)]
    form.preferred_language.choices = _language_choices()
    if request.method == "GET":
        form.preferred_language.data = state.correspondence_language
    if form.validate_on_submit():
        try:
            if form.person_id.data is not None:
                person = db.get_or_404(Person, form.person_id.data)
            else:
                person = services.person_for(state, {
                    "given_name": form.given_name.data, "family_name": form.family_name.data,
                    "email": form.email.data, "preferred_language": form.preferred_language.data,
                    "organisation_id": form.organisation_id.data}, by=current_user, how="web")
            organisation = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
            services.appoint(campaign, state, person, kind=form.kind.data, state=form.state.data, by=current_user,
                             how=form.how.data if form.state.data == "confirmed" else "web",
                             organisation=organisation, position=form.position.data or "")
            db.session.commit()
        except services.AppointmentRefused as refused:
            db.session.rollback()
            form.form_errors.append(refusal_message(refused))
        except IntegrityError:
            db.session.rollback()
            form.form_errors.append(_("Someone else changed this country's appointments at the same time. Check them and try again."))
        else:
            flash(_("%(name)s is appointed.", name=person.full_name), "success")
            return redirect(url_for("appointments.member_state", code=state.code))
    status = 200 if request.method == "GET" else 422
    return render_template("appointments/appoint.html", form=form, state=state, campaign=campaign), status


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
def edit(appointment_id: int):
    """Change an appointment's kind, organisation, function, languages or dates."""
    appointment = visible_or_404(Appointment, appointment_id)
    require_secretariat()
    form = EditAppointmentForm(obj=appointment, languages=appointment.language_list)
    form.organisation_id.choices = [("", "—")] + [(str(o.id), o.name) for o in organisations_for(appointment.member_state_id)]
    form.languages.choices = _language_choices()
    if request.method == "GET":
        form.version.data = appointment.version
    if form.validate_on_submit():
        values = {key: getattr(form, key).data for key in ("kind", "organisation_id", "position", "since_on", "until_on")}
        values["languages"] = " ".join(form.languages.data or [])
        try:
            services.update_appointment(appointment, values, loaded_version=form.version.data, by=current_user)
            db.session.commit()
        except EDIT_CONFLICTS:
            report_edit_conflict(form, appointment)
            return render_template("appointments/edit.html", form=form, appointment=appointment), 409
        except services.AppointmentRefused as refused:
            db.session.rollback()
            form.form_errors.append(refusal_message(refused))
        except IntegrityError:
            db.session.rollback()
            form.form_errors.append(_("The country already has a primary contact point."))
        else:
            flash(_("The appointment is saved."), "success")
            return _back(appointment)
    status = 200 if request.method == "GET" else 422
    return render_template("appointments/edit.html", form=form, appointment=appointment), status


@bp.route("/appointments/<int:appointment_id>/reply", methods=["GET", "POST"])
def record_reply(appointment_id: int):
    """Record a reply received by email, letter or phone, with a note and the file received."""
    appointment = visible_or_404(Appointment, appointment_id)
    require_secretariat()
    form = ReplyForm()
    if request.method == "GET":
        form.received_on.data = services.today_in_brussels()
    if appointment.state not in ("awaiting_confirmation", "proposed"):
        flash(refusal_message(services.AppointmentRefused("not_awaiting")), "error")
        return _back(appointment)
    if form.validate_on_submit():
        upload = form.attachment.data
        try:
            services.record_reply(
                appointment, outcome=form.outcome.data, how=form.how.data, received_on=form.received_on.data,
                note=form.note.data or "", by=current_user,
                upload=(upload.stream, upload.filename) if upload and upload.filename else None,
            )
            db.session.commit()
        except FileRefused as refused:
            db.session.rollback()
            form.attachment.errors = [_file_message(refused)]
        except services.AppointmentRefused as refused:
            db.session.rollback()
            form.form_errors.append(refusal_message(refused))
        except EDIT_CONFLICTS:
            db.session.rollback()
            form.form_errors.append(_("Someone else changed this appointment at the same time. Nothing was saved; check it and try again."))
        else:
            flash(_("The reply is recorded."), "success")
            return _back(appointment)
    status = 200 if request.method == "GET" else 422
    return render_template("appointments/reply.html", form=form, appointment=appointment), status


def _file_message(refused: FileRefused) -> str:
    from flask import current_app

    if refused.reason == "too_large":
        return _("The file is larger than %(size)s MB.", size=current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024))
    if refused.reason == "empty":
        return _("The file is empty.")
    return _("This kind of file is not accepted: send a PDF, an image, an email (.eml, .msg), a Word or a text file.")


def _act(appointment_id: int, action, success: str):
    appointment = visible_or_404(Appointment, appointment_id)
    require_secretariat()
    form = EndForm()
    if form.validate_on_submit():
        try:
            action(appointment, form)
            db.session.commit()
        except services.AppointmentRefused as refused:
            db.session.rollback()
            flash(refusal_message(refused), "error")
        except (IntegrityError, *EDIT_CONFLICTS):
            db.session.rollback()
            flash(_("Someone else changed this country's appointments at the same time. Check them and try again."), "error")
        else:
            relay_after_commit()
            flash(success, "success")
    return _back(appointment)


@bp.post("/appointments/<int:appointment_id>/accept")
def accept(appointment_id: int):
    """Accept a proposed alternate or replacement; the new person gets their own link."""
    return _act(appointment_id, lambda a, f: services.accept_proposal(a, by=current_user),
                _("The proposal is accepted and the new person is asked to confirm."))


@bp.post("/appointments/<int:appointment_id>/reject")
def reject(appointment_id: int):
    """Turn down a proposed alternate or replacement."""
    return _act(appointment_id, lambda a, f: services.reject_proposal(a, by=current_user, note=f.note.data or ""),
                _("The proposal is turned down."))


@bp.post("/appointments/<int:appointment_id>/end")
def end(appointment_id: int):
    """End an appointment from today."""
    return _act(appointment_id, lambda a, f: services.end_appointment(
        a, by=current_user, until_on=services.today_in_brussels(), note=f.note.data or ""), _("The appointment is ended."))


# -- the contact point's personal link ---------------------------------------------------------

def _speak_their_language(appointment: Appointment | None) -> None:
    """Show the link's pages in the person's language unless they chose another one."""
    if appointment is None:
        return
    person, state = appointment.person, appointment.member_state
    g.page_language = mail_language(person.preferred_language, state.correspondence_language)
    refresh()


def _link_forms(appointment: Appointment):
    person = appointment.person
    confirm = ConfirmForm(prefix="confirm")
    confirm.languages.choices = _language_choices()
    confirm.preferred_language.choices = _language_choices()
    if request.method == "GET":
        confirm.given_name.data, confirm.family_name.data = person.given_name, person.family_name
        confirm.email.data, confirm.phone.data = person.email, person.phone
        confirm.organisation_name.data = appointment.organisation.name if appointment.organisation else ""
        confirm.organisation_kind.data = appointment.organisation.kind if appointment.organisation else "ministry"
        confirm.position.data = appointment.position
        confirm.languages.data = appointment.language_list or [person.preferred_language]
        confirm.preferred_language.data = person.preferred_language
    return confirm, ReplacementForm(prefix="replace"), DeclineForm(prefix="decline")


def _link_page(check: services.LinkCheck, token: str, code: int = 200, **extra):
    return render_template("appointments/link.html", check=check, token=token, **extra), code


@bp.route("/appointments/link/<token>", methods=["GET", "POST"])
@public
def respond(token: str):
    """The personal link: GET shows what is on record and changes nothing; one POST acts."""
    check = services.check_link(token)
    _speak_their_language(check.appointment)
    if check.status == "invalid":
        return _link_page(check, token, 404)
    if check.status == "expired":
        return _link_page(check, token, 410)
    if check.status == "used":
        return _link_page(check, token, 200, pending=services.pending_replacement(check.appointment))
    appointment = check.appointment
    confirm, replace, decline = _link_forms(appointment)
    if request.method == "POST":
        action = request.form.get("action")
        by = f"{appointment.person.email} (link)"
        form = {"confirm": confirm, "replace": replace, "decline": decline}.get(action)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            try:
                done = _link_action(action, appointment, form, by)
                db.session.commit()
            except services.AppointmentRefused as refused:
                db.session.rollback()
                form.form_errors.append(refusal_message(refused))
            except (IntegrityError, *EDIT_CONFLICTS):
                # Someone answered on this appointment at the same moment: theirs is kept, this one is not.
                db.session.rollback()
                check = services.check_link(token)
                return _link_page(check, token, 409, conflict=True, confirm=confirm, replace=replace, decline=decline,
                                  pending=services.pending_replacement(check.appointment) if check.appointment else None)
            else:
                relay_after_commit()
                return render_template("appointments/link_done.html", appointment=appointment, **done)
        return render_template("appointments/link.html", check=check, token=token, confirm=confirm, replace=replace,
                               decline=decline, failed=action), 422
    return render_template("appointments/link.html", check=check, token=token, confirm=confirm, replace=replace,
                           decline=decline)


def _link_action(action: str, appointment: Appointment, form, by: str) -> dict:
    """Carry out what the person chose on their link page; returns what the thank-you page shows."""
    if action == "decline":
        services.decline_appointment(appointment, by=by, how="link", reason=form.reason.data or "")
        return {"done": "declined"}
    if action == "replace":
        services.propose_replacement(appointment, {
            "given_name": form.given_name.data, "family_name": form.family_name.data, "email": form.email.data,
            "organisation_name": form.organisation_name.data}, by=by, how="link")
        return {"done": "replacement"}
    details = {key: getattr(form, key).data for key in (
        "given_name", "family_name", "email", "phone", "preferred_language", "organisation_name",
        "organisation_kind", "position")}
    details["languages"] = " ".join(form.languages.data or [])
    services.confirm_appointment(appointment, by=by, how="link", details=details)
    alternate = None
    if form.alternate_email.data:
        alternate = services.propose_alternate(appointment, {
            "given_name": form.alternate_given_name.data, "family_name": form.alternate_family_name.data,
            "email": form.alternate_email.data, "organisation_name": form.alternate_organisation.data or ""},
            by=by, how="link")
    user, account_token = services.account_after_confirmation(appointment)
    return {"done": "confirmed", "alternate": alternate, "account_token": account_token, "user": user}


@bp.post("/appointments/link/<token>/new-link")
@public
def new_link(token: str):
    """An expired, unused link: email a fresh one to the address on record."""
    check = services.check_link(token, allow_expired=True)
    _speak_their_language(check.appointment)
    if check.status != "ok" or not ActionForm().validate_on_submit():
        return _link_page(services.check_link(token), token, 410 if check.status == "ok" else 404)
    services.send_new_link(check.appointment)
    db.session.commit()
    relay_after_commit()
    return render_template("appointments/link_done.html", appointment=check.appointment, done="new_link")
