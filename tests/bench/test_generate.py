"""bench/generate.py: the bulk loader fills the rows the actions would have, consistently."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.db.models import Count

from bench import generate
from storedesk.conversations.models import Conversation, Customer, Identity, Message
from storedesk.core.lib.sanitize import preview
from storedesk.core.models import Membership, Store

N = 200


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, info in constraints.items() if info["index"]}


@pytest.fixture
def generated(db):
    before = {table: _index_names(table) for table in generate.BULK_TABLES}
    result = generate.generate(N, messages_per=3, seed=1, now=int(time.time()))
    return result, before


def test_it_creates_the_requested_rows(generated):
    result, _ = generated
    store = Store.objects.get(slug="bench")
    conversations = Conversation.objects.filter(store=store)
    assert result.store_id == store.pk
    assert conversations.count() == N
    assert Customer.objects.filter(store=store).count() == max(50, N // 3) == result.counts["customers"]
    assert Identity.objects.filter(store=store, kind="email").count() == result.counts["customers"]
    assert Identity.objects.filter(store=store).count() == result.counts["identities"]
    assert Message.objects.filter(store=store).count() == result.counts["messages"]
    assert conversations.filter(tags__isnull=False).count() == result.counts["conversation_tags"]
    assert Membership.objects.filter(store=store).count() == 10
    assert Membership.objects.get(store=store, user_id=result.login_agent_id).role == "admin"
    assert result.w4_conversation_id == result.first_conversation_id + N - 1
    assert Message.objects.filter(conversation_id=result.w4_conversation_id).count() == 50
    # 3 messages on average (1..5 each) plus the 50-message conversation
    assert 2.5 * (N - 1) < result.counts["messages"] - 50 < 3.5 * (N - 1)
    assert set(conversations.values_list("status", flat=True)) == {"open", "pending", "snoozed", "resolved"}


def test_it_fills_the_denormalised_fields_as_the_actions_do(generated):
    result, _ = generated
    messages: dict[int, list[Message]] = {}
    for message in Message.objects.filter(store_id=result.store_id).order_by("created_at", "id"):
        messages.setdefault(message.conversation_id, []).append(message)
    now = generate.time.time()
    for conversation in Conversation.objects.filter(store_id=result.store_id):
        mine = messages[conversation.pk]
        visible = [m for m in mine if m.direction != "note"]
        inbound = [m for m in mine if m.direction == "inbound"]
        outbound = [m for m in mine if m.direction == "outbound"]
        assert conversation.message_count == len(mine)
        assert mine[0].direction == "inbound"
        assert mine[0].created_at == conversation.created_at
        assert conversation.last_message_at == visible[-1].created_at
        assert conversation.preview == preview(visible[-1].body_text)
        assert conversation.last_customer_message_at == inbound[-1].created_at
        assert conversation.last_agent_message_at == (outbound[-1].created_at if outbound else None)
        assert conversation.first_response_at == (outbound[0].created_at if outbound else None)
        assert conversation.updated_at >= mine[-1].created_at
        assert (conversation.resolved_at is not None) == (conversation.status == "resolved")
        if conversation.resolved_at is not None:
            assert conversation.resolved_at >= mine[-1].created_at
        assert (conversation.snoozed_until is not None) == (conversation.status == "snoozed")
        if conversation.snoozed_until is not None:
            assert conversation.snoozed_until.timestamp() > now
        for m in mine:
            if m.direction == "inbound":
                assert (m.author_kind, m.author_customer_id, m.author_user_id) == (
                    "customer",
                    conversation.customer_id,
                    None,
                )
            else:
                assert m.author_kind == "agent" and m.author_user_id is not None and m.author_customer_id is None


def test_it_leaves_indexes_and_foreign_keys_intact(generated):
    _, before = generated
    assert {table: _index_names(table) for table in generate.BULK_TABLES} == before
    connection.check_constraints(table_names=list(generate.BULK_TABLES))


def test_it_counts_tags_per_conversation_without_duplicates(generated):
    result, _ = generated
    per_tag = (
        Conversation.tags.through.objects.filter(conversation__store_id=result.store_id)
        .values("conversation_id", "tag_id")
        .annotate(n=Count("id"))
    )
    assert max(row["n"] for row in per_tag) == 1


def test_it_writes_each_emails_sla_clock_as_the_sla_code_would(generated):
    from copy import copy

    from storedesk.automation.models import ConversationSla, DefaultPolicy
    from storedesk.automation.sla import refresh
    from storedesk.core.lib.business_hours import Schedule

    result, _ = generated
    emails = Conversation.objects.filter(store_id=result.store_id, channel="email")
    slas = {sla.conversation_id: sla for sla in ConversationSla.objects.filter(store_id=result.store_id)}
    assert set(slas) == set(emails.values_list("id", flat=True)) and len(slas) == result.counts["conversation_slas"]
    now = generate.time.time()
    running = 0
    for conversation in emails:
        stored = slas[conversation.pk]
        assert (stored.started_at, stored.first_response_at) == (
            conversation.created_at,
            conversation.first_response_at,
        )
        assert (stored.paused_at is None) == (conversation.status == "open")
        expected = copy(stored)
        refresh(expected, DefaultPolicy(), Schedule.always_open("UTC"))
        fields = ("policy_name", "first_response_due_at", "due_at", "due_kind")
        assert [getattr(stored, f) for f in fields] == [getattr(expected, f) for f in fields], conversation.pk
        if stored.due_at is not None:
            running += 1
            assert stored.first_response_breached == (stored.due_at.timestamp() <= now)
            assert stored.next_check_at == (None if stored.first_response_breached else expected.next_check_at)
    assert running > 0
