"""The status digest: figures, PDF read back, what changed since the previous one, weekly once, email over SMTP."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import time_machine
from pypdf import PdfReader

from tests.conftest import user_by_email
from tracker.core.scheduler import build_scheduler
from tracker.countries.models import MemberState
from tracker.countries.services import current_campaign
from tracker.digests import services
from tracker.digests.models import Digest
from tracker.extensions import db
from tracker.mail.models import OutboxMessage
from tracker.mail.services import relay_outbox
from tracker.participation.services import change_status, participation_of

BRUSSELS = ZoneInfo("Europe/Brussels")


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def test_a_digest_holds_the_figures_the_27_countries_events_tickets_and_charts(app):
    campaign = current_campaign()
    digest = services.build_digest(campaign, by="test")
    text = _text(digest.file.data)
    headline = digest.figures["headline"]
    data = services.collect(campaign)
    assert headline == data.headline
    assert headline["participating"] == 27  # Malta is paused, which still counts as taking part
    assert f"{headline['submitted']} of {headline['participating']} countries: asset submitted" in text
    for name in ("Estonia", "Greece", "Bulgaria", "Ireland", "Sweden", "Cyprus"):
        assert name in text
    assert "Countries per status" in text and "Countries represented per event" in text  # the pygal charts
    assert "Introductory meeting" in text and "Texture resolution for the final model" in text  # events, SLA breach
    assert digest.sha256 == hashlib.sha256(digest.file.data).hexdigest()
    assert len(PdfReader(io.BytesIO(digest.file.data)).pages) >= 2
    assert "<svg" not in digest.html and "Estonia" in digest.html  # the email: tables, no SVG


def test_the_next_digest_says_what_changed_since_the_previous_one(app):
    campaign = current_campaign()
    first = services.build_digest(campaign, by="test")
    hungary = participation_of(campaign, _state("HU"))
    change_status(hungary, "contact_points_confirmed", by=user_by_email("secretariat@demo.test"))
    second = services.build_digest(campaign, by="test")
    assert second.previous_id == first.id
    assert second.figures["headline"]["confirmed"] == first.figures["headline"]["confirmed"] + 1
    text = _text(second.file.data)
    assert "Hungary Invited Contact points confirmed" in text
    assert "+1 since the previous digest" in text
    assert "Hungary: Invited → <strong>Contact points confirmed</strong>" in second.html


def test_the_weekly_digest_is_built_and_sent_once_a_week(app):
    app.config["DIGEST_RECIPIENTS"] = "director.g@demo.test, unit.g2@demo.test"
    try:
        monday = datetime(2026, 11, 23, 7, 0, tzinfo=BRUSSELS)
        first = services.weekly_digests(now=monday)
        again = services.weekly_digests(now=monday + timedelta(hours=3))
        assert [d.id for d in first] == [d.id for d in again] and first[0].period == "2026-W48"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.idempotency_key == f"digest-{first[0].id}")) == 1
        assert first[0].recipients == "director.g@demo.test, unit.g2@demo.test"
        following = services.weekly_digests(now=monday + timedelta(days=7))
        assert following[0].id != first[0].id and following[0].previous_id == first[0].id
    finally:
        app.config["DIGEST_RECIPIENTS"] = ""


def test_the_digest_email_arrives_as_html_with_the_pdf(app, smtp_server):
    digest = services.build_digest(current_campaign(), by="test")
    message = services.send_digest(digest, by="test", to=["director.g@demo.test"])
    db.session.flush()
    relay_outbox(ids=[message.id])
    received = smtp_server.messages[-1]
    assert "status digest" in received["Subject"]
    html = received.get_body(("html",)).get_content()
    assert "The 27 countries" in html and "Estonia" in html
    assert "Contact points confirmed" in received.get_body(("plain",)).get_content()
    attachment = next(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == digest.sha256


def test_the_commands_build_and_send(app, runner, tmp_path):
    out = tmp_path / "digest.pdf"
    result = runner.invoke(args=["digest", "build", "--campaign", "twinit-2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-") and hashlib.sha256(out.read_bytes()).hexdigest() in result.output
    nobody = runner.invoke(args=["digest", "send", "--campaign", "twinit-2"])
    assert nobody.exit_code != 0 and "No recipient" in nobody.output
    sent = runner.invoke(args=["digest", "send", "--campaign", "twinit-2", "--to", "director.g@demo.test"])
    assert sent.exit_code == 0, sent.output
    digest = db.session.scalar(sa.select(Digest).order_by(Digest.id.desc()).limit(1))
    assert digest.recipients == "director.g@demo.test" and digest.message_id is not None
    assert runner.invoke(args=["digest", "build", "--campaign", "nope"]).exit_code != 0


def test_the_archive_lists_opens_and_builds(app, client, login_as):
    login_as("secretariat")
    built = client.post("/digests/build", data={"campaign": "twinit-2", "send": ""})
    assert built.status_code == 302
    digest = db.session.scalar(sa.select(Digest).order_by(Digest.id.desc()).limit(1))
    assert digest.sent_at is None and digest.built_by_label == "secretariat@demo.test"
    listing = client.get("/digests").get_data(as_text=True)
    assert f"/digests/{digest.id}" in listing
    assert client.get(f"/digests/{digest.id}/pdf").data == digest.file.data
    email = client.get(f"/digests/{digest.id}/email")
    assert email.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "The 27 countries" in email.get_data(as_text=True)


def test_the_scheduler_runs_the_digest_on_the_configured_day_and_hour(app):
    app.config.update(DIGEST_DAY="fri", DIGEST_HOUR=16)
    try:
        job = build_scheduler(app).get_job("weekly-digest")
        fields = {field.name: str(field) for field in job.trigger.fields}
        assert fields["day_of_week"] == "fri" and fields["hour"] == "16" and fields["minute"] == "0"
        with time_machine.travel(datetime(2026, 11, 24, 12, 0, tzinfo=BRUSSELS)):
            assert job.trigger.get_next_fire_time(None, datetime.now(BRUSSELS)) == datetime(2026, 11, 27, 16, 0,
                                                                                            tzinfo=BRUSSELS)
    finally:
        app.config.update(DIGEST_DAY="mon", DIGEST_HOUR=7)
