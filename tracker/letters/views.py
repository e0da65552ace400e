"""Letters: the register, making and issuing letters, previews, downloads, sending, and their wording."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, ActionForm, report_edit_conflict
from tracker.core.i18n import language_name
from tracker.core.permissions import member_state_or_404, secretariat_required, staff_required
from tracker.countries.services import campaign_by_code, current_campaign, list_member_states
from tracker.extensions import db
from tracker.files.views import bytes_response, download_response
from tracker.letters import services
from tracker.letters.forms import LetterForm, LetterTextForm
from tracker.letters.labels import PLACEHOLDER_LABELS
from tracker.letters.models import KINDS, Letter, LetterBatch, LetterText
from tracker.mail.services import relay_after_commit

bp = Blueprint("letters", __name__)


def _campaign():
    campaign = campaign_by_code(request.values.get("campaign"))
    if campaign is None:
        abort(404)
    return campaign


def _language_choices() -> list[tuple[str, str]]:
    return [("", _("Each country's correspondence language"))] + [
        (code, f"{language_name(code)} ({code})") for code in services.letter_languages()]


def _register_query(states: list) -> dict:
    """list_letters' arguments for the register's filters: ?kind= (a letter kind), ?country= (a code), ?q=."""
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    return {"member_state_id": {state.code: state.id for state in states}.get(request.args.get("country", "")),
            "kind": kind, "search": request.args.get("q", "")[:60]}


@bp.get("/letters")
@staff_required
def index():
    """The register of issued letters, newest first, with the batches they came in."""
    states = list_member_states()
    query = _register_query(states)
    letters = services.list_letters(**query)
    batches = db.session.scalars(db.select(LetterBatch).order_by(LetterBatch.id.desc()).limit(10)).all()
    return render_template("letters/index.html", letters=letters, batches=batches, states=states,
                           kind=query["kind"] or "", country=request.args.get("country", ""), q=request.args.get("q", ""))


@bp.route("/letters/new", methods=["GET", "POST"])
@secretariat_required
def new():
    """Choose a letter, its countries and language; preview the list and each PDF; then issue."""
    campaign = _campaign()
    form = LetterForm()
    states = list_member_states()
    form.countries.choices = [(state.code, state.name) for state in states]
    form.language.choices = _language_choices()
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in KINDS else form.kind.data
        if request.args.get("country"):
            form.countries.data = [request.args["country"].upper()]
    chosen, problems = [], []
    if form.validate_on_submit():
        try:
            if form.selection.data == "pick":
                chosen = [state for state in states if state.code in form.countries.data]
            else:
                chosen = services.choose_countries(campaign, form.selection.data)
            for state in chosen:
                try:
                    services.compose(form.kind.data, campaign, state, language=form.language.data or None)
                except services.LetterRefused as refused:
                    problems.append(str(refused.message))
            if request.form.get("action") == "issue" and chosen and not problems:
                letters = services.issue_letters(form.kind.data, campaign, chosen, language=form.language.data or None,
                                                 selection=form.selection.data, by=current_user)
                db.session.commit()
                if len(letters) == 1:
                    flash(_("Letter %(reference)s is issued.", reference=letters[0].reference), "success")
                    return redirect(url_for("letters.show", letter_id=letters[0].id))
                flash(ngettext("%(num)d letter is issued.", "%(num)d letters are issued.", len(letters)), "success")
                return redirect(url_for("letters.batch", batch_id=letters[0].batch_id))
            if not chosen:
                problems.append(_("No country matches that choice."))
        except services.LetterRefused as refused:
            db.session.rollback()
            problems.append(str(refused.message))
    status = 422 if problems or form.errors else 200
    return render_template("letters/new.html", form=form, campaign=campaign, chosen=chosen, problems=problems,
                           checked=request.method == "POST" and not form.errors), status


@bp.get("/letters/preview")
@staff_required
def preview():
    """A draft of one country's letter as a PDF in the browser, marked "draft" and numbered with nothing."""
    campaign = _campaign()
    kind = request.args.get("kind", "")
    state = member_state_or_404(request.args.get("country", ""))
    language = request.args.get("language") or None
    if kind not in KINDS or (language and language not in services.letter_languages()):
        abort(404)
    try:
        pdf = services.preview_pdf(kind, campaign, state, language=language)
    except services.LetterRefused as refused:
        return render_template("letters/refused.html", message=str(refused.message)), 422
    return bytes_response(pdf, mimetype="application/pdf", filename=f"draft_{state.code}_{kind}.pdf", inline=True)


@bp.get("/letters/<int:letter_id>")
@staff_required
def show(letter_id: int):
    """One issued letter: reference, fingerprint, who issued it, and sending it."""
    letter = db.get_or_404(Letter, letter_id)
    to, cc = services.letter_recipients(letter)
    history = services.letter_history(letter)
    return render_template("letters/show.html", letter=letter, to=to, cc=cc, history=history, form=ActionForm())


@bp.get("/letters/<int:letter_id>/pdf")
@staff_required
def download(letter_id: int):
    """The issued PDF, exactly as stored."""
    letter = db.get_or_404(Letter, letter_id)
    return download_response(letter.file)


@bp.post("/letters/<int:letter_id>/send")
@secretariat_required
def send(letter_id: int):
    """Email the letter to the Permanent Representation, the contact points in copy, PDF attached."""
    letter = db.get_or_404(Letter, letter_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        message = services.send_letter(letter, by=current_user)
    except services.LetterRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("letters.show", letter_id=letter.id))
    db.session.commit()
    relay_after_commit(message.id)
    flash(_("Letter %(reference)s is on its way to %(to)s.", reference=letter.reference, to=message.recipients),
          "success")
    return redirect(url_for("letters.show", letter_id=letter.id))


@bp.get("/letters/batches/<int:batch_id>")
@staff_required
def batch(batch_id: int):
    """The letters issued together."""
    found = db.get_or_404(LetterBatch, batch_id)
    return render_template("letters/batch.html", batch=found, form=ActionForm())


@bp.get("/letters/batches/<int:batch_id>/zip")
@staff_required
def batch_zip(batch_id: int):
    """Every PDF of the batch and a register.csv, in one ZIP."""
    found = db.get_or_404(LetterBatch, batch_id)
    return bytes_response(services.batch_zip(found), mimetype="application/zip", filename=f"letters_batch_{found.id}.zip")


@bp.post("/letters/batches/<int:batch_id>/send")
@secretariat_required
def send_batch(batch_id: int):
    """Email every letter of the batch not yet sent."""
    found = db.get_or_404(LetterBatch, batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    sent, refused = [], []
    for letter in found.letters:
        if letter.sent_at is not None:
            continue
        try:
            sent.append(services.send_letter(letter, by=current_user).id)
        except services.LetterRefused as problem:
            refused.append(str(problem.message))
    db.session.commit()
    relay_after_commit(*sent)
    flash(ngettext("%(num)d letter is on its way.", "%(num)d letters are on their way.", len(sent)), "success")
    for problem in refused:
        flash(problem, "error")
    return redirect(url_for("letters.batch", batch_id=found.id))


@bp.get("/letters/texts")
@staff_required
def texts():
    """Each letter in each language: the secretariat's wording or the built-in one."""
    saved = {(text.kind, text.language): text for text in db.session.scalars(db.select(LetterText))}
    return render_template("letters/texts.html", saved=saved, languages=services.letter_languages(), kinds=KINDS)


@bp.route("/letters/texts/<kind>/<language>", methods=["GET", "POST"])
@secretariat_required
def edit_text(kind: str, language: str):
    """Edit one letter's wording in one language; a preview shows it for a chosen country."""
    if kind not in KINDS or language not in services.letter_languages():
        abort(404)
    text = services.letter_text(kind, language)
    form = LetterTextForm(obj=text)
    form.kind = kind
    if request.method == "GET":
        form.version.data = text.version
    if form.validate_on_submit():
        try:
            services.save_letter_text(kind, language, form.data, loaded_version=form.version.data, by=current_user)
            db.session.commit()
        except EDIT_CONFLICTS:
            report_edit_conflict(form, text)
            return _text_page(form, kind, language, text), 409
        flash(_("The wording is saved: letters issued from now on use it."), "success")
        return redirect(url_for("letters.edit_text", kind=kind, language=language))
    return _text_page(form, kind, language, text), 422 if form.errors else 200


def _text_page(form: LetterTextForm, kind: str, language: str, text: LetterText) -> str:
    return render_template("letters/text_form.html", form=form, kind=kind, language=language, text=text,
                           placeholders=[(name, PLACEHOLDER_LABELS[name]) for name in services.PLACEHOLDERS[kind]],
                           states=list_member_states(), campaign=current_campaign(), reset_form=ActionForm())


@bp.post("/letters/texts/<kind>/<language>/reset")
@secretariat_required
def reset_text(kind: str, language: str):
    """Go back to the built-in wording."""
    if kind not in KINDS or language not in services.letter_languages():
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.reset_letter_text(kind, language, by=current_user)
    db.session.commit()
    flash(_("The built-in wording is back."), "success")
    return redirect(url_for("letters.edit_text", kind=kind, language=language))


LETTER_COLUMNS = (
    exports.Column("reference", lambda letter: letter.reference), exports.Column("kind", lambda letter: letter.kind),
    exports.Column("country", lambda letter: letter.member_state.code), exports.Column("language", lambda letter: letter.language),
    exports.Column("subject", lambda letter: letter.subject), exports.Column("issued_at", lambda letter: letter.issued_at),
    exports.Column("issued_by", lambda letter: letter.issued_by_label), exports.Column("pages", lambda letter: letter.pages),
    exports.Column("sha256", lambda letter: letter.sha256), exports.Column("sent_at", lambda letter: letter.sent_at),
)


@bp.get("/letters/export.<fmt>")
@staff_required
def export(fmt: str):
    """The register of letters, with the page's filters, as CSV or XLSX (names the staff who issued them: audited)."""
    letters = services.list_letters(**_register_query(list_member_states()), limit=100_000)
    return exports.download(fmt, "letters", LETTER_COLUMNS, letters, personal=True, by=current_user,
                            entity_type="letters")
