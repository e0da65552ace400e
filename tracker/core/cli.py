"""`flask translate init|update|compile|check`: pybabel around the catalogues, and how complete each is."""

from __future__ import annotations

import subprocess
import sys

import click
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import current_app
from flask.cli import AppGroup

from config import BASE_DIR

translate_cli = AppGroup("translate", help="Extract, update and compile the translations.")

#: Extraction keywords besides Babel's defaults: lazy_gettext as _l, and form_messages' N_plural.
EXTRACT_KEYWORDS = ("-k", "_l", "-k", "N_plural:1,2")
_POT = BASE_DIR / "translations" / "messages.pot"
_TRANSLATIONS = BASE_DIR / "translations"


def _pybabel(*args: str) -> None:
    """Run pybabel from this environment, failing loudly."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=BASE_DIR)


def extract() -> None:
    """Collect the messages from the code and templates into messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", *EXTRACT_KEYWORDS, "--sort-by-file", "--no-wrap",
             "--project", "tracker", "-o", str(_POT), ".")


@translate_cli.command("init")
@click.argument("language")
def init(language: str) -> None:
    """Start a catalogue for LANGUAGE."""
    extract()
    _pybabel("init", "-i", str(_POT), "-d", str(_TRANSLATIONS), "-l", language, "--no-wrap")


@translate_cli.command("update")
def update() -> None:
    """Extract again and merge new messages into every catalogue."""
    extract()
    _pybabel("update", "-i", str(_POT), "-d", str(_TRANSLATIONS), "--no-wrap", "--ignore-obsolete")


@translate_cli.command("compile")
def compile_catalogues() -> None:
    """Compile every catalogue to .mo (done by the set-up; .mo files are not committed)."""
    _pybabel("compile", "-d", str(_TRANSLATIONS), "--statistics")


def _read(path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def completeness(language: str) -> tuple[int, int, int]:
    """(translated, total, plural forms) of LANGUAGE's catalogue against messages.pot; fuzzy counts as not translated."""
    template = _read(_POT)
    wanted = {message.id for message in template if message.id}
    path = _TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return 0, len(wanted), 0
    catalog = _read(path)
    translated = 0
    for message in catalog:
        if message.id not in wanted or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and len(strings) == (catalog.num_plurals if isinstance(message.id, tuple) else 1):
            translated += 1
    return translated, len(wanted), catalog.num_plurals


@translate_cli.command("check")
@click.option("--strict", is_flag=True, help="Exit with status 1 unless every language is complete.")
def check(strict: bool) -> None:
    """Print, per interface language, the share of messages translated (a Markdown table, as in the README)."""
    from tracker.core.i18n import LANGUAGE_NAMES

    click.echo("| Language | Code | Translated | Share | Plural forms |")
    click.echo("| --- | --- | ---: | ---: | ---: |")
    incomplete = []
    for code in current_app.config["UI_LANGUAGES"]:
        if code == current_app.config["BABEL_DEFAULT_LOCALE"]:
            continue  # the source language
        translated, total, plurals = completeness(code)
        share = 100 * translated / total if total else 100.0
        if translated < total:
            incomplete.append(code)
        click.echo(f"| {LANGUAGE_NAMES.get(code, code)} | {code} | {translated} / {total} | "
                   f"{share:.1f} % | {plurals} |")
    if incomplete:
        click.echo(f"Incomplete: {', '.join(incomplete)}", err=True)
        if strict:
            raise SystemExit(1)
