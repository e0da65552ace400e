"""Event pages: planning, invitations, registration, attendance imports, calendars and feeds."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from tracker.contacts.models import Person
from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, ActionForm, report_edit_conflict
from tracker.core.i18n import language_name, mail_language
from tracker.core.models import begin_writing
from tracker.core.permissions import public, require_secretariat, require_staff, visible_or_404
from tracker.core.time import utcnow
from tracker.countries.reference import EU_LANGUAGES, time_zone
from tracker.countries.services import campaign_by_code, current_campaign, list_campaigns, list_member_states
from tracker.events import services
from tracker.events.calendars import event_calendar, feed_calendar
from tracker.events.forms import EventForm, FeedForm, ImportForm, PersonChoiceForm, TranslationForm, decisions_from
from tracker.events.labels import REFUSALS
from tracker.events.models import Attendance, AttendanceImport, CalendarFeed, Event, Registration
from tracker.extensions import db

bp = Blueprint("events", __name__)


def _event_or_404(event_id: int) -> Event:
    """The event, or 404 when unknown or not open to the contact point's country."""
    event = db.get_or_404(Event, event_id)
    if not current_user.is_staff and not event.is_for(current_user.member_state_id):
        abort(404)
    return event


def _refused(refused: services.EventRefused) -> str:
    return str(REFUSALS.get(refused.reason, _("This change is not possible.")))


def _language() -> str:
    return str(get_locale() or "en")


def _viewer_zone() -> str:
    """The zone to show times in beside Brussels: the contact point's country's."""
    state = current_user.member_state if current_user.is_contact_point else None
    return time_zone(state.code if state else None)


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


# -- the list and one event ---------------------------------------------------------------------


@bp.get("/events")
def index():
    """The campaign's events, upcoming first, with the contact point's own registrations."""
    campaign = campaign_by_code(request.args.get("campaign")) or current_campaign()
    events = services.events_of(campaign, member_state_id=current_user.member_state_id, staff=current_user.is_staff)
    now = utcnow()
    mine = {}
    if current_user.person is not None and events:
        mine = {r.event_id: r for r in db.session.scalars(sa.select(Registration).where(
            Registration.person_id == current_user.person_id, Registration.event_id.in_([e.id for e in events])))}
    return render_template(
        "events/index.html", campaign=campaign, campaigns=list_campaigns(), now=now, mine=mine,
        upcoming=[e for e in events if e.ends_at >= now], past=[e for e in reversed(events) if e.ends_at < now],
        language=_language(), zone=_viewer_zone())


@bp.get("/events/<int:event_id>")
def show(event_id: int):
    """An event: when and where, registration, invitations, attendance per country and imports."""
    event = _event_or_404(event_id)
    every_registration = services.registrations_of(event)
    every_attendance = services.attendance_of(event)
    registrations, attendance = every_registration, every_attendance
    if not current_user.is_staff:
        registrations = [r for r in registrations if r.member_state_id == current_user.member_state_id]
        attendance = [a for a in attendance if a.member_state_id == current_user.member_state_id]
    # Two forms pick a person on this page: their prefixes keep the fields' ids apart.
    register_form, attended_form = PersonChoiceForm(prefix="register"), PersonChoiceForm(prefix="attended")
    if current_user.is_secretariat:
        register_form.person_id.choices = attended_form.person_id.choices = _people_choices(event)
    imports = list(db.session.scalars(sa.select(AttendanceImport).where(AttendanceImport.event_id == event.id)
                                      .order_by(AttendanceImport.id.desc()))) if current_user.is_staff else []
    translation_form = TranslationForm()
    translation_form.language.choices = [(code, language_name(code)) for code in EU_LANGUAGES if code != "en"]
    return render_template(
        "events/show.html", event=event, registrations=registrations, attendance=attendance,
        mine=services.registration_of(event, current_user.person), action_form=ActionForm(),
        register_form=register_form, attended_form=attended_form, translation_form=translation_form,
        import_form=ImportForm(), imports=imports,
        invited=services.invitation_count(event) if current_user.is_staff else 0,
        places_taken=sum(1 for r in every_registration if r.state == "registered"),
        represented=len({a.member_state_id for a in every_attendance if a.member_state_id}),
        language=_language(), zone=_viewer_zone(), now=utcnow())


def _people_choices(event: Event) -> list[tuple[int, str]]:
    """Everyone who could attend: people of the countries in the audience, by country and name."""
    query = sa.select(Person).where(Person.member_state_id.is_not(None), Person.erased_at.is_(None))
    if event.audience == "countries":
        query = query.where(Person.member_state_id.in_([s.id for s in event.member_states]))
    people = db.session.scalars(query.order_by(Person.member_state_id, Person.family_name, Person.given_name))
    return [(0, "—")] + [(p.id, f"{p.member_state.code} · {p.full_name}") for p in people]


@bp.get("/events/<int:event_id>.ics")
def ics(event_id: int):
    """The event as an .ics file for the reader's calendar, in their language."""
    event = _event_or_404(event_id)
    url = url_for("events.show", event_id=event.id, _external=True)
    return _ics(event_calendar(event, language=_language(), url=url), f"event-{event.id}.ics")


# -- planning (secretariat) ---------------------------------------------------------------------


def _fill(form: EventForm) -> None:
    form.member_states.choices = [(s.id, f"{s.code} · {s.name}") for s in list_member_states()]


def _values(form: EventForm) -> dict:
    zone = ZoneInfo(form.time_zone.data)
    values = {name: getattr(form, name).data for name in services.EVENT_FIELDS if hasattr(form, name)}
    values["starts_at"] = form.starts.data.replace(tzinfo=zone)
    values["ends_at"] = form.ends.data.replace(tzinfo=zone)
    values["description"] = values.get("description") or ""
    values["online_url"] = values.get("online_url") or ""
    values["venue"] = values.get("venue") or ""
    return values


def _chosen_states(form: EventForm) -> list:
    return [s for s in list_member_states() if s.id in (form.member_states.data or [])]


@bp.route("/events/new", methods=["GET", "POST"])
def new():
    """Plan an event of the current campaign."""
    require_secretariat()
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    form = EventForm()
    _fill(form)
    if form.validate_on_submit():
        try:
            event = services.create_event(campaign, _values(form), member_states=_chosen_states(form), by=current_user)
            db.session.commit()
        except services.EventRefused as refused:
            db.session.rollback()
            form.form_errors.append(_refused(refused))
        else:
            flash(_("The event is planned. Add translations, then send the invitations."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 200 if request.method == "GET" or \
        not form.errors else 422


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    """Change an event; a new time or place sends calendars an update."""
    require_secretariat()
    event = db.get_or_404(Event, event_id)
    form = EventForm(obj=event)
    _fill(form)
    if request.method == "GET":
        form.starts.data = event.starts_at.astimezone(event.zone).replace(tzinfo=None)
        form.ends.data = event.ends_at.astimezone(event.zone).replace(tzinfo=None)
        form.member_states.data = [s.id for s in event.member_states]
        form.version.data = event.version
    if form.validate_on_submit():
        try:
            services.update_event(event, _values(form), member_states=_chosen_states(form), by=current_user,
                                  loaded_version=form.version.data)
            db.session.commit()
        except services.EventRefused as refused:
            db.session.rollback()
            form.form_errors.append(_refused(refused))
        except EDIT_CONFLICTS:
            report_edit_conflict(form, event)
        else:
            flash(_("The event is saved."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event), 200 if request.method == "GET" or \
        not (form.errors or form.form_errors) else 422


@bp.post("/events/<int:event_id>/cancel")
def cancel(event_id: int):
    """Call the event off and tell those registered."""
    require_secretariat()
    event = db.get_or_404(Event, event_id)
    if ActionForm().validate_on_submit():
        told = services.cancel_event(event, by=current_user)
        db.session.commit()
        flash(ngettext("The event is cancelled; %(num)d person registered or waiting was told.",
                       "The event is cancelled; %(num)d people registered or waiting were told.", len(told)), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/events/<int:event_id>/translations")
def translate(event_id: int):
    """Add, change or remove the title and description in one language."""
    require_secretariat()
    event = db.get_or_404(Event, event_id)
    form = TranslationForm()
    form.language.choices = [(code, language_name(code)) for code in EU_LANGUAGES if code != "en"]
    if form.validate_on_submit():
        services.set_translation(event, form.language.data, title=form.title.data or "",
                                 description=form.description.data or "", by=current_user)
        db.session.commit()
        flash(_("The translation into %(language)s is saved.", language=language_name(form.language.data)), "success")
    else:
        flash(_("Choose a language."), "error")
    return redirect(url_for("events.show", event_id=event.id) + "#translations")


@bp.post("/events/<int:event_id>/invitations")
def invite(event_id: int):
    """Email the invitation (with an .ics) to everyone in the audience not yet invited to this version."""
    require_secretariat()
    event = db.get_or_404(Event, event_id)
    if ActionForm().validate_on_submit():
        try:
            sent = services.send_invitations(event, by=current_user, base_url=current_app.config["BASE_URL"])
            db.session.commit()
        except services.EventRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        else:
            from tracker.mail.services import relay_after_commit

            relay_after_commit()
            flash(ngettext("%(num)d invitation is on its way.", "%(num)d invitations are on their way.", sent) if sent else
                  _("Everyone in the audience already has the invitation to this version of the event."),
                  "success" if sent else "info")
    return redirect(url_for("events.show", event_id=event.id))


# -- registration -------------------------------------------------------------------------------


@bp.post("/events/<int:event_id>/register")
def register(event_id: int):
    """A contact point takes a place (or joins the waiting list); the secretariat may register someone."""
    event = _event_or_404(event_id)
    if current_user.is_secretariat:
        form = PersonChoiceForm(prefix="register")
        form.person_id.choices = _people_choices(event)
        person = db.session.get(Person, form.person_id.data) if form.validate_on_submit() else None
    elif current_user.is_contact_point and ActionForm().validate_on_submit():
        person = current_user.person
        if person is None:
            flash(str(REFUSALS["no_person"]), "error")
            return redirect(url_for("events.show", event_id=event.id))
    else:
        abort(403)
    if person is None:
        flash(_("Choose a person."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    try:
        registration = services.register(event, person, by=current_user)
        db.session.commit()
    except services.EventRefused as refused:
        db.session.rollback()
        flash(_refused(refused), "error")
    else:
        flash(_("%(name)s is registered.", name=person.full_name) if registration.state == "registered" else
              _("The event is full: %(name)s is on the waiting list.", name=person.full_name), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/registrations/<int:registration_id>/cancel")
def cancel_registration(registration_id: int):
    """Give up a place: one's own, one's country's (contact points) or anyone's (secretariat)."""
    registration = visible_or_404(Registration, registration_id)
    _event_or_404(registration.event_id)
    if not (current_user.is_secretariat or current_user.is_contact_point):
        abort(403)
    if ActionForm().validate_on_submit():
        try:
            promoted = services.cancel_registration(registration, by=current_user)
            db.session.commit()
        except services.EventRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        else:
            flash(_("The registration is cancelled.") + (" " + _(
                "%(name)s moves up from the waiting list.", name=promoted.person.full_name)
                if promoted and current_user.is_staff else ""), "success")
    return redirect(url_for("events.show", event_id=registration.event_id))


# -- attendance ---------------------------------------------------------------------------------


@bp.post("/events/<int:event_id>/attendance/import")
def import_attendance(event_id: int):
    """Read a meeting tool's report into a draft for review; nothing is saved as attendance yet."""
    require_secretariat()
    event = db.get_or_404(Event, event_id)
    form = ImportForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.report.errors) or _("Choose the file to import."), "error")
        return redirect(url_for("events.show", event_id=event.id) + "#attendance")
    upload = form.report.data
    try:
        started = services.start_import(event, upload.filename or "", upload.read(), by=current_user,
                                        max_bytes=current_app.config["ATTENDANCE_MAX_BYTES"])
        db.session.commit()
    except services.ImportRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("events.show", event_id=event.id) + "#attendance")
    if started.unchanged:
        flash(_("This file was already imported; nothing changed."), "info")
        return redirect(url_for("events.show", event_id=event.id) + "#attendance")
    return redirect(url_for("events.review_import", import_id=started.draft.id))


@bp.route("/attendance-imports/<int:import_id>", methods=["GET", "POST"])
def review_import(import_id: int):
    """Matched, probable and unmatched rows: staff confirm, link or add people, then apply (or discard)."""
    require_staff()
    draft = db.get_or_404(AttendanceImport, import_id)
    if request.method == "POST":
        require_secretariat()
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            if request.form.get("action") == "discard":
                services.discard_import(draft, by=current_user)
                db.session.commit()
                flash(_("The import is discarded; nothing was saved."), "success")
                return redirect(url_for("events.show", event_id=draft.event_id) + "#attendance")
            version = request.form.get("version", "")
            result = services.apply_import(draft, decisions_from(request.form, len(draft.rows)), by=current_user,
                                           loaded_version=int(version) if version.isdigit() else None)
            db.session.commit()
        except services.EventRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        except EDIT_CONFLICTS:
            db.session.rollback()
            flash(_("Someone else applied or discarded this import meanwhile."), "error")
        else:
            flash(_("Attendance saved. People: %(people)s; countries: %(countries)s.", people=result.attended,
                    countries=result.countries), "success")
            return redirect(url_for("events.show", event_id=draft.event_id) + "#attendance")
    people_ids = {row["person_id"] for row in draft.rows} | {c[0] for row in draft.rows for c in row["candidates"]}
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(people_ids - {None})))}
    return render_template("events/review_import.html", draft=draft, event=draft.event, people=people,
                           states=list_member_states(), action_form=ActionForm())


@bp.post("/events/<int:event_id>/attendance")
def record_attendance(event_id: int):
    """Note by hand that someone attended."""
    require_secretariat()
    event = db.get_or_404(Event, event_id)
    form = PersonChoiceForm(prefix="attended")
    form.person_id.choices = _people_choices(event)
    if form.validate_on_submit() and form.person_id.data:
        person = db.get_or_404(Person, form.person_id.data)
        services.record_attendance(event, person, by=current_user, minutes=form.minutes.data or 0)
        db.session.commit()
        flash(_("%(name)s attended.", name=person.full_name), "success")
    else:
        flash(_("Choose a person."), "error")
    return redirect(url_for("events.show", event_id=event.id) + "#attendance")


@bp.post("/attendances/<int:attendance_id>/remove")
def remove_attendance(attendance_id: int):
    """Take back an attendance recorded by mistake."""
    attendance = visible_or_404(Attendance, attendance_id)
    require_secretariat()
    if ActionForm().validate_on_submit():
        services.remove_attendance(attendance, by=current_user)
        db.session.commit()
        flash(_("The attendance is removed."), "success")
    return redirect(url_for("events.show", event_id=attendance.event_id) + "#attendance")


@bp.get("/events/attendance")
def campaign_attendance():
    """Which countries were represented at each event of the campaign, and which at none."""
    require_staff()
    campaign = campaign_by_code(request.args.get("campaign")) or current_campaign()
    return render_template("events/attendance.html", campaign=campaign, campaigns=list_campaigns(),
                           table=services.campaign_attendance(campaign), language=_language())


# -- calendar feeds -----------------------------------------------------------------------------


def _feed_form() -> FeedForm:
    form = FeedForm()
    if current_user.is_staff:
        form.member_state.choices = [("", _("All events and deadlines"))] + [
            (s.code, s.name) for s in list_member_states()]
    else:
        form.member_state.choices = [(current_user.member_state.code, current_user.member_state.name)]
    form.language.choices = [(code, language_name(code)) for code in EU_LANGUAGES]
    if not form.language.data:
        form.language.data = mail_language(_language())
    return form


@bp.route("/calendar/feeds", methods=["GET", "POST"])
def feeds():
    """The user's calendar feed addresses: create one (shown once), revoke one."""
    form = _feed_form()
    if form.validate_on_submit():
        code = form.member_state.data or None
        state = next((s for s in list_member_states() if s.code == code), None) if code else None
        try:
            feed, token = services.create_feed(current_user, member_state=state, language=form.language.data,
                                               by=current_user)
            db.session.commit()
        except services.EventRefused:
            db.session.rollback()
            abort(404)
        return render_template("events/feeds.html", form=_feed_form(), feeds=services.feeds_of(current_user),
                               created=feed, url=services.calendar_url(token), action_form=ActionForm())
    return render_template("events/feeds.html", form=form, feeds=services.feeds_of(current_user), created=None,
                           url=None, action_form=ActionForm())


@bp.post("/calendar/feeds/<int:feed_id>/revoke")
def revoke_feed(feed_id: int):
    """Stop one of one's feed addresses from working."""
    feed = db.get_or_404(CalendarFeed, feed_id)
    if feed.user_id != current_user.id and not current_user.is_secretariat:
        abort(404)
    if ActionForm().validate_on_submit():
        services.revoke_feed(feed, by=current_user)
        db.session.commit()
        flash(_("The feed address no longer works. Calendars that used it stop updating."), "success")
    return redirect(url_for("events.feeds"))


@bp.get("/calendar/<token>.ics")
@public
def feed(token: str):
    """A calendar feed: events and deadlines, for calendar clients (the token is the key)."""
    begin_writing()  # the feed notes when it was last used
    found = services.feed_by_token(token)
    if found is None:
        abort(404)
    contents = services.feed_contents(found)
    body = feed_calendar(contents.name, contents.events, contents.deadlines, language=found.language,
                         base_url=current_app.config["BASE_URL"], member_state_code=contents.member_state_code)
    db.session.commit()
    return _ics(body, "twin-it.ics")


# -- exports -------------------------------------------------------------------------------------

EVENT_COLUMNS = (
    exports.Column("id", lambda e: e.id), exports.Column("kind", lambda e: e.kind),
    exports.Column("title", lambda e: e.title), exports.Column("starts_at", lambda e: e.starts_at),
    exports.Column("ends_at", lambda e: e.ends_at), exports.Column("time_zone", lambda e: e.time_zone),
    exports.Column("audience", lambda e: e.audience),
    exports.Column("countries", lambda e: sorted(s.code for s in e.member_states)),
    exports.Column("capacity", lambda e: e.capacity), exports.Column("online_url", lambda e: e.online_url),
    exports.Column("venue", lambda e: e.venue), exports.Column("cancelled_at", lambda e: e.cancelled_at),
)


@bp.get("/events/export.<fmt>")
def export(fmt: str):
    """The campaign's events the user may see, as CSV or XLSX."""
    campaign = campaign_by_code(request.args.get("campaign")) or current_campaign()
    events = services.events_of(campaign, member_state_id=current_user.member_state_id, staff=current_user.is_staff)
    return exports.download(fmt, "events", EVENT_COLUMNS, events, personal=False, by=current_user,
                            entity_type="events")


def _participant_rows(event: Event) -> list[dict]:
    registrations = services.registrations_of(event)
    attendance = {a.person_id: a for a in services.attendance_of(event)}
    if not current_user.is_staff:
        registrations = [r for r in registrations if r.member_state_id == current_user.member_state_id]
        attendance = {k: a for k, a in attendance.items() if a.member_state_id == current_user.member_state_id}
    rows, seen = [], set()
    for registration in registrations:
        seen.add(registration.person_id)
        rows.append({"person": registration.person, "registration": registration,
                     "attendance": attendance.get(registration.person_id)})
    rows += [{"person": a.person, "registration": None, "attendance": a}
             for person_id, a in attendance.items() if person_id not in seen]
    return rows


PARTICIPANT_COLUMNS = (
    exports.Column("country", lambda r: r["person"].member_state.code if r["person"].member_state_id else ""),
    exports.Column("given_name", lambda r: r["person"].given_name),
    exports.Column("family_name", lambda r: r["person"].family_name),
    exports.Column("email", lambda r: r["person"].email),
    exports.Column("registration", lambda r: r["registration"].state if r["registration"] else ""),
    exports.Column("registered_at", lambda r: r["registration"].requested_at if r["registration"] else None),
    exports.Column("attended", lambda r: r["attendance"] is not None),
    exports.Column("minutes", lambda r: r["attendance"].minutes if r["attendance"] else None),
    exports.Column("joins", lambda r: r["attendance"].joins if r["attendance"] else None),
    exports.Column("source", lambda r: r["attendance"].source if r["attendance"] else ""),
)


@bp.get("/events/<int:event_id>/participants.<fmt>")
def export_participants(event_id: int, fmt: str):
    """Who registered for and who attended the event (a contact point: their country's) as CSV or XLSX (audited)."""
    event = _event_or_404(event_id)
    return exports.download(fmt, f"event-{event.id}-participants", PARTICIPANT_COLUMNS, _participant_rows(event),
                            personal=True, by=current_user, entity_type="events", entity_id=event.id,
                            member_state_id=None if current_user.is_staff else current_user.member_state_id)


@bp.get("/events/attendance/export.<fmt>")
def export_campaign_attendance(fmt: str):
    """People who attended per country and event, as CSV or XLSX (counts only)."""
    require_staff()
    campaign = campaign_by_code(request.args.get("campaign")) or current_campaign()
    table = services.campaign_attendance(campaign)
    columns = [exports.Column("country", lambda s: s.code)] + [
        exports.Column(f"{e.id}: {e.title}", lambda s, e=e: table.counts.get((e.id, s.id), 0)) for e in table.events
    ] + [exports.Column("events_attended", lambda s: table.attended_by(s))]
    return exports.download(fmt, "attendance", columns, table.states, personal=False, by=current_user,
                            entity_type="event_attendances")
