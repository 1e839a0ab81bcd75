"""`storedesk demo`: the demo stores `make run` loads, and loading twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from storedesk.conversations.models import Conversation, Customer, Identity, Macro, Message, Status, Tag
from storedesk.core.models import AuditEvent, Membership, Role, Store, Team, User
from storedesk.demo.loader import DEMO_SLUG, load_demo

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    models = [Store, User, Membership, Team, Customer, Identity, Conversation, Message, Tag, Macro, AuditEvent]
    return {model.__name__: model.objects.count() for model in models}


def test_it_loads_two_stores_with_the_documented_volume():
    summary = load_demo(customers=300, conversations=200)

    assert summary.created is True
    assert summary.stores == ["Northwind Outfitters", "Harbor Home"]
    assert summary.customers == 300
    assert summary.conversations == 200
    assert Message.objects.filter(store__slug=DEMO_SLUG).count() >= 200
    assert Conversation.objects.filter(store__slug="demo-home").count() == 20
    assert Customer.objects.filter(store__slug="demo-home").count() == 30


def test_it_gives_each_demo_login_its_role_and_the_published_password():
    load_demo(customers=30, conversations=20)
    store = Store.objects.get(slug=DEMO_SLUG)

    roles = dict(Membership.objects.filter(store=store).values_list("user__email", "role"))

    assert roles["owner@demo.test"] == Role.ADMIN
    assert roles["lead@demo.test"] == Role.LEAD
    assert roles["agent@demo.test"] == Role.AGENT
    for email in ("owner@demo.test", "lead@demo.test", "agent@demo.test"):
        assert authenticate(email=email, password="demo-password") is not None, email
    assert authenticate(email="sam@demo.test", password="demo-password") is None


def test_it_makes_an_inbox_worth_looking_at():
    load_demo(customers=100, conversations=100)
    conversations = Conversation.objects.filter(store__slug=DEMO_SLUG)

    statuses = set(conversations.values_list("status", flat=True))
    channels = set(conversations.values_list("channel", flat=True))

    assert statuses == set(Status.values)
    assert {"email", "chat", "social"} <= channels
    assert conversations.filter(assignee__isnull=True, status=Status.OPEN).exists()
    # Backdated: open work spread over the past, never in the future.
    oldest = conversations.order_by("created_at").first()
    newest = conversations.order_by("-last_message_at").first()
    assert oldest is not None and newest is not None
    assert oldest.created_at < newest.last_message_at
    for conversation in conversations:
        assert conversation.created_at <= conversation.last_message_at
        if conversation.first_response_at is not None:
            assert conversation.first_response_at >= conversation.created_at


def test_it_changes_nothing_when_run_twice():
    out = StringIO()
    call_command("demo", "--customers", "40", "--conversations", "30", stdout=out)
    before = table_counts()

    call_command("demo", "--customers", "40", "--conversations", "30", stdout=out)

    assert table_counts() == before
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Loaded Northwind Outfitters, Harbor Home — main store: 40 customers, 30 conversations")
    assert lines[2].startswith("Demo already loaded: Northwind Outfitters, Harbor Home — main store: 40 customers")
    assert lines[3] == "Demo logins (password demo-password): owner@demo.test, lead@demo.test, agent@demo.test"
