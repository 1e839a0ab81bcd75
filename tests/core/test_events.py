"""Every event type round-trips through JSON (realtime frames, webhook bodies) exactly."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import get_args

import pydantic
import pytest

from storedesk.core.events import (
    EVENT_TYPES,
    ConversationCreated,
    ConversationsMerged,
    ConversationSummary,
    ConversationUpdated,
    CustomersMerged,
    Event,
    MessageCreated,
    MessageSummary,
    MessageUpdated,
    SlaBreached,
    SlaWarning,
    parse_event,
)

OCCURRED = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC)
EVENT_ID = uuid.UUID("5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10")

CONVERSATION = ConversationSummary(
    id=42,
    status="open",
    priority=2,
    channel="email",
    subject="Où est ma commande? 📦",
    preview="Hi, my order #1001 hasn't arrived…",
    customer_id=7,
    customer_name="Carla Customer",
    assignee_id=None,
    team_id=3,
    tags=["shipping", "vip"],
    last_message_at=datetime(2026, 3, 2, 9, 15, 29, 999999, tzinfo=UTC),
)

EXAMPLES = [
    ConversationCreated(id=EVENT_ID, store_id=1, occurred_at=OCCURRED, actor_id=None, conversation=CONVERSATION),
    ConversationUpdated(
        id=EVENT_ID,
        store_id=1,
        occurred_at=OCCURRED,
        actor_id=5,
        conversation=CONVERSATION,
        changes={
            "status": ["open", "resolved"],
            "assignee_id": [None, 5],
            "snoozed_until": ["2026-03-03T08:00:00+00:00", None],
        },
    ),
    MessageCreated(
        id=EVENT_ID,
        store_id=1,
        occurred_at=OCCURRED,
        actor_id=5,
        conversation=CONVERSATION,
        message=MessageSummary(
            id=900,
            direction="outbound",
            author_kind="agent",
            author_name="Ana Agent",
            body_text='It ships today.\n"Tracking": <a href="x">1Z999</a>',
            created_at=OCCURRED,
        ),
    ),
    ConversationsMerged(
        id=EVENT_ID, store_id=1, occurred_at=OCCURRED, actor_id=5, source_id=41, conversation=CONVERSATION
    ),
    CustomersMerged(id=EVENT_ID, store_id=2, occurred_at=OCCURRED, actor_id=None, source_id=8, target_id=7),
    SlaWarning(
        id=EVENT_ID, store_id=1, occurred_at=OCCURRED, conversation=CONVERSATION, kind="first_response", due_at=OCCURRED
    ),
    SlaBreached(
        id=EVENT_ID,
        store_id=1,
        occurred_at=OCCURRED,
        conversation=CONVERSATION,
        kind="resolution",
        due_at=OCCURRED,
        escalation={"priority": [1, 3], "team_id": 3, "notified": [5, 6]},
    ),
    MessageUpdated(
        id=EVENT_ID,
        store_id=1,
        occurred_at=OCCURRED,
        actor_id=None,
        conversation=CONVERSATION,
        message=MessageSummary(
            id=900,
            direction="outbound",
            author_kind="agent",
            author_name="Ana Agent",
            body_text="It ships today.",
            created_at=OCCURRED,
        ),
        changes={"delivery_status": ["queued", "failed"], "delivery_error": ["", "550 5.1.1 no such user"]},
    ),
]


def test_it_has_an_example_of_every_event_type():
    union_members = get_args(get_args(Event)[0])

    assert sorted(event.type for event in EXAMPLES) == sorted(EVENT_TYPES)
    assert sorted(member.model_fields["type"].default for member in union_members) == sorted(EVENT_TYPES)
    assert len(EVENT_TYPES) == len(set(EVENT_TYPES))


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_it_round_trips_through_json_text(event):
    text = event.model_dump_json()

    parsed = parse_event(text)

    assert type(parsed) is type(event)
    assert parsed == event
    assert parsed.model_dump_json() == text


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_it_round_trips_through_json_bytes_and_dicts(event):
    as_dict = json.loads(json.dumps(event.model_dump(mode="json")))  # what a webhook payload stores

    assert parse_event(json.dumps(as_dict).encode()) == event
    assert parse_event(as_dict) == event
    assert parse_event(as_dict).model_dump(mode="json") == as_dict


def test_it_dumps_ids_and_times_as_strings_in_utc():
    payload = EXAMPLES[4].model_dump(mode="json")

    assert payload == {
        "id": "5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10",
        "store_id": 2,
        "occurred_at": "2026-03-02T09:15:30.123456Z",
        "actor_id": None,
        "type": "customer.merged",
        "source_id": 8,
        "target_id": 7,
    }


def test_it_gives_each_event_its_own_id_by_default():
    first, second = (CustomersMerged(store_id=1, source_id=2, target_id=3) for _ in range(2))

    assert first.id != second.id


@pytest.mark.parametrize(
    "data",
    [
        {"type": "message.deleted", "store_id": 1},
        {"store_id": 1, "source_id": 1, "target_id": 2},
        {"type": "customer.merged", "store_id": 1, "source_id": 1},
        {"type": "customer.merged", "store_id": "acme", "source_id": 1, "target_id": 2},
        "not json",
    ],
)
def test_it_refuses_what_is_not_an_event(data):
    with pytest.raises(pydantic.ValidationError):
        parse_event(data)


def test_it_makes_events_immutable():
    with pytest.raises(pydantic.ValidationError):
        EXAMPLES[4].target_id = 9  # type: ignore[misc]
