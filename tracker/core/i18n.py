"""Locale selection and date formatting with the zone shown."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from tracker.core.urls import absolute_url
from tracker.countries.reference import territory_code

#: The name of each official EU language in that language, in the EU's protocol order (as ECL's language list).
LANGUAGE_NAMES = {
    "bg": "български", "es": "español", "cs": "čeština", "da": "dansk", "de": "Deutsch", "et": "eesti",
    "el": "ελληνικά", "en": "English", "fr": "français", "ga": "Gaeilge", "hr": "hrvatski", "it": "italiano",
    "lv": "latviešu", "lt": "lietuvių", "hu": "magyar", "mt": "Malti", "nl": "Nederlands", "pl": "polski",
    "pt": "português", "ro": "română", "sk": "slovenčina", "sl": "slovenščina", "fi": "suomi", "sv": "svenska",
}


def select_locale() -> str:
    """The user's preference, then ?lang=, then the session's choice, then Accept-Language."""
    if not has_request_context():  # commands and jobs: English unless force_locale says otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["UI_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    requested = request.args.get("lang")
    if requested in languages:
        session["lang"] = requested
        return requested
    if session.get("lang") in languages:
        return session["lang"]
    # A page for one known person (a confirmation link) speaks that person's language.
    if g.get("page_language"):
        return g.page_language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Deadlines and times are shown in Brussels time, with the zone named."""
    return "Europe/Brussels"


def country_name(code: str, language: str | None = None) -> str:
    """The member state's name in `language` (a letter's), else in the current interface language."""
    locale = Locale.parse(formatting_locale(language))
    return locale.territories.get(territory_code(code), code)


def language_name(code: str) -> str:
    """A language's name in the current interface language."""
    return Locale.parse(formatting_locale()).languages.get(code, code)


def mail_languages() -> list[str]:
    """The languages emails can be written in: those with a translation catalogue, and English."""
    from tracker.extensions import babel

    cached = current_app.extensions.get("tracker.mail_languages")
    if cached is None:
        cached = sorted({"en", *(str(locale) for locale in babel.list_translations())})
        current_app.extensions["tracker.mail_languages"] = cached
    return cached


def mail_language(*candidates: str | None) -> str:
    """The first candidate that emails can be written in, else English."""
    available = mail_languages()
    for candidate in candidates:
        if candidate and candidate in available:
            return candidate
    return "en"


#: The CLDR locale behind a language where the EU's usage differs from CLDR's default for it.
EU_LOCALES = {"en": "en_IE", "pt": "pt_PT"}


def formatting_locale(language: str | None = None) -> str:
    """The Babel locale for names, dates and numbers in `language` (else the interface's).

    English is Ireland's (day before month, 24-hour clock) and Portuguese is Portugal's, as the EU writes them.
    """
    language = language or str(get_locale() or "en")
    return EU_LOCALES.get(language, language)


def zoned_time(moment: datetime | None, zone: str) -> str:
    """A moment as date and time in another time zone, with its abbreviation ("15 Sept 2025, 18:00 EEST")."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone))
    day = dates.format_date(local.date(), "medium", locale=formatting_locale())
    return f"{day}, {local.strftime('%H:%M')} {local.strftime('%Z')}"


def brussels_time(moment: datetime | None) -> str:
    """A moment as date and time in Brussels, with the zone abbreviation ("15 Sept 2025, 17:00 CEST")."""
    return zoned_time(moment, "Europe/Brussels")


def format_day(day: date | None, format: str = "medium", language: str | None = None) -> str:  # noqa: A002
    """A calendar date in `language`, else the interface language (EU English for English)."""
    if day is None:
        return ""
    return dates.format_date(day, format, locale=formatting_locale(language))


def format_number(value: float | int | None, decimals: int = 1) -> str:
    """A number in the interface language's notation ("1 234,5" in French), with at most `decimals` decimals."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return numbers.format_decimal(value, pattern, locale=formatting_locale())


def kilobytes(size: int | None) -> str:
    """A file size in KB, in the interface language's notation ("12,3 KB")."""
    return f"{format_number((size or 0) / 1024)}\u00a0KB"


def init_app(app: Flask) -> None:
    """Expose the helpers to templates."""
    from tracker.accounts.forms import ROLE_CHOICES
    from tracker.appointments.labels import HOW_LABELS, KIND_IN_SENTENCE, STATE_LABELS
    from tracker.appointments.labels import KIND_LABELS as APPOINTMENT_KIND_LABELS
    from tracker.audit.labels import action_label, entity_label
    from tracker.contacts.forms import ROLE_LABELS
    from tracker.countries.labels import milestone_label
    from tracker.digests import labels as digests
    from tracker.events import labels as events
    from tracker.letters import labels as letters
    from tracker.mail.labels import KIND_LABELS, STATUS_LABELS
    from tracker.participation import labels as participation
    from tracker.reminders.labels import AUDIENCE_LABELS, DISPATCH_LABELS, step_label
    from tracker.tickets import labels as tickets

    role_labels = dict(ROLE_CHOICES)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        country_name=country_name, language_name=language_name, LANGUAGE_NAMES=LANGUAGE_NAMES,
        format_date=format_day, milestone_label=milestone_label, get_locale=get_locale,
        STATUS_LABELS=STATUS_LABELS, KIND_LABELS=KIND_LABELS, AUDIENCE_LABELS=AUDIENCE_LABELS,
        DISPATCH_LABELS=DISPATCH_LABELS, step_label=step_label,
        role_label=lambda role: role_labels.get(role, role),
        role_kind_label=lambda kind: ROLE_LABELS.get(kind, kind),
        APPOINTMENT_STATE_LABELS=STATE_LABELS, APPOINTMENT_KIND_LABELS=APPOINTMENT_KIND_LABELS,
        APPOINTMENT_HOW_LABELS=HOW_LABELS, APPOINTMENT_KIND_IN_SENTENCE=KIND_IN_SENTENCE,
        PARTICIPATION_LABELS=participation.STATUS_LABELS, PRIORITY_LABELS=participation.PRIORITY_LABELS,
        REUSE_LABELS=participation.REUSE_LABELS, READINESS_LABELS=participation.READINESS_LABELS,
        EVENT_KIND_LABELS=events.KIND_LABELS, EVENT_AUDIENCE_LABELS=events.AUDIENCE_LABELS,
        REGISTRATION_LABELS=events.REGISTRATION_LABELS, MATCH_LABELS=events.CATEGORY_LABELS,
        TOOL_LABELS=events.TOOL_LABELS, IMPORT_STATE_LABELS=events.IMPORT_STATE_LABELS, event_times=events.event_times,
        TICKET_STATUS_LABELS=tickets.STATUS_LABELS, TICKET_CATEGORY_LABELS=tickets.CATEGORY_LABELS,
        absolute_url=absolute_url, LETTER_KIND_LABELS=letters.KIND_LABELS, LETTER_SELECTION_LABELS=letters.SELECTION_LABELS,
        HEADLINE_LABELS=digests.HEADLINE_LABELS, DIGEST_KIND_LABELS=digests.KIND_LABELS, BRUSSELS_ZONE=ZoneInfo("Europe/Brussels"),
    )
    app.jinja_env.filters.update(
        brussels=brussels_time, zoned=zoned_time, number=format_number, kilobytes=kilobytes,
        action_label=action_label, entity_label=entity_label, language_name=language_name, milestone_label=milestone_label,
        country_name=country_name,
        role_kind_label=lambda kind: ROLE_LABELS.get(kind, kind),
        readiness_label=lambda code: participation.READINESS_LABELS.get(code, code),
        reuse_label=lambda code: participation.REUSE_LABELS.get(code, code),
    )
