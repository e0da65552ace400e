"""`flask translate init|update|compile`: thin wrappers around pybabel."""

from __future__ import annotations

import subprocess
import sys

import click
from flask.cli import AppGroup

from config import BASE_DIR

translate_cli = AppGroup("translate", help="Extract, update and compile the translations.")

_POT = BASE_DIR / "translations" / "messages.pot"
_TRANSLATIONS = BASE_DIR / "translations"


def _pybabel(*args: str) -> None:
    """Run pybabel from this environment, failing loudly."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=BASE_DIR)


def extract() -> None:
    """Collect the messages from the code and templates into messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--sort-by-file", "--no-wrap",
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
