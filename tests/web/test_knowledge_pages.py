"""Specs for the articles page: leads and admins list, write, edit, publish and unpublish the
store's knowledge articles through the knowledge actions; agents read; other stores' articles
are out of reach; the list costs the same queries for one article or twenty."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storedesk.core.models import AuditEvent, Role
from storedesk.knowledge.actions import do_save_article
from storedesk.knowledge.models import Article
from tests.factories import agent_of

pytestmark = pytest.mark.django_db

LIST = reverse("knowledge_articles")
NEW = reverse("knowledge_article_new")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(article: Article) -> str:
    return reverse("knowledge_article_edit", args=[article.pk])


def toggle_url(article: Article) -> str:
    return reverse("knowledge_article_published", args=[article.pk])


@pytest.fixture
def sizing(acme) -> Article:
    return do_save_article(None, acme, title="Sizing", body="Our boots run small.", keywords=["run small"])


def test_a_lead_sees_the_articles_with_the_controls_to_change_them(leo, sizing):
    page = client_for(leo).get(LIST + "?store=acme").content.decode()

    assert page.count('data-testid="article-row"') == 1
    assert "Our boots run small." in page
    assert 'data-testid="new-article"' in page
    assert 'data-testid="article-edit"' in page
    assert 'data-testid="article-toggle"' in page


def test_an_agent_reads_the_articles_without_controls(ana, sizing):
    response = client_for(ana).get(LIST)
    page = response.content.decode()

    assert response.status_code == 200
    assert page.count('data-testid="article-row"') == 1
    assert "Team leads and admins edit them." in page
    assert 'data-testid="new-article"' not in page
    assert 'data-testid="article-edit"' not in page
    assert 'data-testid="article-toggle"' not in page


def test_the_top_bar_links_to_the_articles(ana):
    assert f'href="{LIST}" data-testid="topbar-articles"' in client_for(ana).get(LIST).content.decode()


def test_the_list_costs_the_same_queries_for_one_article_or_twenty(leo, acme, sizing):
    client = client_for(leo)
    client.get(LIST + "?store=acme")  # warm up (session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST + "?store=acme").status_code == 200
    for i in range(19):
        do_save_article(None, acme, title=f"Article {i}", body="Text.", published=i % 2 == 0)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(LIST + "?store=acme")
    assert response.content.decode().count('data-testid="article-row"') == 20
    assert len(twenty) == len(one)


def test_a_lead_writes_an_article(leo, acme):
    response = client_for(leo).post(
        NEW,
        {
            "store": "acme",
            "title": "Gift wrapping",
            "body": "We wrap any order for £3.",
            "keywords": "gift wrap, Wrapping",
            "intents": ["place_order", "not_an_intent"],
            "published": "on",
        },
    )

    assert (response.status_code, response["Location"]) == (302, LIST + "?store=acme")
    article = Article.objects.get()
    assert (article.store, article.slug, article.title, article.body, article.keywords, article.intents) == (
        acme,
        "gift-wrapping",
        "Gift wrapping",
        "We wrap any order for £3.",
        ["gift wrap", "wrapping"],
        ["place_order"],
    )
    assert article.published is True
    assert AuditEvent.objects.get(verb="article.saved").actor == leo


def test_a_new_article_never_overwrites_one_with_the_same_title(leo, sizing):
    response = client_for(leo).post(NEW, {"store": "acme", "title": "Sizing", "body": "Other text."})

    assert response.status_code == 400
    assert "An article with the address “sizing” exists already." in response.content.decode()
    sizing.refresh_from_db()
    assert (Article.objects.count(), sizing.body) == (1, "Our boots run small.")


def test_editing_keeps_the_article_and_its_address(olivia, sizing):
    client = client_for(olivia)
    assert 'value="Sizing"' in client.get(edit_url(sizing) + "?store=acme").content.decode()

    response = client.post(
        edit_url(sizing), {"store": "acme", "title": "Sizing and fit", "body": "Order one size up.", "keywords": ""}
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.pk, article.slug, article.title, article.body, article.keywords, article.published) == (
        sizing.pk,
        "sizing",
        "Sizing and fit",
        "Order one size up.",
        [],
        False,
    )


def test_a_lead_unpublishes_and_republishes_an_article_in_place(leo, sizing):
    client = client_for(leo)

    row = client.post(toggle_url(sizing), {"store": "acme", "published": "0"}, HTTP_HX_REQUEST="true")

    assert row.status_code == 200
    html = row.content.decode()
    assert html.strip().startswith('<tr data-testid="article-row"')
    assert ">Unpublished<" in html and ">Publish<" in html
    sizing.refresh_from_db()
    assert sizing.published is False

    client.post(toggle_url(sizing), {"store": "acme", "published": "1"}, HTTP_HX_REQUEST="true")
    sizing.refresh_from_db()
    assert sizing.published is True
    assert list(
        AuditEvent.objects.filter(verb__startswith="article.").order_by("id").values_list("verb", flat=True)
    ) == [
        "article.saved",
        "article.unpublished",
        "article.published",
    ]


def test_an_agent_cannot_write_edit_or_unpublish(ana, sizing):
    client = client_for(ana)

    assert client.get(NEW + "?store=acme").status_code == 403
    assert client.post(NEW, {"store": "acme", "title": "New", "body": "x"}).status_code == 403
    assert client.post(edit_url(sizing), {"store": "acme", "title": "Hacked", "body": "x"}).status_code == 403
    assert client.post(toggle_url(sizing), {"store": "acme", "published": "0"}).status_code == 403

    sizing.refresh_from_db()
    assert (Article.objects.count(), sizing.title, sizing.published) == (1, "Sizing", True)
    assert AuditEvent.objects.filter(verb__startswith="article.").count() == 1


def test_another_stores_lead_cannot_reach_the_article(globex, sizing):
    gina = agent_of(globex, Role.LEAD, email="gina@globex.test")
    client = client_for(gina)

    assert client.get(edit_url(sizing) + "?store=globex").status_code == 404
    assert client.post(toggle_url(sizing), {"store": "globex", "published": "0"}).status_code == 404
    assert client.get(LIST + "?store=acme").status_code == 404
    assert 'data-testid="article-row"' not in client.get(LIST).content.decode()

    sizing.refresh_from_db()
    assert sizing.published is True


def test_it_needs_a_sign_in(client, sizing):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
