"""The search results page (/search/) and the top bar's search box."""

from __future__ import annotations

import pytest
from django.urls import reverse

from storedesk.conversations import actions
from storedesk.web.search_views import PAGE_SIZE
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_it_puts_a_search_box_in_the_top_bar(client, ana):
    client.force_login(ana)

    html = client.get(reverse("home")).content.decode()

    assert '<form class="topbar-search" method="get" action="/search/" role="search">' in html
    assert 'name="q" data-shortcut="/"' in html


def test_it_shows_ranked_highlighted_results_linking_to_the_conversation(client, acme, ana, carla, converse):
    conversation = converse(acme, carla, "I would like a refund for the lamp", subject="Refund request")
    converse(acme, carla, "Where is my parcel?")
    client.force_login(ana)

    response = client.get(reverse("search"), {"q": "refund"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="search-hit"') == 1
    assert f'<a class="hit-subject" href="/c/{conversation.pk}/"><mark>Refund</mark> request</a>' in html
    assert "I would like a <mark>refund</mark> for the lamp" in html
    assert 'value="refund"' in html
    assert "Carla Customer" in html


def test_it_escapes_what_agents_and_customers_wrote(client, acme, ana, carla, converse):
    converse(acme, carla, "<script>alert(1)</script> refund", subject="<img src=x onerror=alert(2)> refund")
    client.force_login(ana)

    html = client.get(reverse("search"), {"q": 'refund "><script>alert(3)</script>'}).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html


def test_it_says_when_nothing_matches(client, acme, ana, carla, converse):
    converse(acme, carla, "Where is my parcel?")
    client.force_login(ana)

    html = client.get(reverse("search"), {"q": "refund"}).content.decode()

    assert 'data-testid="search-empty"' in html
    assert 'data-testid="search-hit"' not in html


def test_it_explains_the_syntax_without_a_query(client, ana):
    client.force_login(ana)

    html = client.get(reverse("search")).content.decode()

    assert 'data-testid="search-help"' in html


def test_it_shows_gus_nothing_of_acme(client, acme, globex, gus, carla, converse):
    converse(acme, carla, "Refund for the lamp")
    client.force_login(gus)

    html = client.get(reverse("search"), {"q": "refund"}).content.decode()

    assert 'data-testid="search-empty"' in html


def test_it_pages_through_results(client, acme, ana, carla, converse):
    for i in range(PAGE_SIZE + 2):
        converse(acme, carla, f"Refund number {i}")
    client.force_login(ana)

    first = client.get(reverse("search"), {"q": "refund"}).content.decode()
    second = client.get(reverse("search"), {"q": "refund", "page": "2"}).content.decode()
    bogus = client.get(reverse("search"), {"q": "refund", "page": "nope"}).content.decode()

    assert first.count('data-testid="search-hit"') == PAGE_SIZE
    assert '<a href="/search/?q=refund&amp;page=2" rel="next" data-testid="search-next">' in first
    assert second.count('data-testid="search-hit"') == 2
    assert '<a href="/search/?q=refund&amp;page=1" rel="prev" data-testid="search-previous">' in second
    assert 'data-testid="search-next"' not in second
    assert bogus.count('data-testid="search-hit"') == PAGE_SIZE


def test_it_asks_to_sign_in(client, db):
    response = client.get(reverse("search"), {"q": "refund"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_renders_in_a_constant_number_of_queries(client, acme, ana, carla, converse, django_assert_num_queries):
    converse(acme, carla, "Refund please")
    client.force_login(ana)
    client.get(reverse("search"), {"q": "refund"})  # warm up
    with django_assert_num_queries(9) as few:  # … and one for orders (storedesk.commerce.queries.order_hits)
        client.get(reverse("search"), {"q": "refund"})
    for i in range(5):
        customer = CustomerFactory(store=acme, name=f"Person {i}")
        conversation = converse(acme, customer, f"Refund number {i}")
        actions.do_assign(ana, conversation, assignee=ana)

    with django_assert_num_queries(len(few)):
        response = client.get(reverse("search"), {"q": "refund"})

    assert response.content.decode().count('data-testid="search-hit"') == 6
