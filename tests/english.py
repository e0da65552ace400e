"""Finding English left in a text meant for another language: what the language tests look for."""

from __future__ import annotations

import re
from functools import cache

import sqlalchemy as sa
from babel.messages.pofile import read_po

from config import BASE_DIR
from tracker.extensions import db

TRANSLATIONS = BASE_DIR / "translations"
#: Words that are English in any sentence and are no word of the other 23 languages.
ENGLISH_WORDS = re.compile(
    r"\b(the|your|you|with|this|which|please|their|there|should|from|when|where|what|these|those|about|into|"
    r"been|has|have|was|were|will|can't|don't|isn't)\b",
    re.IGNORECASE,
)
#: Words of that list that are also words of another language (Dutch "been", German "will", Hungarian "has").
SAME_IN = {"nl": {"been", "was"}, "de": {"will", "was"}, "hu": {"has"}}
#: The text a person reads on a page, and the texts read out to them (labels, alternatives, titles).
VISIBLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('[aria-label], [alt], [title], [placeholder]')) {
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
    }
  }
  return parts.join('\\n');
}"""
#: A code shown instead of its label ("request_confirmation").
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
SPLIT = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}|<[^>]+>|\n")


def _words(text: str) -> str:
    return " ".join(text.split())


@cache
def _english_fragments(language: str) -> tuple[str, ...]:
    """Pieces (two words or more) of English messages whose translation into `language` differs from them."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    fragments = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = " ".join(strings)
        for source in ids:
            for piece in SPLIT.split(source):
                piece = _words(piece).strip(" .:;,()–-")
                if len(piece.split()) >= 2 and len(piece) >= 10 and piece not in translated:
                    fragments.add(piece)
    return tuple(sorted(fragments, key=len, reverse=True))


@cache
def data_strings() -> tuple[str, ...]:
    """Every text value in the database (names, titles, messages people wrote), longest first."""
    values = set()
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, sa.String | sa.Text)]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            values.update(_words(value) for value in row if isinstance(value, str) and len(value.strip()) >= 4)
    return tuple(sorted(values, key=len, reverse=True))


def english_left(text: str, language: str) -> list[str]:
    """The English found in a page's text once the data (names, titles, what people wrote) is taken out."""
    text = _words(text)
    for value in data_strings():
        if value in text:
            text = text.replace(value, " ")
    found = [f"message {fragment!r}" for fragment in _english_fragments(language) if fragment in text]
    found += [f"code {code!r}" for code in CODE.findall(text)]
    allowed = SAME_IN.get(language, set())
    for match in ENGLISH_WORDS.finditer(text):
        if match.group(1).lower() not in allowed:
            found.append(f"word {match.group(1)!r} in …{text[max(0, match.start() - 40):match.end() + 40]}…")
    return found
