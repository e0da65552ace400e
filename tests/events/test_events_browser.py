"""In Chromium: the secretariat plans a webinar, imports its Teams report, settles the doubtful rows and
saves; a contact point joins the waiting list of a full Café."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.test_browser import _axe, _login

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).parent / "samples"


def test_a_teams_report_is_reviewed_then_saved(live_server, browser):
    context = browser.new_context(bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    _login(page, live_server, "secretariat")
    page.goto(f"{live_server}/events")
    page.get_by_role("link", name="Plan an event").click()
    page.get_by_label("Kind").select_option("webinar")
    page.get_by_label("Title (in English)").fill("Webinar on paradata (browser test)")
    page.get_by_label("Starts").fill("2025-09-22T10:00")
    page.get_by_label("Ends").fill("2025-09-22T09:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The event must end after it starts.")).to_be_visible()
    assert _axe(page) == []
    page.get_by_label("Ends").fill("2025-09-22T11:30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The event is planned.")).to_be_visible()
    expect(page.locator("#event-facts")).to_contain_text("22 Sept 2025, 10:00–11:30 CEST (Brussels time)")

    # A file of another tool's format for another day is refused, and says why.
    shifted = (SAMPLES / "zoom_participants.csv").read_bytes().replace(b"09/22/2025", b"10/14/2025")
    page.get_by_label("Attendance report").set_input_files(
        files=[{"name": "zoom.csv", "mimeType": "text/csv", "buffer": shifted}])
    page.get_by_role("button", name="Read the report").click()
    expect(page.get_by_text("This report is of a meeting on 14 October 2025")).to_be_visible()

    page.get_by_label("Attendance report").set_input_files(str(SAMPLES / "teams_attendance.csv"))
    page.get_by_role("button", name="Read the report").click()
    expect(page.locator("#import-counts")).to_contain_text(
        "13 lines, 11 participants: 7 matched, 1 probable, 2 not matched, 1 organisers or staff.")
    assert _axe(page) == []
    page.screenshot(path=str(ARTIFACTS / "attendance-review.png"), full_page=True)

    page.get_by_label("Decision for Camile Martin").select_option(label="Camille Martin (FR) · 96%")
    page.get_by_label("Decision for Jan Novak").select_option("new")
    row = page.locator("#import-rows tr", has_text="Jan Novak")
    row.get_by_label("Email").fill("jan.novak.guest@cz.demo.test")
    row.get_by_label("Country").select_option(label="CZ · Czechia")
    page.get_by_role("button", name="Apply: save this attendance").click()

    expect(page.get_by_text("Attendance saved. People: 9; countries: 7.")).to_be_visible()
    table = page.locator("#attendance-table")
    expect(table).to_contain_text("Camille Martin")
    expect(table).to_contain_text("Jan Novak")
    expect(table.locator("tr", has_text="Maria Tamm")).to_contain_text("86")  # three joins added up
    expect(page.locator("#represented")).to_contain_text("Countries represented: 7 of 27")
    assert _axe(page) == []
    context.close()


def test_a_contact_point_joins_the_waiting_list_of_a_full_cafe(live_server, browser):
    context = browser.new_context(bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    _login(page, live_server, "cp_own")
    page.get_by_role("link", name="Events", exact=True).click()
    page.locator("#upcoming").get_by_role("link", name="3D Café: rights and licences, your questions").click()
    expect(page.locator("#places")).to_contain_text("12 of 12 taken")
    expect(page.locator("#my-registration")).to_have_text("You are not registered.")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_text("The event is full: Maria Tamm is on the waiting list.")).to_be_visible()
    expect(page.locator("#my-registration")).to_have_text("Your registration: On the waiting list.")
    # Only Estonia's own registrations are listed to Estonia.
    expect(page.locator("#registrations tbody tr")).to_have_count(1)
    assert _axe(page) == []
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.get_by_text("The registration is cancelled.")).to_be_visible()
    expect(page.locator("#my-registration")).to_have_text("You are not registered.")
    context.close()
