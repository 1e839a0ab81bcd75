"""Keyset pagination: opaque cursors, every row exactly once, no OFFSET and no COUNT(*)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storedesk.api.pagination import decode_cursor, encode_cursor, paginate
from storedesk.conversations.models import Conversation, Tag
from storedesk.core.errors import ActionError
from tests.api.conftest import error_of
from tests.factories import ConversationFactory, TagFactory

pytestmark = pytest.mark.django_db

RECENT = ("-last_message_at", "-id")
WHEN = datetime(2030, 5, 17, 9, 30, 15, 123456, tzinfo=UTC)


def b64(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def test_it_round_trips_a_cursor():
    cursor = encode_cursor(RECENT, [WHEN, 42])

    assert "=" not in cursor
    assert decode_cursor(Conversation, RECENT, cursor) == [WHEN, 42]


def test_it_reads_a_cursor_time_without_a_zone_as_utc():
    cursor = b64({"o": "-last_message_at,-id", "v": ["2030-05-17T09:30:15.123456", 42]})

    assert decode_cursor(Conversation, RECENT, cursor) == [WHEN, 42]


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        "%%%",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        b64("just a string"),
        b64({"v": ["2030-01-01T00:00:00Z", 1]}),
        b64({"o": "name,id", "v": ["a", 1]}),
        b64({"o": "-last_message_at,-id", "v": ["2030-01-01T00:00:00Z"]}),
        b64({"o": "-last_message_at,-id", "v": ["yesterday", 1]}),
        b64({"o": "-last_message_at,-id", "v": ["2030-01-01T00:00:00Z", "one"]}),
        b64({"o": "-last_message_at,-id", "v": [None, 1]}),
        b64({"o": "-last_message_at,-id", "v": [{"a": 1}, 1]}),
        b64({"o": "-last_message_at,-id", "v": ["2030-01-01T00:00:00Z", 10**30]}),
    ],
)
def test_it_refuses_a_cursor_that_is_not_one_of_ours(cursor):
    with pytest.raises(ActionError) as caught:
        decode_cursor(Conversation, RECENT, cursor)

    assert caught.value.code == "invalid_cursor"


def test_it_serves_every_row_once_in_order_even_when_sort_keys_tie(acme):
    tie = timezone.now() - timedelta(hours=1)
    rows = [ConversationFactory(store=acme, last_message_at=tie) for _ in range(5)]
    rows += [ConversationFactory(store=acme, last_message_at=tie + timedelta(minutes=n)) for n in range(1, 4)]
    expected = [c.pk for c in sorted(rows, key=lambda c: (c.last_message_at, c.pk), reverse=True)]

    seen, cursor, pages = [], None, 0
    while True:
        page = paginate(Conversation.objects.all(), RECENT, cursor=cursor, limit=3)
        seen += [c.pk for c in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == expected
    assert pages == 3


def test_it_pages_ascending_orderings(acme):
    tags = [TagFactory(store=acme, name=name) for name in ["delta", "alpha", "charlie", "bravo"]]

    first = paginate(Tag.objects.all(), ("name", "id"), cursor=None, limit=3)
    second = paginate(Tag.objects.all(), ("name", "id"), cursor=first.next_cursor, limit=3)

    assert [t.name for t in first.items] == ["alpha", "bravo", "charlie"]
    assert [t.name for t in second.items] == ["delta"]
    assert second.next_cursor is None
    assert len(tags) == 4


def test_it_uses_neither_offset_nor_count(acme):
    for _ in range(4):
        ConversationFactory(store=acme)
    first = paginate(Conversation.objects.all(), RECENT, cursor=None, limit=2)

    with CaptureQueriesContext(connection) as queries:
        paginate(Conversation.objects.all(), RECENT, cursor=first.next_cursor, limit=2)

    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "OFFSET" not in sql
    assert "COUNT(" not in sql
    assert "LIMIT 3" in sql


# --- through the API -------------------------------------------------------------------


def test_it_serves_50_rows_by_default_and_a_cursor_for_the_rest(api_as, ana, acme):
    for _ in range(51):
        ConversationFactory(store=acme)
    client = api_as(ana)

    first = client.get("/conversations").json()
    rest = client.get("/conversations", {"cursor": first["next_cursor"]}).json()

    assert len(first["items"]) == 50
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert {c["id"] for c in first["items"] + rest["items"]} == set(Conversation.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten"])
def test_it_refuses_a_limit_outside_1_to_200(api_as, ana, acme, limit):
    response = api_as(ana).get("/conversations", {"limit": limit})

    assert response.status_code == 422
    error = error_of(response)
    assert [f["field"] for f in error["fields"]] == ["query.limit"]


def test_it_accepts_the_largest_limit(api_as, ana, acme):
    assert api_as(ana).get("/conversations", {"limit": "200"}).status_code == 200


@pytest.mark.parametrize("path", ["/conversations", "/customers", "/tags", "/macros"])
def test_it_answers_400_for_a_bad_cursor(api_as, ana, acme, path):
    response = api_as(ana).get(path, {"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "invalid_cursor",
        "message": "The cursor is not valid for this list: start again without it.",
    }


def test_it_refuses_the_cursor_of_another_list(api_as, ana, acme):
    for name in ["a", "b", "c"]:
        TagFactory(store=acme, name=name)
    client = api_as(ana)
    tags_cursor = client.get("/tags", {"limit": 1}).json()["next_cursor"]

    response = client.get("/conversations", {"cursor": tags_cursor})

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_cursor"
