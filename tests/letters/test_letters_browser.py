"""In Chromium: the secretariat checks a batch of thanks letters, previews one, issues them, downloads the ZIP,
and has a wording with a misspelt placeholder refused. axe finds nothing on the pages along the way."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.test_browser import _axe, _login
from tracker.letters.services import built_in_texts

pytestmark = pytest.mark.browser


def test_the_secretariat_previews_issues_and_downloads_a_batch(live_server, browser):
    context = browser.new_context(bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    _login(page, live_server, "secretariat")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Letters").click()
    expect(page.locator("#letters")).to_contain_text("CNECT.G2/TWIN-IT/")  # the demo's invitations
    assert _axe(page) == []
    page.get_by_role("link", name="Make a letter").click()
    page.locator("#kind").select_option(label="Thanks for the submission")
    page.locator("#selection").select_option(label="Countries that have submitted their asset")
    page.get_by_role("button", name="Check and preview").click()
    chosen = page.locator("#chosen li")
    expect(chosen.first).to_contain_text("Preview")
    count = chosen.count()
    assert count >= 3
    expect(page.locator("#chosen")).to_contain_text("NL · Netherlands (Dutch)")
    assert _axe(page) == []

    expect(chosen.first).to_contain_text("CZ · Czechia (Czech)")
    preview_url = page.locator("#chosen a").first.get_attribute("href")
    preview = page.request.get(f"{live_server}{preview_url}")
    assert preview.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(preview.body())).pages[0].extract_text().split())
    assert built_in_texts("cs")["letterhead"]["draft"] in text and "EVROPSKÁ KOMISE" in text

    page.get_by_role("button", name=f"Issue {count} letters").click()
    expect(page.get_by_text(f"{count} letters are issued.")).to_be_visible()
    expect(page.locator("#letters tbody tr")).to_have_count(count)
    assert _axe(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all (ZIP)").click()
    archive = zipfile.ZipFile(download_info.value.path())
    assert len(archive.namelist()) == count + 1 and "register.csv" in archive.namelist()

    page.goto(f"{live_server}/letters/texts/invitation/el")
    page.get_by_label("Body").fill("Αξιότιμε κύριε,\n\nΗ χώρα {coutnry} καλείται.")
    page.get_by_role("button", name="Save the wording").click()
    expect(page.get_by_text("This letter cannot fill {coutnry}.")).to_be_visible()
    expect(page.get_by_label("Body")).to_have_value("Αξιότιμε κύριε,\n\nΗ χώρα {coutnry} καλείται.")
    assert _axe(page) == []
    context.close()
