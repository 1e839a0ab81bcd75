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


def test_it_replaces_the_stamp_once_for_a_published_batch(acme, django_capture_on_commit_callbacks):
    from django.db import transaction

    from storedesk.core.events import CustomersMerged
    from storedesk.core.publish import publish_many
    from storedesk.webhooks.models import WebhookDelivery
    from tests.factories import WebhookEndpointFactory

    WebhookEndpointFactory(store=acme, url="http://127.0.0.1:9/hooks", event_types=["customer.merged"])
    events = [CustomersMerged(store_id=acme.pk, source_id=n, target_id=9) for n in (1, 2, 3)]
    before = changes.stamps([acme.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        publish_many(acme.pk, events)
    assert sorted(WebhookDelivery.objects.values_list("payload__source_id", flat=True)) == [1, 2, 3]
    assert changes.stamps([acme.pk]) == before  # nothing before commit

    # the deliveries' jobs, the stamp, the realtime pass; the jobs are left unrun here
    assert len(callbacks) == 3
    callbacks[1]()
    assert changes.stamps([acme.pk]) != before
