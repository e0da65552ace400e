"""Every page a contact point opens, in each of the 24 languages, in Chromium: no English left outside names."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import current_app, url_for

from tests.conftest import ARTIFACTS, LOGINS
from tests.english import VISIBLE_TEXT, data_strings, english_left
from tests.pages import NOT_PAGES
from tests.test_authorization import ROUTES, _resolve, estonian_appointment
from tracker.accounts.models import User
from tracker.accounts.services import make_link_token as make_user_token
from tracker.appointments.services import make_link_token
from tracker.core.i18n import LANGUAGE_NAMES
from tracker.extensions import db

#: The templates and catalogues are files, the same whatever the database: `make test` walks them once (SQLite run).
pytestmark = [pytest.mark.browser, pytest.mark.once]


def _switch(page, language: str) -> None:
    page.locator("summary.tracker-language__toggle").click()
    page.get_by_role("button", name=LANGUAGE_NAMES[language], exact=True).click()
    page.wait_for_function("code => document.documentElement.lang === code", arg=language)


#: Forms sent empty, so that their validation messages are read too.
SUBMITTED = ("/login", "/tickets/new")


def _walk(page, base: str, urls: list[str], language: str, problems: list[str]) -> None:
    for url in urls:
        page.goto(base + url, wait_until="domcontentloaded")
        if url in SUBMITTED:
            with page.expect_navigation(wait_until="domcontentloaded"):
                page.locator("main form button[type=submit]").last.click()
            if not page.locator(".ecl-feedback-message").count():
                problems.append(f"{language} {url}: sent empty, the form shows no error")
        lang = page.evaluate("document.documentElement.lang")
        if lang != language:
            problems.append(f"{language} {url}: the page says lang={lang}")
        for hit in english_left(page.evaluate(VISIBLE_TEXT), language):
            problems.append(f"{language} {url}: {hit}")


#: Every language but English.
LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code != "en")


def test_contact_point_pages_have_no_english_in_any_language(base_app, live_server, browser):
    """A contact point (logged in, and by their personal links) reads every page in each language walked."""
    with base_app.test_request_context():
        assert set(LANGUAGE_NAMES) == set(current_app.config["UI_LANGUAGES"])
        user = db.session.scalar(sa.select(User).where(User.email == LOGINS["cp_own"]))
        own = [url_for(endpoint, **_resolve(values)) for (endpoint, method), (values, expected) in sorted(ROUTES.items())
               if method == "GET" and endpoint not in NOT_PAGES and expected["cp_own"] == 200]
        own += ["/audit", "/no-such-page"]  # refused (403) and unknown (404)
        anonymous = ["/login", f"/password/reset/{make_user_token(user, 'reset')}",
                     f"/invitation/{make_user_token(user, 'invitation')}", "/invitation/not-a-token",
                     f"/appointments/link/{make_link_token(estonian_appointment())}"]
        data_strings()
    problems: list[str] = []

    visitor = browser.new_context(locale="en-GB")
    page = visitor.new_page()
    page.goto(f"{live_server}/login")
    for language in LANGUAGES:
        _switch(page, language)
        _walk(page, live_server, anonymous, language, problems)
    visitor.close()

    member = browser.new_context(locale="en-GB")
    page = member.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(LOGINS["cp_own"])
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/")
    try:
        for language in LANGUAGES:
            _switch(page, language)
            _walk(page, live_server, own, language, problems)
            if language in ("el", "bg", "ga", "mt"):
                page.goto(f"{live_server}/countries/EE")
                page.screenshot(path=str(ARTIFACTS / f"country-page-{language}.png"), full_page=True)
    finally:
        member.close()
        with base_app.app_context():  # the account's stored language back as it was, for the other tests
            db.session.execute(sa.update(User).where(User.email == LOGINS["cp_own"]).values(locale=None))
            db.session.commit()
    assert len(own) >= 15
    assert problems == [], f"{len(problems)} English leftovers:\n" + "\n".join(problems[:200])
