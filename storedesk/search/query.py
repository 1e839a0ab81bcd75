"""The search box's language, parsed into terms every backend can express safely.

    refund damaged          both words (AND), each stemmed and accent-folded
    "blue jacket"           a phrase: the words next to each other
    refu*                   a prefix (at least two letters or digits before the *)
    carla@example.com       an email address: its parts as a phrase
    +44 7700 900123         a phone number: its last ten digits, or the digits as written

Anything else a user types is text, never syntax: operators (AND, OR, NOT, -, parentheses,
column filters) are not recognised, so no input can make the database raise. Backends
receive only `Phrase`, `Prefix` and `AnyOf` values, quote them themselves and never splice
the user's text into a query string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
PHONE_MIN_DIGITS = 7
PHONE_KEY_DIGITS = 10  # a number is matched on its last ten digits: national and +country forms meet

_PHRASE = re.compile(r'"([^"]*)"')
# A run of digits with the separators people type in phone numbers, not glued to a word.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().\-]{5,}\d(?!\w)")
_PREFIX_CORE = re.compile(r"[^\W_]{2,}")  # letters and digits only: safe in FTS5 and tsquery


@dataclass(frozen=True)
class Phrase:
    """Words that must appear in this order, next to each other (one word is a phrase too).
    `text` is the user's text; the backend's tokenizer splits and normalises it."""

    text: str


@dataclass(frozen=True)
class Prefix:
    """Any word starting with `stem` (letters and digits only)."""

    stem: str


@dataclass(frozen=True)
class AnyOf:
    """Either of these phrases (a phone number in its two spellings)."""

    options: tuple[Phrase, ...]


Term = Phrase | Prefix | AnyOf


def phone_key(digits: str) -> str:
    """The part of a phone number's digits that search compares: the last ten."""
    return digits[-PHONE_KEY_DIGITS:]


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _phone_term(run: str) -> Term:
    key = phone_key(re.sub(r"\D", "", run))
    written = run.strip()
    if written == key:
        return Phrase(key)
    return AnyOf((Phrase(key), Phrase(written)))


def _word_term(word: str, *, as_prefix: bool) -> Term | None:
    if word.endswith("*") or as_prefix:
        stem = word.rstrip("*")
        if _PREFIX_CORE.fullmatch(stem):
            return Prefix(stem)
        word = stem
    return Phrase(word) if _has_word(word) else None


def parse(text: str, *, prefix_last: bool = False) -> list[Term]:
    """The terms of a search box's text, in order, without duplicates; [] when nothing is searchable.

    `prefix_last` treats the last bare word as a prefix (search as you type).
    """
    text = text[:MAX_QUERY_CHARS].replace("\x00", " ")
    terms: list[Term] = []

    def add(term: Term | None) -> None:
        if term is not None and term not in terms:
            terms.append(term)

    phrases = [p.strip() for p in _PHRASE.findall(text)]
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    for phrase in phrases:
        if _has_word(phrase):
            add(Phrase(" ".join(phrase.split())))
    for run in _PHONE.findall(rest):
        if sum(ch.isdigit() for ch in run) >= PHONE_MIN_DIGITS:
            add(_phone_term(run))
            rest = rest.replace(run, " ", 1)
    words = rest.split()
    for i, word in enumerate(words):
        add(_word_term(word, as_prefix=prefix_last and i == len(words) - 1 and not text.endswith(" ")))
    return terms[:MAX_TERMS]
