"""The reminder pages clicked through in Chromium: ladders, calendar, escalation approval, mail log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.test_authorization import sample_escalation_id
from tests.test_browser import _login
from tracker.core.i18n import country_name
from tracker.extensions import db
from tracker.mail.models import OutboxMessage

pytestmark = pytest.mark.browser


def test_secretariat_edits_a_ladder_reads_the_calendar_and_approves_an_escalation(base_app, live_server, browser):
    page = browser.new_page(locale="en-GB")
    _login(page, live_server, "secretariat")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reminders").click()
    expect(page.get_by_role("heading", name="Reminders", level=1)).to_be_visible()

    # A ladder for the introductory meeting, which has none in the demo.
    page.get_by_role("link", name="Add a step – Introductory meeting").click()
    page.get_by_label("Days").fill("0")
    page.get_by_label("When").select_option("before")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text('Give at least one day, or choose "on the due day".')).to_be_visible()
    page.get_by_label("Days").fill("5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The step is added.")).to_be_visible()
    expect(page.get_by_role("table", name="Reminder ladder of Introductory meeting")).to_contain_text("5 days before")

    # The calendar shows the reminders planned for Austria and Luxembourg (demo extensions).
    page.get_by_role("link", name="Calendar of the next 30 days").click()
    expect(page.get_by_role("link", name="Austria").first).to_be_visible()
    expect(page.get_by_role("link", name="Luxembourg").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "reminders-calendar.png"), full_page=True)
    page.get_by_role("link", name="Austria").first.click()
    expect(page.get_by_role("heading", name="Reminders", level=2)).to_be_visible()
    expect(page.locator("main")).to_contain_text("14 days before")

    # An escalation for Estonia waits for approval; approving it writes to the PermRep.
    with base_app.app_context():
        sample_escalation_id()
    page.goto(f"{live_server}/reminders")
    page.screenshot(path=str(ARTIFACTS / "reminders-ladders.png"), full_page=True)
    page.get_by_role("button", name="Approve and send").first.click()
    expect(page.get_by_text("The escalation is sent.")).to_be_visible()
    # It is written in Estonia's correspondence language.
    with base_app.test_request_context(), force_locale("et"):
        subject = _("%(country)s: %(milestone)s is overdue", country=country_name("EE"),
                    milestone=_("Asset submitted"))
        greeting = _("Dear colleagues of the Permanent Representation,")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Mail log").click()
    page.get_by_role("link", name=re.compile(re.escape(subject))).first.click()
    expect(page.locator("pre")).to_contain_text(greeting)
    expect(page.locator("main")).to_contain_text("permrep.ee@demo.test")
    expect(page.frame_locator("iframe").locator("body")).to_contain_text(greeting)
    page.screenshot(path=str(ARTIFACTS / "mail-message.png"), full_page=True)
    page.close()

    with base_app.app_context():
        row = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "escalation", OutboxMessage.recipients.like("%permrep.ee%"))
        )
        assert row is not None and row.status == "kept_locally" and "cp.ee" not in row.recipients
