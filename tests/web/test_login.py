"""The login page, signing in and out, and the home page's scoped list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from storedesk.conversations.models import Status
from tests.factories import ConversationFactory, CustomerFactory, UserFactory

WRONG_PASSWORD_ERROR = "That email and password do not match an active account."


def sign_in(client, email: str, password: str = "pw"):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_it_renders_the_login_page(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<link rel="stylesheet" href="/static/web/app.css">' in html
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "csrfmiddlewaretoken" in html
    assert WRONG_PASSWORD_ERROR not in html


def test_it_rejects_a_wrong_password(client, ana):
    response = sign_in(client, "ana@acme.test", "not-her-password")

    assert response.status_code == 200
    assert WRONG_PASSWORD_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_rejects_an_unknown_email(client, ana):
    response = sign_in(client, "nobody@acme.test", "pw")

    assert response.status_code == 200
    assert WRONG_PASSWORD_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_rejects_a_deactivated_agent(client, ana):
    ana.is_active = False
    ana.save(update_fields=["is_active"])

    response = sign_in(client, "ana@acme.test", "pw")

    assert response.status_code == 200
    assert WRONG_PASSWORD_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_in_and_redirects_home(client, ana):
    response = sign_in(client, "ana@acme.test")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(ana.pk)

    home = client.get(response["Location"])
    assert home.status_code == 200
    html = home.content.decode()
    assert "Hello, Ana Agent" in html
    assert "Acme Outfitters" in html
    assert "Sign out" in html


def test_it_signs_in_with_the_email_in_another_case(client, ana):
    response = sign_in(client, "Ana@Acme.test")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ana.pk)


def test_it_follows_next_after_signing_in(client, ana):
    response = client.post(reverse("login"), {"username": "ana@acme.test", "password": "pw", "next": "/healthz"})

    assert response.status_code == 302
    assert response["Location"] == "/healthz"


def test_it_does_not_follow_next_to_another_site(client, ana):
    response = client.post(
        reverse("login"), {"username": "ana@acme.test", "password": "pw", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_sends_a_signed_in_agent_from_login_to_home(client, ana):
    client.force_login(ana)

    response = client.get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_signs_out_with_a_post(client, ana):
    client.force_login(ana)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_does_not_sign_out_on_a_get(client, ana):
    client.force_login(ana)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(ana.pk)


def test_it_requires_login_for_home(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_it_lists_recent_open_conversations_of_the_agents_store(client, acme, ana, carla):
    waiting = ConversationFactory(store=acme, customer=carla, subject="Where is my parcel?")
    ConversationFactory(store=acme, customer=carla, subject="Old resolved question", status=Status.RESOLVED)
    client.force_login(ana)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [c.pk for c in response.context["conversations"]] == [waiting.pk]
    html = response.content.decode()
    assert "Where is my parcel?" in html
    assert "Carla Customer" in html
    assert "Old resolved question" not in html


def test_it_shows_only_the_agents_stores_conversations(client, acme, globex, gus, carla):
    acme_conversation = ConversationFactory(store=acme, customer=carla, subject="Acme secret refund")
    globex_customer = CustomerFactory(store=globex, name="Gina Globex")
    globex_conversation = ConversationFactory(store=globex, customer=globex_customer, subject="Globex question")
    client.force_login(gus)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [c.pk for c in response.context["conversations"]] == [globex_conversation.pk]
    assert [s.slug for s in response.context["stores"]] == ["globex"]
    html = response.content.decode()
    assert "Globex question" in html
    assert "Acme secret refund" not in html
    assert "Carla Customer" not in html
    assert "Acme Outfitters" not in html
    assert acme_conversation.pk not in [c.pk for c in response.context["conversations"]]


def test_it_shows_an_agent_without_stores_an_empty_page(client, acme, carla):
    ConversationFactory(store=acme, customer=carla, subject="Acme question")
    loner = UserFactory(email="loner@example.test", display_name="Lone Agent")
    client.force_login(loner)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.context["conversations"] == []
    assert "not a member of any store" in response.content.decode()
    assert "Acme question" not in response.content.decode()


def test_it_lists_at_most_25_conversations_newest_first(client, acme, ana, carla):
    conversations = ConversationFactory.create_batch(27, store=acme, customer=carla)
    client.force_login(ana)

    response = client.get(reverse("home"))

    listed = [c.pk for c in response.context["conversations"]]
    expected = sorted(conversations, key=lambda c: (c.last_message_at, c.pk), reverse=True)[:25]
    assert listed == [c.pk for c in expected]


@pytest.mark.parametrize("count", [2, 20])
def test_it_renders_home_in_a_constant_number_of_queries(
    client, acme, ana, ben, carla, count, django_assert_num_queries
):
    for n in range(count):
        ConversationFactory(
            store=acme,
            customer=CustomerFactory(store=acme, name=f"Customer {n}"),
            assignee=ben if n % 2 else None,
        )
    client.force_login(ana)

    # session, user, memberships (roles), stores, then the dashboard (tests/web/test_dashboard.py):
    # capped counts, oldest waiting, my open work, recent conversations with their joins
    with django_assert_num_queries(8):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert len(response.context["conversations"]) == count


def test_it_offers_the_demo_logins_on_the_login_page_in_debug(client, settings, db):
    settings.DEBUG = True
    UserFactory(email="agent@demo.test")

    html = client.get(reverse("login")).content.decode()

    assert "<code>agent@demo.test</code>" in html
    assert "<code>owner@demo.test</code>" not in html
    assert "<code>demo-password</code>" in html


def test_it_never_offers_demo_logins_without_debug(client, settings, db):
    settings.DEBUG = False
    UserFactory(email="agent@demo.test")

    html = client.get(reverse("login")).content.decode()

    assert "agent@demo.test" not in html
    assert "demo-password" not in html
