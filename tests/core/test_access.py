"""Specs for tenant scoping and role checks."""

from __future__ import annotations

import pytest

from storedesk.conversations.models import Conversation
from storedesk.core.access import access_object, access_store, check_permission, has_permission, store_ids_for
from storedesk.core.errors import NotFound, PermissionDenied
from tests.factories import ConversationFactory


def test_it_lists_only_the_users_stores(acme, globex, ana, gus):
    assert store_ids_for(ana) == [acme.pk]
    assert store_ids_for(gus) == [globex.pk]


def test_it_reports_other_stores_objects_as_missing(acme, globex, ana, gus):
    theirs = ConversationFactory(store=globex)
    mine = ConversationFactory(store=acme)
    assert access_object(ana, Conversation.objects.all(), mine.pk) == mine
    with pytest.raises(NotFound):
        access_object(ana, Conversation.objects.all(), theirs.pk)
    with pytest.raises(NotFound):
        access_object(ana, Conversation.objects.all(), "not-a-number")
    with pytest.raises(NotFound):
        access_store(gus, "acme")
    assert access_store(ana, "acme") == acme
    assert access_store(ana, acme.pk) == acme


@pytest.mark.parametrize(
    ("who", "permission", "allowed"),
    [
        ("ana", "conversation.reply", True),
        ("ana", "customer.merge", False),
        ("leo", "customer.merge", True),
        ("leo", "webhook.manage", False),
        ("olivia", "webhook.manage", True),
        ("gus", "conversation.reply", False),
    ],
)
def test_it_grants_permissions_by_role(request, acme, who, permission, allowed):
    user = request.getfixturevalue(who)
    assert has_permission(user, acme.pk, permission) is allowed


def test_it_says_forbidden_inside_the_store_and_not_found_outside(acme, ana, gus):
    with pytest.raises(PermissionDenied):
        check_permission(ana, acme.pk, "webhook.manage")
    with pytest.raises(NotFound):
        check_permission(gus, acme.pk, "conversation.view")


def test_it_gives_a_deactivated_agent_no_store(acme, ana):
    ana.is_active = False
    ana.save()
    ana.refresh_from_db()
    assert store_ids_for(ana) == []
