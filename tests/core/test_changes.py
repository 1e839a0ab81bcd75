"""Per-store change stamps: replaced on every committed event, stable otherwise."""

from __future__ import annotations

from storedesk.conversations import actions
from storedesk.core import changes
from tests.factories import ConversationFactory


def test_it_gives_a_store_without_a_stamp_one_and_keeps_it():
    first = changes.stamps([1, 2])

    assert first == changes.stamps([1, 2])
    assert len(first.split(".")) == 2


def test_it_replaces_only_the_touched_stores_stamp():
    before_1, before_2 = changes.stamps([1]), changes.stamps([2])

    changes.touch(1)

    assert changes.stamps([1]) != before_1
    assert changes.stamps([2]) == before_2


def test_it_replaces_the_stamp_when_an_action_commits(acme, ana, carla, django_capture_on_commit_callbacks):
    conversation = ConversationFactory(store=acme, customer=carla)
    before = changes.stamps([acme.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.do_assign(ana, conversation, assignee=ana)
    assert changes.stamps([acme.pk]) == before  # not before commit: a rollback changes nothing

    for callback in callbacks:
        callback()
    assert changes.stamps([acme.pk]) != before
