"""Interface language: how it is chosen, the catalogues, and dates in Brussels time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from gettext import c2py
from pathlib import Path

import flask_babel
import pytest
import sqlalchemy as sa
from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import render_template_string

from config import BASE_DIR
from tracker.accounts.models import User
from tracker.core.cli import EXTRACT_KEYWORDS
from tracker.core.i18n import LANGUAGE_NAMES, brussels_time
from tracker.extensions import db

TRANSLATIONS = BASE_DIR / "translations"
POT = TRANSLATIONS / "messages.pot"
#: Every catalogue: the 23 official EU languages besides English (the source).
LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code != "en")

LOG_IN = {"en": "Log in", "fr": "Se connecter", "de": "Anmelden"}
MEMBER_STATES = {"en": "Member states", "fr": "États membres", "de": "Mitgliedstaaten"}


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True)).group(1)


def _title(response) -> str:
    return re.search(r'<h1 class="ecl-u-type-heading-1[^"]*">([^<]*)</h1>', response.get_data(as_text=True)).group(1)


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


# -- how the language is chosen ------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_accept_language_chooses_the_interface_language(client, language):
    response = client.get("/login", headers={"Accept-Language": f"{language},en;q=0.5"})
    assert response.status_code == 200
    assert _html_lang(response) == language
    assert _title(response) == LOG_IN[language]


def test_unoffered_languages_fall_back_to_english(client):
    response = client.get("/login", headers={"Accept-Language": "ru,ja;q=0.8"})
    assert _html_lang(response) == "en" and _title(response) == "Log in"
    assert _title(client.get("/login", headers={"Accept-Language": "ru,de;q=0.5"})) == "Anmelden"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_official_language_is_offered_with_its_own_catalogue(client, language):
    response = client.get("/login", headers={"Accept-Language": f"{language},en;q=0.5"})
    assert _html_lang(response) == language
    with flask_babel.force_locale(language):
        assert _title(response) == flask_babel.gettext("Log in") != "Log in"
    html = response.get_data(as_text=True)
    # The switcher names every language in that language, each marked with its own lang attribute.
    for code, name in LANGUAGE_NAMES.items():
        assert f'lang="{code}">{name}<' in html


def test_lang_parameter_wins_and_sticks_in_the_session(client):
    first = client.get("/login?lang=de", headers={"Accept-Language": "fr"})
    assert _title(first) == "Anmelden"
    with client.session_transaction() as session:
        assert session["lang"] == "de"
    following = client.get("/login", headers={"Accept-Language": "fr"})
    assert _html_lang(following) == "de" and _title(following) == "Anmelden"
    assert _title(client.get("/password/forgot")) == "Passwort vergessen?"  # still German elsewhere


def test_unknown_lang_parameter_is_ignored(client):
    response = client.get("/login?lang=xx", headers={"Accept-Language": "fr"})
    assert _title(response) == "Se connecter"
    with client.session_transaction() as session:
        assert "lang" not in session


def test_a_users_stored_locale_wins(client, login_as):
    user = login_as("viewer")
    user.locale = "de"
    db.session.flush()
    with client.session_transaction() as session:
        session["lang"] = "fr"
    response = client.get("/?lang=fr", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert _html_lang(response) == "de" and MEMBER_STATES["de"] in response.get_data(as_text=True)


def test_a_user_without_a_stored_locale_follows_the_browser(client, login_as):
    login_as("viewer")
    assert _user("viewer@demo.test").locale is None
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert _html_lang(response) == "fr" and MEMBER_STATES["fr"] in response.get_data(as_text=True)


def test_language_switch_as_anonymous_goes_into_the_session(client):
    response = client.post("/language", data={"language": "fr", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "de"})
    assert _html_lang(page) == "fr" and _title(page) == "Se connecter"


def test_language_switch_refuses_other_languages_and_foreign_targets(client):
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "lang" not in session


def test_language_switch_as_a_user_is_stored_on_the_account(client, login_as):
    login_as("cp_own")
    response = client.post("/language", data={"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert _user("cp.ee@demo.test").locale == "fr"
    page = client.get("/", headers={"Accept-Language": "de"})
    assert _html_lang(page) == "fr"


# -- messages in forms -----------------------------------------------------------------------

def test_wtforms_errors_are_in_french(client):
    response = client.post("/login", data={"email": "", "password": "x"}, headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)
    error = re.search(r'<div class="ecl-feedback-message" id="email-error">([^<]*)</div>', html)
    assert error and error.group(1) == "Ce champ est obligatoire."
    assert "This field is required." not in html


def test_errors_are_in_the_language_of_a_french_user(client, login_as):
    user = login_as("secretariat")
    user.locale = "fr"
    db.session.flush()
    response = client.post("/people/new", data={
        "given_name": "", "family_name": "Lepp", "email": "maria.tamm@ee.demo.test", "phone": "abc",
        "member_state_id": "", "organisation_id": "", "preferred_language": "et",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="given_name-error">Ce champ est obligatoire\.<', html)
    assert "Utilisez des chiffres, des espaces et, éventuellement, un + initial." in html
    assert "This field is required." not in html and "Use digits" not in html

    duplicate = client.post("/people/new", data={
        "given_name": "Kadri", "family_name": "Lepp", "email": "MARIA.TAMM@ee.demo.test", "phone": "",
        "member_state_id": "", "organisation_id": "", "preferred_language": "et",
    })
    assert "Cette adresse électronique est déjà attribuée à une autre personne." in duplicate.get_data(as_text=True)


def test_short_password_error_is_translated(client, login_as):
    user = login_as("viewer")
    user.locale = "fr"
    db.session.flush()
    response = client.post("/account/password", data={
        "pw-current": "demo-password", "pw-password": "short", "pw-confirm": "short",
    })
    html = response.get_data(as_text=True)
    error = re.search(r'id="pw-password-error">([^<]*)<', html)
    assert error, "the short password must be reported on the field"
    assert "The password must have" not in error.group(1), f"English message for a French user: {error.group(1)!r}"


# -- the catalogues ---------------------------------------------------------------------------

def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.once  # the catalogues are files: the same whatever the database
@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    catalog = _catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    template = _catalog(POT)
    assert sorted(_ids(template) - _ids(catalog), key=str) == [], "msgids of messages.pot missing from the catalogue"
    empty, fuzzy, placeholders = [], [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if {p for i in ids for p in PLACEHOLDER.findall(i)} != {p for s in strings for p in PLACEHOLDER.findall(s)}:
            placeholders.append(message.id)
    assert empty == [], f"untranslated messages in {language}"
    assert fuzzy == [], f"fuzzy messages in {language}"
    assert placeholders == [], f"placeholders differ from the English in {language}"
    assert not catalog.obsolete, f"obsolete messages left in {language}"


@pytest.mark.once  # the catalogues are files: the same whatever the database
def test_template_has_every_message_of_the_sources(tmp_path):
    """messages.pot is up to date: extracting again finds nothing new."""
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(BASE_DIR / "babel.cfg"), *EXTRACT_KEYWORDS, "--no-wrap",
         "-o", str(fresh), str(BASE_DIR)]
    )
    assert len(_ids(_catalog(fresh))) > 100  # the extraction itself worked
    missing = sorted(_ids(_catalog(fresh)) - _ids(_catalog(POT)), key=str)
    assert missing == [], f"messages in the code but not in messages.pot (run `flask translate update`): {missing}"


@pytest.mark.once  # the catalogues are files: the same whatever the database
@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_exists(language):
    mo = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), "run `make translations`"


# -- dates in Brussels time -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("moment", "clock", "zone"),
    [
        (datetime(2025, 1, 15, 12, 0, tzinfo=UTC), "13:00", "CET"),
        (datetime(2025, 7, 15, 12, 0, tzinfo=UTC), "14:00", "CEST"),
        (datetime(2025, 3, 30, 0, 59, tzinfo=UTC), "01:59", "CET"),  # just before the spring change
        (datetime(2025, 3, 30, 1, 0, tzinfo=UTC), "03:00", "CEST"),  # just after it
        (datetime(2025, 10, 26, 0, 30, tzinfo=UTC), "02:30", "CEST"),  # before the autumn change
        (datetime(2025, 10, 26, 1, 30, tzinfo=UTC), "02:30", "CET"),  # the repeated hour
    ],
)
def test_brussels_time_names_the_zone(app, moment, clock, zone):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        flask_babel.refresh()
        text = brussels_time(moment)
        assert text.endswith(f", {clock} {zone}")
        assert render_template_string("{{ moment|brussels }}", moment=moment) == text


def test_brussels_time_in_french_and_german(app):
    winter = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        flask_babel.refresh()
        assert brussels_time(winter) == "15 janv. 2025, 13:00 CET"
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        flask_babel.refresh()
        assert brussels_time(winter) == "15.01.2025, 13:00 CET"


def test_brussels_time_of_nothing_is_empty(app):
    with app.test_request_context("/"):
        flask_babel.refresh()
        assert brussels_time(None) == ""


def test_country_page_deadline_in_french(client, login_as):
    user = login_as("cp_own")
    user.locale = "fr"
    db.session.flush()
    html = client.get("/countries/EE").get_data(as_text=True)
    assert "15 sept. 2025, 17:00 CEST" in html


# -- plural forms, validation messages, the completeness report --------------------------------

#: The CLDR locale whose plural rules a catalogue follows (the EU's Portuguese is Portugal's).
CLDR_LOCALE = {"pt": "pt_PT"}


@pytest.mark.once  # the catalogues are files: the same whatever the database
@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_follow_the_languages_cldr_rules(language):
    """Numbers that CLDR puts in one plural category share one gettext form, and each category has its own."""
    catalog = _catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    locale = Locale.parse(CLDR_LOCALE.get(language, language))
    rule = c2py(catalog.plural_expr)
    forms: dict[str, set[int]] = {}
    for n in range(0, 1001):
        forms.setdefault(locale.plural_form(n), set()).add(rule(n))
    assert all(len(indexes) == 1 for indexes in forms.values()), forms
    assert sorted(index for indexes in forms.values() for index in indexes) == list(range(catalog.num_plurals))
    if language in ("ga", "mt"):
        assert catalog.num_plurals == 5


@pytest.mark.parametrize("language", ["ga", "mt", "lv", "sl", "pl"])
def test_the_compiled_catalogue_picks_each_plural_form_by_the_count(app, language):
    """At run time "%(num)d account." takes the form the catalogue's rule names for each count; every form is used."""
    catalog = _catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    message = catalog.get("%(num)d account.")
    rule = c2py(catalog.plural_expr)
    with app.test_request_context(), flask_babel.force_locale(language):
        for n in range(0, 112):
            assert (flask_babel.ngettext("%(num)d account.", "%(num)d accounts.", n)
                    == message.string[rule(n)] % {"num": n})
    assert {rule(n) for n in range(0, 112)} == set(range(catalog.num_plurals))
    assert len(set(message.string)) >= 2


@pytest.mark.parametrize("language", ["ga", "mt", "lv", "sl"])
def test_validation_messages_are_in_languages_wtforms_does_not_ship(client, language):
    """WTForms' own messages ("This field is required.") come from the tracker's catalogues."""
    response = client.post("/login", data={"email": "", "password": "x"}, headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    error = re.search(r'<div class="ecl-feedback-message" id="email-error">([^<]*)</div>', html)
    with flask_babel.force_locale(language):
        expected = flask_babel.gettext("This field is required.")
    assert error and error.group(1) == expected != "This field is required."


@pytest.mark.once  # the catalogues are files: the same whatever the database
def test_translate_check_prints_the_share_per_language(runner):
    result = runner.invoke(args=["translate", "check", "--strict"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 23
    total = len(_ids(_catalog(POT)))
    for row in rows:
        name, code, translated, share, plurals = (cell.strip() for cell in row.strip("|").split("|"))
        assert LANGUAGE_NAMES[code] == name and translated == f"{total} / {total}" and share == "100.0 %"
    assert "| Gaeilge | ga | " in result.output and result.output.count("| 5 |") == 2  # Irish and Maltese


def test_the_email_language_is_kept_on_the_person(client, login_as):
    user = login_as("cp_own")
    assert user.person is not None
    page = client.get("/account").get_data(as_text=True)
    assert 'name="mail_language"' in page
    response = client.post("/account", data={"display_name": user.display_name, "locale": "",
                                              "mail_language": "fi"})
    assert response.status_code == 302
    assert user.person.preferred_language == "fi" and user.locale is None
    refused = client.post("/account", data={"display_name": user.display_name, "locale": "", "mail_language": "xx"})
    assert refused.status_code == 200 and user.person.preferred_language == "fi"
