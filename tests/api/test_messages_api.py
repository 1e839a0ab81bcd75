"""/api/v1/conversations/{id}/messages: the timeline, replies, notes and macro replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.conversations.actions import NewAttachment, do_receive_message
from storedesk.conversations.models import Macro, Message, Status
from storedesk.notifications.models import Notification
from tests.api.conftest import error_of
from tests.factories import ConversationFactory, MacroFactory, MessageFactory

pytestmark = pytest.mark.django_db


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla, subject="Order 1001")


# --- timeline --------------------------------------------------------------------------


def test_it_lists_the_timeline_oldest_first_with_attachment_metadata(api_as, ana, conversation):
    second = MessageFactory(conversation=conversation, body_text="second", created_at=ago(5))
    first = MessageFactory(conversation=conversation, body_text="first", created_at=ago(10))
    third, _ = do_receive_message(
        conversation,
        body_text="photo attached",
        attachments=[NewAttachment(filename="box.jpg", content=b"jpegbytes", content_type="image/jpeg")],
    )

    response = api_as(ana).get(f"/conversations/{conversation.pk}/messages")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [m["id"] for m in items] == [first.pk, second.pk, third.pk]
    assert items[0]["author"] == {"kind": "customer", "id": conversation.customer_id, "name": "Carla Customer"}
    assert items[0]["direction"] == "inbound"
    attachment = third.attachments.get()
    assert items[2]["attachments"] == [
        {
            "id": attachment.pk,
            "filename": "box.jpg",
            "content_type": "image/jpeg",
            "size": 9,
            "inline": False,
            "content_id": "",
        }
    ]
    assert response.json()["next_cursor"] is None


def test_it_pages_through_the_timeline(api_as, ana, conversation):
    made = [MessageFactory(conversation=conversation, created_at=ago(10 - n)) for n in range(5)]
    client = api_as(ana)

    first = client.get(f"/conversations/{conversation.pk}/messages?limit=2").json()
    second = client.get(f"/conversations/{conversation.pk}/messages?limit=2&cursor={first['next_cursor']}").json()
    third = client.get(f"/conversations/{conversation.pk}/messages?limit=2&cursor={second['next_cursor']}").json()

    pages = [[m["id"] for m in page["items"]] for page in (first, second, third)]
    assert pages == [[made[0].pk, made[1].pk], [made[2].pk, made[3].pk], [made[4].pk]]
    assert third["next_cursor"] is None


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_messages_in_a_constant_number_of_queries(api_as, ana, conversation, rows, django_assert_num_queries):
    for n in range(rows):
        if n % 2:
            MessageFactory(
                conversation=conversation,
                direction=Message.Direction.OUTBOUND,
                author_kind=Message.AuthorKind.AGENT,
                author_user=ana,
                author_customer=None,
            )
        else:
            do_receive_message(conversation, body_text="see file", attachments=[NewAttachment("a.txt", b"a")])
    client = api_as(ana)
    client.get("/me")  # the first use of a token stamps last_used_at; count a steady-state call

    # token → user, roles, the conversation, the page with authors, the page's attachments
    with django_assert_num_queries(5):
        response = client.get(f"/conversations/{conversation.pk}/messages")

    assert len(response.json()["items"]) == rows


def test_it_answers_404_for_the_timeline_of_another_stores_conversation(api_as, gus, conversation):
    MessageFactory(conversation=conversation)

    response = api_as(gus).get(f"/conversations/{conversation.pk}/messages")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- posting ---------------------------------------------------------------------------


def test_it_posts_a_reply_and_sets_the_status_after(api_as, ana, conversation):
    response = api_as(ana).post(
        f"/conversations/{conversation.pk}/messages",
        {"kind": "reply", "body_text": "On its way!", "status_after": "pending"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    message = Message.objects.get(pk=body["id"])
    assert (message.direction, message.author_user, message.body_text) == (
        Message.Direction.OUTBOUND,
        ana,
        "On its way!",
    )
    assert body["author"] == {"kind": "agent", "id": ana.pk, "name": "Ana Agent"}
    assert body["conversation_id"] == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING


def test_it_sanitises_a_reply_with_html(api_as, ana, conversation):
    response = api_as(ana).post(
        f"/conversations/{conversation.pk}/messages",
        {"kind": "reply", "body_html": "<p>Hi <script>alert(1)</script><b>Carla</b></p>"},
    )

    assert response.status_code == 201, response.content
    assert "<script>" not in response.json()["body_html"]
    assert "Carla" in response.json()["body_text"]


def test_it_adds_a_note_with_mentions(api_as, ana, ben, conversation):
    response = api_as(ana).post(
        f"/conversations/{conversation.pk}/messages", {"kind": "note", "body_text": "Ben, look", "mentions": [ben.pk]}
    )

    assert response.status_code == 201, response.content
    assert response.json()["direction"] == "note"
    assert response.json()["metadata"] == {"mentions": [ben.pk]}
    notified = Notification.objects.get(message_id=response.json()["id"])
    assert (notified.recipient_id, notified.actor_id, notified.kind) == (ben.pk, ana.pk, "mention")


def test_it_refuses_mentioning_someone_outside_the_store(api_as, ana, gus, conversation):
    response = api_as(ana).post(
        f"/conversations/{conversation.pk}/messages", {"kind": "note", "body_text": "Gus?", "mentions": [gus.pk]}
    )

    assert response.status_code == 400
    assert error_of(response) == {"code": "invalid_mention", "message": f"Not agents of this store: {gus.pk}."}
    assert not Message.objects.exists()


def test_it_replies_with_a_macro_and_runs_its_actions(api_as, ana, acme, conversation):
    macro = MacroFactory(store=acme, actions={"add_tags": ["shipping"], "status": "resolved"})

    response = api_as(ana).post(f"/conversations/{conversation.pk}/messages", {"kind": "reply", "macro_id": macro.pk})

    assert response.status_code == 201, response.content
    assert response.json()["body_text"] == "Hi Carla, thanks for writing to Acme Outfitters. — Ana"
    assert response.json()["metadata"] == {"macro_id": macro.pk}
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    assert list(conversation.tags.values_list("name", flat=True)) == ["shipping"]
    assert Macro.objects.get(pk=macro.pk).usage_count == 1


def test_it_sends_the_agents_edited_macro_text(api_as, ana, acme, conversation):
    macro = MacroFactory(store=acme)

    response = api_as(ana).post(
        f"/conversations/{conversation.pk}/messages",
        {"kind": "reply", "macro_id": macro.pk, "body_text": "Hi Carla! Edited.", "status_after": "pending"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["body_text"] == "Hi Carla! Edited."
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING


def test_it_answers_404_for_another_stores_macro_and_sends_nothing(api_as, ana, globex, conversation):
    macro = MacroFactory(store=globex)

    response = api_as(ana).post(f"/conversations/{conversation.pk}/messages", {"kind": "reply", "macro_id": macro.pk})

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_it_answers_404_when_posting_to_another_stores_conversation(api_as, gus, conversation):
    response = api_as(gus).post(f"/conversations/{conversation.pk}/messages", {"kind": "reply", "body_text": "Hi"})

    assert response.status_code == 404
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 422, "invalid_input"),
        ({"kind": "tweet", "body_text": "Hi"}, 422, "invalid_input"),
        ({"kind": "reply", "body_text": 12}, 422, "invalid_input"),
        ({"kind": "reply", "body_text": "Hi", "status_after": "snoozed"}, 422, "invalid_input"),
        ({"kind": "reply", "body_text": "Hi", "mentions": [1]}, 422, "invalid_input"),
        ({"kind": "note", "body_text": "Hi", "status_after": "resolved"}, 422, "invalid_input"),
        ({"kind": "note", "body_text": "Hi", "macro_id": 1}, 422, "invalid_input"),
        ({"kind": "reply", "body_text": "   "}, 400, "empty_message"),
        ({"kind": "note", "body_text": ""}, 400, "empty_message"),
    ],
)
def test_it_rejects_a_bad_message_and_posts_nothing(api_as, ana, conversation, payload, status, code):
    response = api_as(ana).post(f"/conversations/{conversation.pk}/messages", payload)

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code
    assert not Message.objects.exists()


def test_it_says_which_field_is_missing(api_as, ana, conversation):
    response = api_as(ana).post(f"/conversations/{conversation.pk}/messages", {"body_text": "Hi"})

    assert response.status_code == 422
    error = error_of(response)
    assert error["message"] == "body.kind: This field is required."
    assert error["fields"] == [{"field": "body.kind", "message": "This field is required."}]


@pytest.mark.parametrize("raw", ["not json{", "", "[1, 2]", "null"])
def test_it_answers_4xx_json_for_a_body_that_is_not_a_message(api_as, ana, conversation, raw):
    response = api_as(ana).post(f"/conversations/{conversation.pk}/messages", raw, content_type="application/json")

    assert response.status_code in (400, 422)
    assert error_of(response)["code"] in ("bad_request", "invalid_input")
    assert not Message.objects.exists()
