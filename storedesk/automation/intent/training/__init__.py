"""Training examples for the intent engine, generated from our own phrases.

`examples()` expands the phrases in `phrases.py` with the wrappers and slot fillers in
`slots.py` — a seeded random walk, so the same code always yields the same examples — and
adds the noise real messages carry: lowercase, a typo, texting spellings, an intensifier.
No third-party text is used; see docs/intent.md.
"""

from __future__ import annotations

import random
import re
from functools import cache

from . import slots
from .phrases import PHRASES

PER_INTENT = 400
SEED = 20261123
KIND_WEIGHTS = {"do": 0.35, "doing": 0.2, "about": 0.15, "say": 0.3}
WRAPPERS = {
    "do": slots.DO_WRAPPERS,
    "doing": slots.DOING_WRAPPERS,
    "about": slots.ABOUT_WRAPPERS,
    "say": slots.SAY_WRAPPERS,
}
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_SPACES = re.compile(r"\s+")
_TEXTING = [(r"\byou\b", "u"), (r"\byou\b", "ya"), (r"\byour\b", "ur"), (r"\bI'm\b", "im"), (r"\bdon't\b", "dont"),
            (r"\bcan't\b", "cant"), (r"\bplease\b", "plz"), (r"\bwant to\b", "wanna"), (r"\bI\b", "i")]  # fmt: skip


def _number(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 14)))


def _order(rng: random.Random) -> str:
    word = rng.choice(slots.ORDER_WORDS)
    number = _number(rng)
    return rng.choice(
        [f"{word} {number}", f"{word} #{number}", f"my {word} {number}", f"{word} number {number}",
         f"my {word}", f"the {word}", f"my last {word}", f"the {word} I made", f"{word} no. {number}",
         f"the {word} {number}", f"{word} {number}", f"my {word} #{number}", f"{word} ORD-{number[:6]}"]
    )  # fmt: skip


def _amount(rng: random.Random) -> str:
    value = str(rng.choice([rng.randint(5, 2000), rng.randint(5, 200)]))
    if rng.random() < 0.2:
        value += f".{rng.randint(10, 99)}"
    return rng.choice(slots.CURRENCY).format(n=value)


def _invoice(rng: random.Random) -> str:
    noun = rng.choice(["invoice", "bill", "invoice", "receipt", "invoices", "bills"])
    det = rng.choice(["my ", "the ", "", "my ", "an "]) if not noun.endswith("s") else rng.choice(["my ", "the ", ""])
    if det == "an " and not noun.startswith("i"):
        det = "a "
    ref = rng.choice(
        [f" #{_number(rng)[:6]}", f" number {_number(rng)[:6]}", f" from {rng.choice(slots.PERIODS)}",
         f" for {_order(rng)}", f" from {rng.choice(slots.PEOPLE)}", "", ""]
    )  # fmt: skip
    return f"{det}{noun}{ref}"


def _fill(slot: str, rng: random.Random) -> str:
    fillers = {
        "order": lambda: _order(rng),
        "item": lambda: rng.choice(slots.ITEMS),
        "acct": lambda: rng.choice(slots.ACCOUNT_TYPES),
        "relative": lambda: rng.choice(slots.RELATIVES),
        "paymethod": lambda: rng.choice(slots.PAY_METHODS),
        "place": lambda: rng.choice(slots.PLACES),
        "person": lambda: rng.choice(slots.PEOPLE),
        "period": lambda: rng.choice(slots.PERIODS),
        "amount": lambda: _amount(rng),
        "invoice": lambda: _invoice(rng),
    }
    return fillers[slot]()


def render(template: str, rng: random.Random) -> str:
    """Pick one alternative of every `[a|b]` and fill every `{slot}`."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    text = _SLOT.sub(lambda m: _fill(m.group(1), rng), text)
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), text)
    return _SPACES.sub(" ", text).strip()


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # drop one
        return word[:i] + word[i + 1 :]
    if kind == 2:  # double one
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiounrst") + word[i + 1 :]


def noisy(text: str, rng: random.Random) -> str:
    """The noise of real messages: case, a typo, texting spellings, an intensifier."""
    if rng.random() < 0.35:
        for pattern, replacement in rng.sample(_TEXTING, 2):
            text = re.sub(pattern, replacement, text)
    words = text.split(" ")
    if rng.random() < 0.25:
        i = rng.randrange(len(words))
        words[i] = _typo(words[i], rng)
    if rng.random() < 0.06 and len(words) > 2:
        words.insert(rng.randrange(1, len(words)), rng.choice(slots.INTENSIFIERS))
    text = " ".join(words)
    if rng.random() < 0.45:
        text = text.lower()
    elif rng.random() < 0.5:
        text = text[:1].upper() + text[1:]
    return text


def _one(intent: str, rng: random.Random) -> str:
    groups = PHRASES[intent]
    kinds = [kind for kind in KIND_WEIGHTS if groups.get(kind)]
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    phrase = render(rng.choice(groups[kind]), rng)
    text = rng.choice(WRAPPERS[kind]).format(x=phrase)
    text = rng.choice(slots.PREFIXES) + text + rng.choice(slots.SUFFIXES)
    return noisy(_SPACES.sub(" ", text).strip(), rng)


@cache
def examples(per_intent: int = PER_INTENT, seed: int = SEED) -> tuple[tuple[str, str], ...]:
    """(text, intent) pairs: up to `per_intent` distinct texts for every intent."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for intent in sorted(PHRASES):
        seen: set[str] = set()
        for _ in range(per_intent * 5):
            if len(seen) >= per_intent:
                break
            text = _one(intent, rng)
            if text not in seen:
                seen.add(text)
                out.append((text, intent))
    return tuple(out)


INTENTS: tuple[str, ...] = tuple(sorted(PHRASES))
