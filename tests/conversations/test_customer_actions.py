"""Specs for customer writers: identity resolution and merge."""

from __future__ import annotations

import pytest

from storedesk.conversations import actions
from storedesk.conversations.models import Customer, Identity
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import AuditEvent
from tests.factories import ConversationFactory, CustomerFactory, IdentityFactory, MessageFactory


def test_it_resolves_a_known_email_case_insensitively(acme, carla):
    customer, created = actions.resolve_customer(acme, "email", "  Carla@Mail.TEST ")
    assert (customer, created) == (carla, False)


def test_it_creates_a_customer_for_a_new_identity(acme):
    customer, created = actions.resolve_customer(acme, "phone", "+44 7700 900123", name="Dev Patel")
    assert created is True
    assert customer.name == "Dev Patel"
    assert list(customer.identities.values_list("kind", "value")) == [("phone", "+447700900123")]


def test_it_keeps_identities_per_store(acme, globex, carla):
    customer, created = actions.resolve_customer(globex, "email", "carla@mail.test")
    assert created is True
    assert customer.store == globex
    assert customer != carla


def test_it_refuses_an_identity_that_belongs_to_someone_else(acme, carla, ana):
    other = CustomerFactory(store=acme)
    with pytest.raises(ActionError, match="belongs to another customer"):
        actions.do_add_identity(ana, other, "email", "carla@mail.test")
    assert other.identities.count() == 0


def test_it_normalises_handles_and_phones():
    assert actions.normalize_identity("twitter", "@CarlaShops") == "carlashops"
    assert actions.normalize_identity("phone", "(555) 010-0199") == "5550100199"
    assert actions.normalize_identity("email", " A@B.Test ") == "a@b.test"


def test_it_merges_customers_moving_everything(acme, carla, leo):
    dup = CustomerFactory(store=acme, name="", notes="prefers a direct approach", vip=True)
    IdentityFactory(customer=dup, store=acme, kind="phone", value="5550100199")
    conversation = ConversationFactory(store=acme, customer=dup)
    message = MessageFactory(conversation=conversation)

    survivor = actions.do_merge_customers(leo, dup, carla, reason="same person")

    dup.refresh_from_db()
    message.refresh_from_db()
    conversation.refresh_from_db()
    assert survivor == carla
    assert sorted(carla.identities.values_list("kind", "value")) == [
        ("email", "carla@mail.test"),
        ("phone", "5550100199"),
    ]
    assert conversation.customer == carla
    assert message.author_customer == carla
    assert (survivor.vip, survivor.notes) == (True, "prefers a direct approach")
    assert dup.merged_into == carla
    event = AuditEvent.objects.get(verb="customer.merged")
    assert (event.actor, event.reason, event.after) == (
        leo,
        "same person",
        {"identities_moved": 1, "conversations_moved": 1, "orders_moved": 0},
    )


def test_it_refuses_merging_a_customer_into_itself_or_across_stores(acme, globex, carla, leo):
    with pytest.raises(ActionError, match="itself"):
        actions.do_merge_customers(leo, carla, carla)
    stranger = CustomerFactory(store=globex)
    with pytest.raises(NotFound):
        actions.do_merge_customers(leo, stranger, carla)
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0
    assert Identity.objects.filter(customer=carla).count() == 1


def test_it_updates_only_changed_customer_fields(carla, ana):
    actions.do_update_customer(ana, carla, name="Carla Customer", notes="prefers email")
    event = AuditEvent.objects.get(verb="customer.updated")
    assert (event.before, event.after) == ({"notes": ""}, {"notes": "prefers email"})
