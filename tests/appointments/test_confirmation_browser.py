"""The confirmation flow clicked through in Chromium, with the email going through a real SMTP server.

The secretariat asks Estonia to confirm; the email reaches aiosmtpd on loopback, in Estonian;
opening its link changes nothing; confirming on the page does; the overview shows it and the audit
log records it; opening the link again says "already confirmed".
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, _Inbox, serving_smtp
from tests.test_authorization import estonian_appointment
from tests.test_browser import _axe, _login
from tracker.audit.models import AuditEntry
from tracker.extensions import db

pytestmark = pytest.mark.browser


def _state(base_app):
    """Estonia's primary appointment as stored, and how many audit entries exist."""
    with base_app.app_context():
        appointment = estonian_appointment()
        entries = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
        result = (appointment.state, appointment.version, appointment.link_nonce, appointment.answered_at, entries)
        db.session.remove()
    return result


def _in_estonian(base_app, text: str) -> str:
    with base_app.test_request_context(), force_locale("et"):
        translated = _(text)
    assert translated != text, f"no Estonian for {text!r}"
    return translated


def test_estonia_is_asked_confirms_by_its_link_and_the_overview_shows_it(base_app, live_app, live_server, browser):
    staff = browser.new_page(locale="en-GB")
    _login(staff, live_server, "secretariat")
    staff.get_by_role("navigation", name="Main menu").get_by_role("link", name="Appointments").click()
    expect(staff.get_by_role("heading", name="Contact-point appointments", level=1)).to_be_visible()
    expect(staff.locator("#appointment-counts")).to_contain_text("Countries confirmed: 18 of 27")
    assert _axe(staff) == []
    staff.get_by_role("link", name="Estonia").click()
    expect(staff.get_by_role("heading", name="Contact points of Estonia", level=1)).to_be_visible()
    assert _axe(staff) == []

    with serving_smtp(live_app, _Inbox()) as inbox:
        staff.get_by_text("Copy the Permanent Representation's mailbox").click()
        staff.get_by_role("button", name="Ask to confirm").click()
        expect(staff.get_by_text("2 people are asked to confirm; the emails are on their way.")).to_be_visible()

    # The email reached the SMTP server, in Estonian, with the PermRep in copy and a personal link.
    [message] = [m for m in inbox.messages if "maria.tamm@ee.demo.test" in m["To"]]
    assert message["Content-Language"] == "et"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["permrep.ee@demo.test"]
    text = message.get_body(("plain",)).get_content()
    assert "Lugupeetud Maria Tamm," in text
    assert _in_estonian(base_app, "Please open your personal link to confirm, to correct your details, to propose "
                                  "an alternate or a replacement, or to decline:") in text
    subject_start = _in_estonian(base_app, "%(campaign)s: please confirm your appointment as contact point of "
                                           "%(country)s").split(":")[1].strip().split(" ")[0]
    assert subject_start in message["Subject"]
    link = re.search(r"(http://localhost/appointments/link/\S+)", text).group(1)
    link = link.replace("http://localhost", live_server)

    # Opening the link (a mail scanner, then the person) changes nothing.
    before = _state(base_app)
    person = browser.new_page(locale="et-EE")
    person.goto(link)
    person.goto(link)
    assert _state(base_app) == before
    assert person.locator("html").get_attribute("lang") == "et"
    expect(person.get_by_role("heading", level=1)).to_have_text(_in_estonian(base_app, "Your appointment as contact point"))
    expect(person.locator("main")).to_contain_text("maria.tamm@ee.demo.test")
    expect(person.locator("main")).not_to_contain_text("andres.saar")
    assert _axe(person) == []
    person.screenshot(path=str(ARTIFACTS / "appointment-link.png"), full_page=True)

    # Confirming on the page does.
    person.get_by_label(_in_estonian(base_app, "Your function")).fill("Digitaalse pärandi juht")
    person.get_by_role("button", name=_in_estonian(base_app, "Confirm my appointment")).click()
    expect(person.get_by_role("heading", level=1)).to_have_text(
        _in_estonian(base_app, "Thank you: your appointment is confirmed"))
    assert _axe(person) == []
    state, *_rest = _state(base_app)
    assert state == "confirmed"

    # The overview shows it, and the audit log records who confirmed, and how.
    staff.goto(f"{live_server}/appointments")
    expect(staff.locator("#appointment-counts")).to_contain_text("Countries confirmed: 19 of 27")
    estonia = staff.get_by_role("row").filter(has=staff.get_by_role("link", name="Estonia"))
    expect(estonia).to_contain_text("Confirmed")
    expect(estonia).to_contain_text("Maria Tamm – Confirmed")
    staff.screenshot(path=str(ARTIFACTS / "appointments-overview.png"), full_page=True)
    staff.get_by_role("link", name="Estonia").click()
    history = staff.locator("table", has=staff.get_by_role("columnheader", name="How"))
    confirm_row = history.get_by_role("row").filter(has_text=re.compile(r"Appointment #\d+: confirmed"))
    expect(confirm_row.first).to_contain_text("maria.tamm@ee.demo.test (link)")
    expect(confirm_row.first).to_contain_text("link")
    staff.screenshot(path=str(ARTIFACTS / "appointments-estonia.png"), full_page=True)

    # Opening the link again says "already confirmed", not an error.
    response = person.goto(link)
    assert response.status == 200
    expect(person.get_by_role("heading", level=1)).to_have_text(_in_estonian(base_app, "Already confirmed"))
    assert _state(base_app)[0] == "confirmed"
    person.screenshot(path=str(ARTIFACTS / "appointment-link-used.png"), full_page=True)
    person.close()
    staff.close()
