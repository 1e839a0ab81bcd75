"""Realtime-only events (presence, notifications) round-trip through JSON and are never offered
to webhooks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pydantic
import pytest

from storedesk.core.events import (
    EVENT_TYPES,
    REALTIME_ONLY_TYPES,
    CustomersMerged,
    NotificationCreated,
    PresenceLeft,
    PresenceTyping,
    PresenceViewing,
    parse_event,
    parse_realtime_event,
)

OCCURRED = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC)
EVENT_ID = uuid.UUID("5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10")
COMMON = {"id": EVENT_ID, "store_id": 1, "occurred_at": OCCURRED, "actor_id": 5}

EXAMPLES = [
    PresenceViewing(**COMMON, conversation_id=42, agent_name="Leo Lead", expires_in=60),
    PresenceTyping(**COMMON, conversation_id=42, agent_name="Leo Lead", expires_in=5),
    PresenceLeft(**COMMON, conversation_id=42, agent_name="Leo Lead"),
    NotificationCreated(
        **COMMON, notification_id=9, recipient_id=6, kind="mention", conversation_id=42, text="@Ben look", unread=3
    ),
]


def test_it_has_an_example_of_every_realtime_only_type_and_none_is_a_webhook_type():
    assert sorted(event.type for event in EXAMPLES) == sorted(REALTIME_ONLY_TYPES)
    assert set(REALTIME_ONLY_TYPES).isdisjoint(EVENT_TYPES)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_it_round_trips_through_json(event):
    text = event.model_dump_json()

    assert parse_realtime_event(text) == event
    assert parse_realtime_event(text.encode()) == event
    assert parse_realtime_event(json.loads(text)) == event


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_it_is_not_a_domain_event(event):
    with pytest.raises(pydantic.ValidationError):
        parse_event(event.model_dump_json())


def test_it_still_parses_domain_events():
    event = CustomersMerged(store_id=1, source_id=2, target_id=3)

    assert parse_realtime_event(event.model_dump_json()) == event


@pytest.mark.parametrize("data", ["not json", {"type": "presence.viewing", "store_id": 1}, {"type": "nope"}])
def test_it_refuses_what_is_not_an_event(data):
    with pytest.raises(pydantic.ValidationError):
        parse_realtime_event(data)
