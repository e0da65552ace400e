"""A person's data on request: the JSON export and the erasure (secretariat only, both audited)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.contacts.models import Person
from tracker.core.forms import EDIT_CONFLICTS
from tracker.core.models import begin_writing
from tracker.core.permissions import require_secretariat, visible_or_404
from tracker.extensions import db
from tracker.privacy import services
from tracker.privacy.forms import EraseForm

bp = Blueprint("privacy", __name__)


def _person_or_404(person_id: int) -> Person:
    person = visible_or_404(Person, person_id)
    require_secretariat()
    return person


@bp.get("/people/<int:person_id>/export.json")
def export_person(person_id: int):
    """Everything the tracker holds about the person, as a JSON file."""
    person = _person_or_404(person_id)
    begin_writing()  # the export is audited
    data = services.export_person(person, by=current_user)
    db.session.commit()
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="person-{person.id}.json"', "Cache-Control": "private, no-store"})


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
def erase_person(person_id: int):
    """Ask for confirmation, then erase the person's personal data."""
    person = _person_or_404(person_id)
    form = EraseForm()
    if person.erased_at is None and form.validate_on_submit():
        if (form.confirm_email.data or "").strip().lower() != person.email:
            form.confirm_email.errors = [_("Type the person's email exactly as shown to confirm.")]
        else:
            try:
                services.erase_person(person, by=current_user)
                db.session.commit()
            except EDIT_CONFLICTS:
                db.session.rollback()
                form.form_errors.append(_("Someone else changed this person at the same time. Nothing was erased; try again."))
            else:
                flash(_("The personal data is erased. The statistics are kept."), "success")
                return redirect(url_for("contacts.person", person_id=person.id))
        return render_template("privacy/erase.html", form=form, person=person), 422
    status = 422 if request.method == "POST" and person.erased_at is None else 200
    return render_template("privacy/erase.html", form=form, person=person), status
