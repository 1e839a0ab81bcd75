"""/api/v1/conversations: list, read, create, update, merge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Message, Status
from storedesk.core.models import AuditEvent
from tests.api.conftest import error_of
from tests.factories import ConversationFactory, CustomerFactory, TagFactory, TeamFactory

pytestmark = pytest.mark.django_db


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


# --- list ------------------------------------------------------------------------------


def test_it_lists_conversations_newest_activity_first(api_as, ana, acme, carla):
    old = ConversationFactory(store=acme, customer=carla, last_message_at=ago(30))
    new = ConversationFactory(store=acme, customer=carla, last_message_at=ago(1))
    middle = ConversationFactory(store=acme, customer=carla, last_message_at=ago(10))

    response = api_as(ana).get("/conversations")

    assert ids(response) == [new.pk, middle.pk, old.pk]
    assert response.json()["next_cursor"] is None


def test_it_lists_only_conversations_of_the_callers_stores(api_as, ana, gus, acme, globex):
    ours = ConversationFactory(store=acme)
    theirs = ConversationFactory(store=globex)

    assert ids(api_as(ana).get("/conversations")) == [ours.pk]
    assert ids(api_as(gus).get("/conversations")) == [theirs.pk]


def test_it_shows_a_list_row_with_customer_assignee_team_and_tags(api_as, ana, ben, acme, carla):
    team = TeamFactory(store=acme, name="Returns")
    conversation = ConversationFactory(store=acme, customer=carla, assignee=ben, team=team, subject="Where is it?")
    conversation.tags.add(TagFactory(store=acme, name="vip"), TagFactory(store=acme, name="billing"))

    row = api_as(ana).get("/conversations").json()["items"][0]

    assert row["id"] == conversation.pk
    assert row["store_id"] == acme.pk
    assert row["customer"] == {"id": carla.pk, "name": "Carla Customer"}
    assert row["assignee"] == {"id": ben.pk, "email": "ben@acme.test", "name": "Ben Agent"}
    assert row["team"] == {"id": team.pk, "name": "Returns"}
    assert row["tags"] == ["billing", "vip"]
    assert row["subject"] == "Where is it?"
    assert row["status"] == "open"
    assert row["channel"] == "email"
    assert row["priority"] == 1
    assert row["merged_into_id"] is None
    assert row["resolved_at"] is None
    assert row["last_message_at"].endswith("Z")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", ["pending"]),
        ("assignee=me", ["mine"]),
        ("assignee=none", ["pending", "chat", "tagged", "teamed", "other_customer"]),
        ("channel=chat", ["chat"]),
        ("tag=refund", ["tagged"]),
        ("store=acme&status=open&channel=email&assignee=none", ["tagged", "teamed", "other_customer"]),
    ],
)
def test_it_filters_conversations(api_as, ana, acme, carla, query, expected):
    made = {
        "mine": ConversationFactory(store=acme, customer=carla, assignee=ana, last_message_at=ago(1)),
        "pending": ConversationFactory(store=acme, customer=carla, status=Status.PENDING, last_message_at=ago(2)),
        "chat": ConversationFactory(store=acme, customer=carla, channel=Channel.CHAT, last_message_at=ago(3)),
        "tagged": ConversationFactory(store=acme, customer=carla, last_message_at=ago(4)),
        "teamed": ConversationFactory(store=acme, customer=carla, last_message_at=ago(5)),
        "other_customer": ConversationFactory(store=acme, last_message_at=ago(6)),
    }
    made["tagged"].tags.add(TagFactory(store=acme, name="refund"))
    made["teamed"].team = TeamFactory(store=acme)
    made["teamed"].save()
    names = {c.pk: name for name, c in made.items()}

    assert [names[pk] for pk in ids(api_as(ana).get(f"/conversations?{query}"))] == expected


def test_it_filters_by_assignee_id_team_customer_and_store_id(api_as, ana, ben, acme, carla):
    team = TeamFactory(store=acme)
    bens = ConversationFactory(store=acme, assignee=ben)
    teamed = ConversationFactory(store=acme, team=team)
    carlas = ConversationFactory(store=acme, customer=carla)
    client = api_as(ana)

    assert ids(client.get(f"/conversations?assignee={ben.pk}")) == [bens.pk]
    assert ids(client.get(f"/conversations?team={team.pk}")) == [teamed.pk]
    assert ids(client.get(f"/conversations?customer={carla.pk}")) == [carlas.pk]
    assert set(ids(client.get(f"/conversations?store={acme.pk}"))) == {bens.pk, teamed.pk, carlas.pk}


def test_it_answers_404_for_a_store_filter_outside_the_callers_stores(api_as, gus, acme):
    ConversationFactory(store=acme)

    response = api_as(gus).get("/conversations?store=acme")

    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "Store acme not found."}


@pytest.mark.parametrize(
    ("query", "status", "code", "field"),
    [
        ("status=archived", 422, "invalid_input", "query.status"),
        ("channel=fax", 422, "invalid_input", "query.channel"),
        ("team=abc", 422, "invalid_input", "query.team"),
        ("assignee=someone", 400, "invalid_filter", None),
    ],
)
def test_it_rejects_bad_filters_with_a_helpful_json_error(api_as, ana, acme, query, status, code, field):
    response = api_as(ana).get(f"/conversations?{query}")

    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code
    if field:
        assert [f["field"] for f in error["fields"]] == [field]
        assert error["message"].startswith(f"{field}: ")


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_conversations_in_a_constant_number_of_queries(
    api_as, ana, ben, acme, rows, django_assert_num_queries
):
    team = TeamFactory(store=acme)
    for n in range(rows):
        conversation = ConversationFactory(store=acme, assignee=ben, team=team)
        conversation.tags.add(TagFactory(store=acme, name=f"tag-{n}"), TagFactory(store=acme, name="common"))
    client = api_as(ana)
    client.get("/me")  # the first use of a token stamps last_used_at; count a steady-state call

    # token → user, the caller's roles, the page, the page's tags
    with django_assert_num_queries(4):
        response = client.get("/conversations")

    assert len(response.json()["items"]) == rows


# --- read ------------------------------------------------------------------------------


def test_it_reads_one_conversation(api_as, ana, acme, carla):
    conversation = ConversationFactory(store=acme, customer=carla, subject="Refund please")

    response = api_as(ana).get(f"/conversations/{conversation.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == conversation.pk
    assert response.json()["subject"] == "Refund please"


@pytest.mark.parametrize("conversation_id", ["{theirs}", "999999"])
def test_it_answers_404_for_a_conversation_outside_the_callers_stores(api_as, gus, acme, conversation_id):
    theirs = ConversationFactory(store=acme)

    response = api_as(gus).get("/conversations/" + conversation_id.format(theirs=theirs.pk))

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_it_answers_404_for_a_conversation_id_that_is_not_a_number(api_as, ana, acme):
    response = api_as(ana).get("/conversations/abc")

    assert response.status_code == 404  # no route matches a non-integer id
    assert error_of(response)["code"] == "not_found"


def test_it_answers_422_for_an_id_beyond_any_database_integer(api_as, ana, acme):
    response = api_as(ana).get("/conversations/99999999999999999999999")

    assert response.status_code == 422
    assert (
        error_of(response)["message"]
        == "path.conversation_id: Input should be less than or equal to 9223372036854775807"
    )


@pytest.mark.parametrize(
    "query", ["team=99999999999999999999999", "customer=99999999999999999999999", "store=99999999999999999999999"]
)
def test_it_answers_4xx_for_filter_ids_beyond_any_database_integer(api_as, ana, acme, query):
    response = api_as(ana).get(f"/conversations?{query}")

    assert response.status_code in (404, 422)
    assert error_of(response)["code"] in ("not_found", "invalid_input")


# --- create ----------------------------------------------------------------------------


def test_it_starts_an_outbound_conversation_with_a_known_customer(api_as, ana, acme, carla):
    response = api_as(ana).post(
        "/conversations",
        {"store": "acme", "customer_id": carla.pk, "subject": "Your order", "body_text": "It shipped!", "priority": 2},
    )

    assert response.status_code == 201, response.content
    conversation = Conversation.objects.get(pk=response.json()["id"])
    assert (conversation.store_id, conversation.customer_id, conversation.subject) == (acme.pk, carla.pk, "Your order")
    assert conversation.priority == 2
    message = conversation.messages.get()
    assert (message.direction, message.author_user, message.body_text) == (
        Message.Direction.OUTBOUND,
        ana,
        "It shipped!",
    )
    assert response.json()["customer"] == {"id": carla.pk, "name": "Carla Customer"}


def test_it_finds_the_customer_by_email(api_as, ana, acme, carla):
    response = api_as(ana).post(
        "/conversations", {"store": acme.pk, "customer_email": "CARLA@mail.test", "body_text": "Hello"}
    )

    assert response.status_code == 201, response.content
    assert response.json()["customer"]["id"] == carla.pk
    assert Customer.objects.count() == 1


def test_it_creates_the_customer_for_a_new_email(api_as, ana, acme):
    response = api_as(ana).post(
        "/conversations",
        {"store": "acme", "customer_email": "dora@mail.test", "customer_name": "Dora", "body_text": "Hello"},
    )

    assert response.status_code == 201, response.content
    identity = Identity.objects.get(value="dora@mail.test")
    assert (identity.store_id, identity.customer.name) == (acme.pk, "Dora")
    assert response.json()["customer"] == {"id": identity.customer_id, "name": "Dora"}


@pytest.mark.parametrize(
    "payload",
    [
        {"store": "acme", "body_text": "Hi"},
        {"store": "acme", "customer_id": 1, "customer_email": "x@mail.test", "body_text": "Hi"},
        {"store": "acme", "customer_email": "not-an-email", "body_text": "Hi"},
        {"store": "acme", "customer_email": "x@mail.test", "body_text": "Hi", "channel": "fax"},
        {"store": "acme", "customer_email": "x@mail.test", "body_text": "Hi", "priority": 9},
        {"customer_email": "x@mail.test", "body_text": "Hi"},
        {},
    ],
)
def test_it_rejects_a_bad_new_conversation_and_creates_nothing(api_as, ana, acme, carla, payload):
    response = api_as(ana).post("/conversations", payload)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
    assert Conversation.objects.count() == 0
    assert Customer.objects.count() == 1


def test_it_rolls_back_a_new_customer_when_the_conversation_is_refused(api_as, ana, acme):
    response = api_as(ana).post(
        "/conversations", {"store": "acme", "customer_email": "eve@mail.test", "body_text": " "}
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "empty_message"
    assert Customer.objects.count() == 0
    assert Conversation.objects.count() == 0


def test_it_answers_404_for_a_customer_or_store_outside_the_callers_stores(api_as, gus, globex, acme, carla):
    client = api_as(gus)

    with_carla = client.post("/conversations", {"store": "globex", "customer_id": carla.pk, "body_text": "Hi"})
    in_acme = client.post("/conversations", {"store": "acme", "customer_email": "x@mail.test", "body_text": "Hi"})

    assert (with_carla.status_code, in_acme.status_code) == (404, 404)
    assert Conversation.objects.count() == 0
    assert Customer.objects.count() == 1


# --- update ----------------------------------------------------------------------------


def test_it_updates_status_priority_subject_assignee_team_and_tags_at_once(api_as, ana, ben, acme, carla):
    team = TeamFactory(store=acme, name="Returns")
    conversation = ConversationFactory(store=acme, customer=carla)
    conversation.tags.add(TagFactory(store=acme, name="old"))

    response = api_as(ana).patch(
        f"/conversations/{conversation.pk}",
        {
            "status": "pending",
            "priority": 3,
            "subject": "Damaged parcel",
            "assignee_id": ben.pk,
            "team_id": team.pk,
            "add_tags": ["damaged"],
            "remove_tags": ["old"],
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["priority"], body["subject"]) == ("pending", 3, "Damaged parcel")
    assert (body["assignee"]["id"], body["team"]["id"], body["tags"]) == (ben.pk, team.pk, ["damaged"])
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee, conversation.team) == (Status.PENDING, ben, team)


def test_it_unassigns_with_null_and_keeps_the_team(api_as, ana, acme):
    team = TeamFactory(store=acme)
    conversation = ConversationFactory(store=acme, assignee=ana, team=team)

    response = api_as(ana).patch(f"/conversations/{conversation.pk}", {"assignee_id": None})

    assert response.status_code == 200, response.content
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (None, team)


def test_it_snoozes_until_a_time(api_as, ana, acme):
    conversation = ConversationFactory(store=acme)
    until = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)

    response = api_as(ana).patch(f"/conversations/{conversation.pk}", {"snoozed_until": until.isoformat()})

    assert response.status_code == 200, response.content
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == (Status.SNOOZED, until)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "empty_update"),
        ({"status": "archived"}, 422, "invalid_input"),
        ({"status": "snoozed"}, 400, "snooze_needs_time"),
        ({"snoozed_until": "2020-01-01T00:00:00Z"}, 400, "snooze_in_past"),
        ({"snoozed_until": "2099-01-01T00:00:00"}, 422, "invalid_input"),
        ({"snoozed_until": "2099-01-01T00:00:00Z", "status": "resolved"}, 400, "invalid_snooze"),
        ({"priority": "high"}, 422, "invalid_input"),
        ({"add_tags": "vip"}, 422, "invalid_input"),
        ({"status": "resolved", "assignee_id": "{gus}"}, 400, "invalid_assignee"),
        ({"status": "resolved", "team_id": 999999}, 400, "invalid_team"),
    ],
)
def test_it_rejects_a_bad_update_and_changes_nothing(api_as, ana, gus, acme, payload, status, code):
    conversation = ConversationFactory(store=acme)
    payload = {k: (gus.pk if v == "{gus}" else v) for k, v in payload.items()}

    response = api_as(ana).patch(f"/conversations/{conversation.pk}", payload)

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee_id, conversation.team_id) == (Status.OPEN, None, None)
    assert not AuditEvent.objects.filter(object_type="conversation").exists()


def test_it_answers_404_when_updating_another_stores_conversation(api_as, gus, acme):
    conversation = ConversationFactory(store=acme)

    response = api_as(gus).patch(f"/conversations/{conversation.pk}", {"status": "resolved"})

    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_it_answers_405_as_json_for_a_wrong_method(api_as, ana, acme):
    conversation = ConversationFactory(store=acme)

    response = api_as(ana).put(f"/conversations/{conversation.pk}", {"status": "resolved"})

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, PATCH"


# --- merge -----------------------------------------------------------------------------


def test_it_merges_a_conversation_into_another(api_as, ana, acme, carla):
    source = ConversationFactory(store=acme, customer=carla)
    target = ConversationFactory(store=acme, customer=carla)

    response = api_as(ana).post(f"/conversations/{source.pk}/merge", {"into": target.pk})

    assert response.status_code == 200, response.content
    assert response.json()["id"] == target.pk
    source.refresh_from_db()
    assert (source.merged_into_id, source.status) == (target.pk, Status.RESOLVED)


def test_it_answers_404_when_merging_into_another_stores_conversation(api_as, ana, acme, globex):
    source = ConversationFactory(store=acme)
    theirs = ConversationFactory(store=globex, customer=CustomerFactory(store=globex))

    response = api_as(ana).post(f"/conversations/{source.pk}/merge", {"into": theirs.pk})

    assert response.status_code == 404
    source.refresh_from_db()
    assert source.merged_into_id is None


@pytest.mark.parametrize(("payload", "status"), [({"into": "{self}"}, 400), ({"into": "x"}, 422), ({}, 422)])
def test_it_rejects_a_bad_merge(api_as, ana, acme, payload, status):
    source = ConversationFactory(store=acme)
    payload = {k: (source.pk if v == "{self}" else v) for k, v in payload.items()}

    response = api_as(ana).post(f"/conversations/{source.pk}/merge", payload)

    assert response.status_code == status
    source.refresh_from_db()
    assert source.merged_into_id is None
