"""A country walked from "invited" to "submitted" in Chromium: status changes, a refused step, the asset
described and completed, the submission; then the tile map and the timeline show it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.test_browser import _axe, _login

pytestmark = pytest.mark.browser


def _next(page, status: str, reason: str = "") -> None:
    page.get_by_label("Next status").select_option(label=status)
    if reason:
        page.get_by_label("Reason (to pause or leave)").fill(reason)
    page.get_by_role("button", name="Change the status").click()


def test_hungary_walks_from_invited_to_submitted(live_server, browser):
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 1000})
    _login(page, live_server, "secretariat")
    page.goto(f"{live_server}/countries/HU")
    expect(page.locator("#current-status")).to_contain_text("Invited")

    for status in ("Contact points confirmed", "Participation pack sent", "Introductory meeting attended"):
        _next(page, status)
        expect(page.get_by_text(f"Hungary is now: {status}.")).to_be_visible()
    _next(page, "Asset selected")
    expect(page.get_by_text("Describe the asset first.")).to_be_visible()
    expect(page.locator("#current-status")).to_contain_text("Introductory meeting attended")

    page.get_by_role("link", name="Describe an asset").click()
    page.get_by_label("Title in the original language").fill("Faragott láda")
    page.get_by_label("Language of the title").select_option("hu")
    page.get_by_label("Link to the 3D model").fill("not a link")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Give a full web address (https://...).")).to_be_visible()
    assert _axe(page) == []
    page.get_by_label("Link to the 3D model").fill("https://models.demo.test/hu/1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The asset is added.")).to_be_visible()
    expect(page.locator("#epf-tier")).to_contain_text("Content tier reached: 1 of 4")
    page.get_by_role("button", name="Submit the asset").click()
    expect(page.get_by_text("The asset description is not complete yet.")).to_be_visible()

    page.get_by_role("link", name="Edit the description").click()
    page.get_by_label("Title in English").fill("Carved chest")
    page.get_by_label("Holding institution").fill("Demo Museum of Crafts")
    page.get_by_label("Priority category").select_option("at_risk")
    page.get_by_label("Intended reuse").select_option(["education", "tourism"])
    page.get_by_label("Link to an embeddable viewer").fill("https://viewer.demo.test/hu/1")
    page.get_by_label("Rights statement").select_option("CC BY")
    page.get_by_label("File formats").fill("model/gltf-binary")
    page.get_by_label("Technique").fill("photogrammetry")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#epf-tier")).to_contain_text("Content tier reached: 4 of 4")
    expect(page.locator("#complete")).to_contain_text("The description is complete.")
    assert _axe(page) == []
    page.get_by_role("link", name="Back to Hungary").click()
    expect(page.locator("#current-status")).to_contain_text("Asset selected")
    _next(page, "Submission in progress")
    page.get_by_role("link", name="Faragott láda").click()
    page.get_by_role("button", name="Submit the asset").click()
    expect(page.get_by_text("The asset is submitted. Thank you!")).to_be_visible()

    page.get_by_role("link", name="Back to Hungary").click()
    expect(page.locator("#current-status")).to_contain_text("Submitted (stage 7 of 8)")
    timeline = page.locator("ol.tracker-timeline")
    expect(timeline).to_contain_text("→ Submitted")
    expect(timeline).to_contain_text("asset #")
    timeline.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "country-timeline.png"), full_page=True)

    page.goto(f"{live_server}/")
    tile = page.locator('svg a[href="/countries/HU"]')
    expect(tile).to_contain_text("7/8")
    assert tile.get_attribute("aria-label").startswith("HU 7/8 – Hungary: Submitted")
    expect(page.locator("#stage-counts")).to_contain_text("7. Submitted: 5")
    assert _axe(page) == []
    page.locator(".tracker-tilemap").screenshot(path=str(ARTIFACTS / "dashboard-tilemap.png"))
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    tile.click()
    expect(page.get_by_role("heading", name="Hungary", level=1)).to_be_visible()
    page.close()
