"""Which published article answers a question: a plain intent + keyword score, no full-text
search (a store has tens of articles, not thousands)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storedesk.knowledge.models import Article

MAX_ARTICLES = 500
# One signal is enough to answer (a wrong answer costs one "that didn't help"; two hand off).
# A keyword the customer typed beats an intent the classifier guessed; a phrase beats a word.
INTENT_POINTS = 2  # the article says it answers the detected intent
PHRASE_POINTS = 3  # a keyword of two or more words is in the question
WORD_POINTS = 2  # a one-word keyword is in the question
MIN_SCORE = 2  # below this the bot has no answer and gets a person


@dataclass(frozen=True)
class Match:
    article: Article
    score: int


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))) + " "


def score(article: Article, words: str, intent: str | None) -> int:
    points = INTENT_POINTS if intent and intent in article.intents else 0
    for keyword in article.keywords:
        phrase = _words(keyword)
        if phrase.strip() and phrase in words:
            points += PHRASE_POINTS if " " in phrase.strip() else WORD_POINTS
    return points


def store_articles(store_id: int) -> list[Article]:
    """The articles page: every article of the store, by title. One query, whatever their
    number (store_id = ? ORDER BY title: the store prefix of article_store_slug_uniq; a store
    has tens of articles, the sort is in memory)."""
    return list(Article.objects.filter(store_id=store_id).order_by("title", "id")[:MAX_ARTICLES])


def best_article(store_id: int, text: str, intent: str | None = None) -> Match | None:
    """The best published article of the store for `text` (ties: the oldest), or None when
    nothing scores MIN_SCORE. One query (serves article_published_idx)."""
    words = _words(text)
    best: Match | None = None
    for article in Article.objects.filter(store_id=store_id, published=True).order_by("id")[:MAX_ARTICLES]:
        points = score(article, words, intent)
        if points >= MIN_SCORE and (best is None or points > best.score):
            best = Match(article, points)
    return best
