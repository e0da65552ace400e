"""Pages clicked through in Debian's Chromium (Playwright) and checked with axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from config import BASE_DIR
from tests.conftest import ARTIFACTS, LOGINS
from tests.pages import ROLES, page_urls

pytestmark = pytest.mark.browser

AXE = (BASE_DIR / "node_modules" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _login(page, base: str, who: str, password: str = "demo-password") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(LOGINS[who])
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def _axe(page) -> list[dict]:
    """Run axe-core on the current page; returns the violations."""
    page.evaluate(AXE)  # the context bypasses CSP only for this injected checker
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return result["violations"]


@pytest.mark.once  # the same templates whatever the database: checked in the SQLite run
@pytest.mark.parametrize("who", ROLES)
def test_every_page_has_no_axe_violation(base_app, live_server, browser, who):
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    if who != "anon":
        _login(page, live_server, who)
    with base_app.test_request_context():
        urls = page_urls(who)
    problems = []
    for url in urls:
        page.goto(live_server + url)
        for violation in _axe(page):
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    context.close()
    assert len(urls) >= 4
    assert problems == [], "\n".join(problems)


def test_secretariat_edits_a_member_state_and_sees_the_change(live_server, browser):
    page = browser.new_page(locale="en-GB")
    _login(page, live_server, "secretariat")
    page.screenshot(path=str(ARTIFACTS / "dashboard-secretariat.png"), full_page=True)
    page.get_by_role("link", name="Estonia").first.click()
    page.get_by_role("link", name="Edit the details").click()
    page.get_by_label("Permanent Representation functional mailbox").fill("permrep.ee.new@demo.test")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The details of Estonia are saved.")).to_be_visible()
    expect(page.get_by_text("permrep.ee.new@demo.test").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "member-state-secretariat.png"), full_page=True)
    page.close()


def test_contact_point_sees_only_their_country(live_server, browser):
    page = browser.new_page(locale="en-GB")
    _login(page, live_server, "cp_own")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "Estonia" in rows.first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard-contact-point.png"), full_page=True)
    response = page.goto(f"{live_server}/countries/FR")
    assert response.status == 404
    page.close()


def test_language_switcher_and_logout(live_server, browser):
    page = browser.new_page(locale="en-GB")
    _login(page, live_server, "viewer")
    switcher = page.locator("summary.tracker-language__toggle")
    expect(page.get_by_role("button", name="français")).to_be_hidden()  # the list opens from the switcher
    switcher.click()
    expect(page.locator(".tracker-language__list button")).to_have_count(23)  # every other official language
    page.screenshot(path=str(ARTIFACTS / "language-switcher.png"))
    page.get_by_role("button", name="français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Tableau de bord")).to_be_visible()
    expect(switcher).to_contain_text("français")
    switcher.click()
    page.get_by_role("button", name="Malti").click()
    expect(page.locator("html")).to_have_attribute("lang", "mt")
    switcher.focus()
    page.keyboard.press("Enter")  # the keyboard opens the list, and Tab walks into it
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.tracker-language__list') !== null")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(f"{live_server}/")
    assert "/login" in page.url
    page.close()


def test_javascript_off_still_works(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    _login(page, live_server, "secretariat")
    assert page.locator("table tbody tr").count() == 27
    context.close()


def test_no_request_leaves_the_machine(live_server, browser):
    page = browser.new_page(locale="en-GB")
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server, "data:")) else None)
    _login(page, live_server, "secretariat")
    page.goto(f"{live_server}/people")
    page.close()
    assert outside == [], json.dumps(outside)
