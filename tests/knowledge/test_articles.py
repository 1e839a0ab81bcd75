"""Specs for knowledge articles: saved by slug (created, then updated), audited, admins only;
the bot's article match scores intents and keywords within one store's published articles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storedesk.core.errors import ActionError, PermissionDenied
from storedesk.core.models import AuditEvent
from storedesk.knowledge.actions import do_save_article, do_set_article_published
from storedesk.knowledge.demo import load_demo_articles
from storedesk.knowledge.models import Article
from storedesk.knowledge.queries import best_article

pytestmark = pytest.mark.django_db


def test_it_creates_then_updates_an_article_by_slug(acme, olivia):
    first = do_save_article(olivia, acme, title="Sizing", body="True to size.", keywords=["Run  Small", "fit", "fit"])
    second = do_save_article(olivia, acme, slug="sizing", title="Sizing and fit", body="Fits true.", published=False)

    assert first.pk == second.pk
    article = Article.objects.get()
    assert (article.slug, article.title, article.body, article.keywords, article.published) == (
        "sizing",
        "Sizing and fit",
        "Fits true.",
        [],
        False,
    )
    assert list(AuditEvent.objects.filter(verb="article.saved").order_by("id").values_list("after", flat=True)) == [
        {"title": "Sizing", "published": True},
        {"title": "Sizing and fit", "published": False},
    ]


def test_it_keeps_keywords_lower_case_and_distinct(acme):
    article = do_save_article(None, acme, title="Sizing", body="x", keywords=["Run  Small", "fit", "FIT", " "])

    assert article.keywords == ["run small", "fit"]


def test_an_agent_cannot_write_articles(acme, ana):
    with pytest.raises(PermissionDenied):
        do_save_article(ana, acme, title="Sizing", body="True to size.")

    assert Article.objects.count() == 0


def test_it_matches_the_article_of_the_intent_or_keywords(acme):
    load_demo_articles(acme)

    assert best_article(acme.pk, "When will it arrive?", "delivery_period").article.slug == "shipping"
    assert best_article(acme.pk, "do these run small", None).article.slug == "sizing"
    assert best_article(acme.pk, "Do you sell gift cards?", "check_payment_methods").article.slug == "gift-cards"
    assert best_article(acme.pk, "Do you have a shop in Leeds?", "other") is None


def test_it_matches_only_the_stores_published_articles_in_one_query(acme, globex):
    load_demo_articles(globex)
    do_save_article(None, acme, title="Sizing", body="Draft.", keywords=["run small"], published=False)

    with CaptureQueriesContext(connection) as queries:
        match = best_article(acme.pk, "do these run small", None)

    assert match is None
    assert len(queries) == 1


def test_a_lead_may_write_articles(acme, leo):
    assert do_save_article(leo, acme, title="Sizing", body="True to size.").published is True


def test_it_unpublishes_then_publishes_an_article_audited_once_each(acme, leo):
    article = do_save_article(None, acme, title="Sizing", body="True to size.")

    do_set_article_published(leo, article, published=False)
    do_set_article_published(leo, article, published=False)  # already: nothing to record
    do_set_article_published(leo, article, published=True)

    article.refresh_from_db()
    assert article.published is True
    assert list(AuditEvent.objects.filter(object_type="article").order_by("id").values_list("verb", "after")) == [
        ("article.saved", {"title": "Sizing", "published": True}),
        ("article.unpublished", {"published": False}),
        ("article.published", {"published": True}),
    ]


def test_an_agent_cannot_unpublish_an_article(acme, ana):
    article = do_save_article(None, acme, title="Sizing", body="True to size.")

    with pytest.raises(PermissionDenied):
        do_set_article_published(ana, article, published=False)

    article.refresh_from_db()
    assert article.published is True


def test_it_refuses_to_create_over_an_existing_slug(acme):
    do_save_article(None, acme, title="Sizing", body="True to size.")

    with pytest.raises(ActionError) as refused:
        do_save_article(None, acme, title="Sizing", body="Other.", new=True)

    assert refused.value.code == "slug_taken"
    assert Article.objects.get().body == "True to size."
