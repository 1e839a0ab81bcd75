"""Notes written by jobs are the system's (not an agent's), shown as such on the timeline;
merging customers moves the merged-away customer's orders to the survivor."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from storedesk.commerce.models import Order
from storedesk.commerce.remedies import RemedyRequest, do_request_remedy
from storedesk.conversations.actions import do_add_system_note, do_merge_customers
from storedesk.conversations.models import Channel, Message
from storedesk.core.models import AuditEvent
from tests.commerce.factories import order_for
from tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla, channel=Channel.CHAT)


def test_it_writes_a_system_note_without_an_author(conversation):
    note = do_add_system_note(conversation, "The label was emailed.", {"return_id": 7})

    assert (note.direction, note.author_kind, note.author_user, note.body_text, note.metadata) == (
        "note",
        "system",
        None,
        "The label was emailed.",
        {"return_id": 7},
    )


def test_it_writes_a_remedys_outcome_as_a_system_note(ana, carla, conversation, django_capture_on_commit_callbacks):
    order = order_for(carla, name="#2041")
    with django_capture_on_commit_callbacks(execute=True):
        do_request_remedy(
            ana,
            order,
            RemedyRequest(kind="refund", amount=1250, reason="late delivery"),
            idempotency_key=str(uuid.uuid4()),
            conversation=conversation,
        )

    notes = list(
        Message.objects.filter(conversation=conversation, direction="note")
        .order_by("id")
        .values_list("author_kind", "author_user_id")
    )
    assert notes == [("agent", ana.pk), ("system", None)]


def test_it_shows_system_notes_distinctly_on_the_conversation_page(client, ana, conversation):
    do_add_system_note(conversation, "Done: the refund went through.")
    client.force_login(ana)

    html = client.get(reverse("conversation", args=[conversation.pk])).content.decode()

    assert 'class="msg msg-note msg-system"' in html
    assert '<span class="badge system-badge" data-testid="system-note">System note</span>' in html
    assert "badge note-badge" not in html


def test_it_moves_orders_to_the_surviving_customer_on_merge(acme, leo, carla):
    dup = CustomerFactory(store=acme, name="Carla C.")
    moved = order_for(dup, name="#3001")
    kept = order_for(carla, name="#3002")

    do_merge_customers(leo, dup, carla, reason="same person")

    assert set(Order.objects.filter(customer=carla).values_list("pk", flat=True)) == {moved.pk, kept.pk}
    assert Order.objects.filter(customer=dup).count() == 0
    assert AuditEvent.objects.get(verb="customer.merged").after["orders_moved"] == 1
