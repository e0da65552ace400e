"""The digest archive: browse, open, download, build one now, send it."""

from __future__ import annotations

from babel.dates import get_day_names
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core import exports
from tracker.core.forms import ActionForm
from tracker.core.i18n import formatting_locale
from tracker.core.permissions import secretariat_required, staff_required
from tracker.countries.services import campaign_by_code, list_campaigns
from tracker.digests import services
from tracker.digests.forms import BuildForm
from tracker.digests.models import Digest
from tracker.extensions import db
from tracker.files.views import download_response
from tracker.mail.services import relay_after_commit

bp = Blueprint("digests", __name__)

#: The archived email is our own HTML with inline styles and no script: it may use those styles, nothing else.
EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; " \
            "frame-ancestors 'none'"


@bp.get("/digests")
@staff_required
def index():
    """Every digest of a campaign, newest first; the secretariat can build one now."""
    campaign = campaign_by_code(request.args.get("campaign"))
    if campaign is None:
        abort(404)
    form = BuildForm(campaign=campaign.code)
    form.campaign.choices = [(c.code, c.name) for c in list_campaigns()]
    return render_template("digests/index.html", digests=services.list_digests(campaign), campaign=campaign,
                           campaigns=list_campaigns(), form=form, recipients=services.recipients(),
                           weekday=_weekday(current_app.config["DIGEST_DAY"]))


def _weekday(day: str) -> str:
    """"mon" as "Monday" in the interface language (a cron range such as "mon-fri" stays as written)."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    if day not in days:
        return day
    return get_day_names("wide", locale=formatting_locale())[days.index(day)]


@bp.post("/digests/build")
@secretariat_required
def build():
    """Build a digest of the campaign now, archive it, and email it if asked."""
    form = BuildForm()
    form.campaign.choices = [(c.code, c.name) for c in list_campaigns()]
    if not form.validate_on_submit():
        abort(400)
    campaign = campaign_by_code(form.campaign.data)
    if campaign is None:
        abort(404)
    digest = services.build_digest(campaign, by=current_user)
    message = services.send_digest(digest, by=current_user) if form.send.data else None
    db.session.commit()
    if message is not None:
        relay_after_commit(message.id)
        flash(_("The digest is built and on its way to %(to)s.", to=digest.recipients), "success")
    else:
        flash(_("The digest is built and archived."), "success")
    return redirect(url_for("digests.show", digest_id=digest.id))


@bp.get("/digests/<int:digest_id>")
@staff_required
def show(digest_id: int):
    """One archived digest: its headline figures, its PDF and the email as sent."""
    digest = db.get_or_404(Digest, digest_id)
    return render_template("digests/show.html", digest=digest, form=ActionForm(), recipients=services.recipients())


@bp.get("/digests/<int:digest_id>/pdf")
@staff_required
def download(digest_id: int):
    """The digest's PDF as it was built."""
    return download_response(db.get_or_404(Digest, digest_id).file)


@bp.get("/digests/<int:digest_id>/email")
@staff_required
def email(digest_id: int):
    """The HTML email as it was sent."""
    digest = db.get_or_404(Digest, digest_id)
    response = Response(digest.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/digests/<int:digest_id>/send")
@secretariat_required
def send(digest_id: int):
    """Email an archived digest to the configured recipients (once)."""
    digest = db.get_or_404(Digest, digest_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if digest.sent_at is not None:
        flash(_("This digest was already sent on %(moment)s.", moment=digest.sent_at.isoformat(timespec="minutes")),
              "info")
        return redirect(url_for("digests.show", digest_id=digest.id))
    message = services.send_digest(digest, by=current_user)
    if message is None:
        flash(_("No recipient is configured (TRACKER_DIGEST_RECIPIENTS)."), "error")
        return redirect(url_for("digests.show", digest_id=digest.id))
    db.session.commit()
    relay_after_commit(message.id)
    flash(_("The digest is on its way to %(to)s.", to=digest.recipients), "success")
    return redirect(url_for("digests.show", digest_id=digest.id))


DIGEST_COLUMNS = (
    exports.Column("id", lambda d: d.id), exports.Column("kind", lambda d: d.kind),
    exports.Column("period", lambda d: d.period or ""), exports.Column("built_at", lambda d: d.built_at),
    exports.Column("built_by", lambda d: d.built_by_label), exports.Column("sha256", lambda d: d.sha256),
    exports.Column("recipients", lambda d: d.recipients), exports.Column("sent_at", lambda d: d.sent_at),
)


@bp.get("/digests/export.<fmt>")
@staff_required
def export(fmt: str):
    """The campaign's digests as CSV or XLSX (names staff and recipients: audited)."""
    campaign = campaign_by_code(request.args.get("campaign"))
    if campaign is None:
        abort(404)
    return exports.download(fmt, f"digests-{campaign.code}", DIGEST_COLUMNS, services.list_digests(campaign),
                            personal=True, by=current_user, entity_type="digests")
