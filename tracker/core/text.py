"""Text folding shared by several domains: transliteration of names to plain ASCII."""

from __future__ import annotations

import re
import unicodedata

# The tables pair a string of source letters with their Latin spellings, one per letter
# (zip(strict=True) checks the counts at import).

#: Greek letters (accents already stripped) to Latin, after ELOT 743 simplified.
_GREEK: dict[str, str] = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        ("a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n",
         "x", "o", "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o"),
        strict=True,
    )
)  # fmt: skip

#: Greek vowel pairs with upsilon, spelled out so no look-alike letters hide in the source.
_GREEK_DIGRAPHS: dict[str, str] = {
    "\N{GREEK SMALL LETTER OMICRON}\N{GREEK SMALL LETTER UPSILON}": "ou",
    "\N{GREEK SMALL LETTER ALPHA}\N{GREEK SMALL LETTER UPSILON}": "av",
    "\N{GREEK SMALL LETTER EPSILON}\N{GREEK SMALL LETTER UPSILON}": "ev",
}

#: Cyrillic letters to Latin (Bulgarian streamlined system, plus a few Russian/Ukrainian).
_CYRILLIC: dict[str, str] = dict(
    zip(
        "абвгдежзийклмнопрстуфхцчшщъьюяёыэіїєґ",
        ("a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
         "o", "p", "r", "s", "t", "u", "f", "h", "ts", "ch", "sh", "sht", "a", "y",
         "yu", "ya", "yo", "y", "e", "i", "yi", "ye", "g"),
        strict=True,
    )
)  # fmt: skip

#: Latin letters that NFKD does not decompose into an ASCII base letter.
_LATIN_EXTRA: dict[str, str] = dict(
    zip(
        "ßæøœłđðþħı",
        ("ss", "ae", "o", "oe", "l", "d", "d", "th", "h", "i"),
        strict=True,
    )
)  # fmt: skip

_NOT_SLUG = re.compile(r"[^a-z0-9.]+")


def _to_ascii(text: str) -> str:
    """Lower-case ASCII letters for `text` in Latin, Greek or Cyrillic script (other characters kept)."""
    text = unicodedata.normalize("NFC", text).lower()
    # Cyrillic first: NFKD would split й and ё into a base letter and a mark.
    text = "".join(_CYRILLIC.get(char, char) for char in text)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    for digraph, latin in _GREEK_DIGRAPHS.items():
        text = text.replace(digraph, latin)
    return "".join(_GREEK.get(char, _LATIN_EXTRA.get(char, char)) for char in text)


def ascii_slug(text: str) -> str:
    """Transliterate `text` to lower-case ASCII made of [a-z0-9.-] (e.g. for demo emails)."""
    text = _NOT_SLUG.sub("-", _to_ascii(text))
    text = re.sub(r"-*\.[-.]*", ".", text)
    return text.strip(".-")


_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold_name(text: str) -> str:
    """A name reduced for comparison: ASCII letters and digits, words separated by one space."""
    return " ".join(_NOT_WORD.sub(" ", _to_ascii(text)).split())
