"""In Chromium: a contact point asks a question with an attachment; the secretariat answers and waits on
the country; the country answers; the secretariat resolves; the country closes. The reply reaches a real
SMTP server; axe finds nothing on the pages along the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, _Inbox, serving_smtp
from tests.test_browser import _axe, _login

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_question_with_an_attachment_goes_to_a_resolved_answer(live_app, live_server, browser, tmp_path: Path):
    country = browser.new_context(bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 1000})
    cp = country.new_page()
    _login(cp, live_server, "cp_own")
    cp.get_by_role("navigation", name="Main menu").get_by_role("link", name="Service desk").click()
    cp.get_by_role("link", name="Ask a question").click()
    cp.get_by_label("Topic").select_option(label="Metadata and EDM")
    cp.get_by_label("Subject").fill("Which edm:type for a carved door?")
    cp.get_by_label("Your question").fill("Our <model> of the door: 3D or IMAGE?")
    bad = tmp_path / "door.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)  # a PNG named .pdf
    cp.get_by_label("Attachments (optional)").set_input_files(str(bad))
    cp.get_by_role("button", name="Send the question").click()
    expect(cp.get_by_text("content does not match its extension")).to_be_visible()
    expect(cp.get_by_label("Subject")).to_have_value("Which edm:type for a carved door?")
    assert _axe(cp) == []
    good = tmp_path / "door-report.pdf"
    good.write_bytes(PDF)
    cp.get_by_label("Attachments (optional)").set_input_files(str(good))
    cp.get_by_role("button", name="Send the question").click()
    expect(cp.get_by_text("The service desk answers within 2 working days.")).to_be_visible()
    reference = cp.locator("h1").inner_text().split(" ")[0]
    ticket_url = cp.url
    expect(cp.locator(".tracker-thread")).to_contain_text("Our <model> of the door: 3D or IMAGE?")
    expect(cp.get_by_role("link", name="door-report.pdf")).to_be_visible()
    assert _axe(cp) == []

    desk = browser.new_context(bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 1000})
    staff = desk.new_page()
    _login(staff, live_server, "secretariat")
    staff.goto(f"{live_server}/tickets?country=EE&status=new")
    staff.get_by_role("link", name=f"{reference} Which edm:type for a carved door?").click()
    expect(staff.locator("#sla-first")).to_contain_text("due")
    staff.get_by_label("Message").fill("It is a note for us: the door was scanned by the museum.")
    staff.get_by_text("Internal note: the country never sees it").click()
    staff.get_by_role("button", name="Send").click()
    expect(staff.get_by_text("The note is saved.")).to_be_visible()
    with serving_smtp(live_app, _Inbox()) as inbox:
        staff.get_by_label("Message").fill("3D: the geometry is real 3D. Which rights statement will you use?")
        staff.get_by_label("Then").select_option("waiting")
        staff.get_by_role("button", name="Send").click()
        expect(staff.get_by_text("Your message is sent.")).to_be_visible()
    [mail] = [m for m in inbox.messages if "cp.ee@demo.test" in m["To"]]
    assert reference in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert "3D: the geometry is real 3D." in text and "It is a note for us" not in text
    assert ticket_url.replace(live_server, "http://localhost") in text
    expect(staff.locator("#sla-resolution")).to_contain_text("clock stopped while waiting on the country")
    assert _axe(staff) == []
    staff.screenshot(path=str(ARTIFACTS / "ticket-staff.png"), full_page=True)

    cp.reload()
    expect(cp.locator("#ticket-facts")).to_contain_text("Waiting on the country")
    expect(cp.locator(".tracker-thread")).not_to_contain_text("It is a note for us")
    cp.get_by_label("Message").fill("CC BY, thank you.")
    cp.get_by_role("button", name="Send").click()
    expect(cp.get_by_text("Your message is sent.")).to_be_visible()
    expect(cp.locator("#ticket-facts")).to_contain_text("Open")

    staff.reload()
    staff.get_by_label("Status").select_option("resolved")
    staff.get_by_role("button", name="Change the status").click()
    expect(staff.get_by_text(f"Ticket {reference} is now: Resolved.")).to_be_visible()
    expect(staff.locator("#sla-first")).to_contain_text("of 2")

    cp.reload()
    expect(cp.locator("#ticket-facts")).to_contain_text("Resolved")
    cp.get_by_role("button", name="Close the ticket: my question is answered").click()
    expect(cp.get_by_text(f"Ticket {reference} is now: Closed.")).to_be_visible()
    expect(cp.locator("#closed-note")).to_be_visible()
    assert _axe(cp) == []
    cp.screenshot(path=str(ARTIFACTS / "ticket-country.png"), full_page=True)
    country.close()
    desk.close()
