"""Specs for the inbox's writers: saved views (do_save_view, do_delete_view) and bulk changes
(do_bulk: one ordinary action per conversation, all or nothing, events only after commit)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from storedesk.conversations import actions
from storedesk.conversations.models import Conversation, SavedView, Status
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import AuditEvent
from tests.factories import ConversationFactory, CustomerFactory, MembershipFactory


def test_it_saves_a_view_with_only_the_inbox_parameters(acme, ana):
    view = actions.do_save_view(
        ana, acme, name="Chats", filters={"view": "mine", "channel": "chat", "cursor": "x", "evil": "1"}
    )

    assert (view.name, view.owner, view.store, view.shared) == ("Chats", ana, acme, False)
    assert view.filters == {"store": str(acme.pk), "view": "mine", "channel": "chat"}
    audit = AuditEvent.objects.get(object_type="savedview")
    assert (audit.verb, audit.actor, audit.after["name"]) == ("saved_view.saved", ana, "Chats")


def test_it_updates_a_view_saved_again_under_the_same_name(acme, ana):
    first = actions.do_save_view(ana, acme, name="Queue", filters={"view": "mine"})

    again = actions.do_save_view(ana, acme, name="Queue", filters={"view": "unassigned"})

    assert again.pk == first.pk
    assert SavedView.objects.get().filters == {"store": str(acme.pk), "view": "unassigned"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_it_refuses_a_view_without_a_proper_name(acme, ana, name):
    with pytest.raises(ActionError, match="A view name is 1–80 characters."):
        actions.do_save_view(ana, acme, name=name, filters={})
    assert not SavedView.objects.exists()


def test_it_lets_only_a_lead_share_a_view(acme, ana, leo):
    with pytest.raises(PermissionDenied):
        actions.do_save_view(ana, acme, name="Everyone", filters={}, shared=True)

    shared = actions.do_save_view(leo, acme, name="Everyone", filters={}, shared=True)

    assert list(SavedView.objects.values_list("pk", "shared")) == [(shared.pk, True)]


def test_it_never_saves_a_view_in_another_store(acme, gus):
    with pytest.raises(NotFound):
        actions.do_save_view(gus, acme, name="Spy", filters={})
    assert not SavedView.objects.exists()


def test_it_deletes_views_by_owner_or_a_lead_for_shared_ones(acme, ana, ben, leo):
    private = SavedView.objects.create(store=acme, owner=ben, name="Ben's")
    shared = SavedView.objects.create(store=acme, owner=ben, name="Team", shared=True)

    with pytest.raises(NotFound):
        actions.do_delete_view(ana, private)
    with pytest.raises(PermissionDenied):
        actions.do_delete_view(ana, shared)
    actions.do_delete_view(leo, shared)
    actions.do_delete_view(ben, private)

    assert not SavedView.objects.exists()
    assert list(AuditEvent.objects.order_by("id").values_list("verb", "actor")) == [
        ("saved_view.deleted", leo.pk),
        ("saved_view.deleted", ben.pk),
    ]


def test_it_keeps_one_name_per_owner_and_store(acme, ana):
    SavedView.objects.create(store=acme, owner=ana, name="Same")
    with pytest.raises(IntegrityError):
        SavedView.objects.create(store=acme, owner=ana, name="Same")


def test_it_applies_one_action_per_conversation(acme, ana, carla):
    conversations = ConversationFactory.create_batch(3, store=acme, customer=carla)
    Conversation.objects.filter(pk=conversations[0].pk).update(status=Status.RESOLVED)

    changed = actions.do_bulk(ana, [c.pk for c in conversations] * 2, op="resolve")

    assert changed == 2  # the first was already resolved; duplicates count once
    assert set(Conversation.objects.values_list("status", flat=True)) == {Status.RESOLVED}
    assert AuditEvent.objects.filter(verb="conversation.status_changed").count() == 2


def test_it_publishes_bulk_events_only_after_the_whole_batch_commits(
    acme, globex, ana, ben, carla, django_capture_on_commit_callbacks
):
    MembershipFactory(store=globex, user=ana)
    ok = ConversationFactory(store=acme, customer=carla)
    fails = ConversationFactory(store=globex, customer=CustomerFactory(store=globex))

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ActionError):
        actions.do_bulk(ana, [ok.pk, fails.pk], op="assign", assignee=ben)

    assert callbacks == []
    ok.refresh_from_db()
    assert ok.assignee is None
    assert not AuditEvent.objects.filter(verb="conversation.assigned").exists()


def test_it_refuses_too_many_conversations_at_once(acme, ana):
    with pytest.raises(ActionError, match="At most 200 conversations at a time."):
        actions.do_bulk(ana, range(1, 202), op="resolve")
