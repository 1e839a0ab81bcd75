"""/api/v1/tags: list, create, delete."""

from __future__ import annotations

import pytest

from storedesk.conversations.models import Tag
from tests.api.conftest import error_of
from tests.factories import ConversationFactory, TagFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["items"]]


def test_it_lists_the_callers_tags_by_name(api_as, ana, acme, globex):
    TagFactory(store=acme, name="shipping")
    TagFactory(store=acme, name="billing")
    TagFactory(store=globex, name="globex-only")

    assert names(api_as(ana).get("/tags")) == ["billing", "shipping"]
    assert names(api_as(ana).get("/tags?store=acme")) == ["billing", "shipping"]


def test_it_shows_a_tag(api_as, ana, acme):
    tag = TagFactory(store=acme, name="vip", color="#ff0000")

    assert api_as(ana).get("/tags").json()["items"] == [
        {"id": tag.pk, "store_id": acme.pk, "name": "vip", "color": "#ff0000"}
    ]


def test_it_answers_404_for_a_store_filter_outside_the_callers_stores(api_as, gus, acme):
    TagFactory(store=acme, name="vip")

    response = api_as(gus).get("/tags?store=acme")

    assert response.status_code == 404


def test_it_creates_a_tag(api_as, ana, acme):
    response = api_as(ana).post("/tags", {"store": "acme", "name": "returns", "color": "#0a0"})

    assert response.status_code == 201, response.content
    tag = Tag.objects.get()
    assert response.json() == {"id": tag.pk, "store_id": acme.pk, "name": "returns", "color": "#0a0"}


def test_it_answers_409_for_a_tag_that_exists(api_as, ana, acme):
    TagFactory(store=acme, name="returns")

    response = api_as(ana).post("/tags", {"store": "acme", "name": "returns"})

    assert response.status_code == 409
    assert error_of(response) == {"code": "conflict", "message": "Tag 'returns' already exists."}
    assert Tag.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"store": "acme", "name": ""},
        {"store": "acme", "name": "x" * 65},
        {"store": "acme", "name": "ok", "color": "red; background:url(x)"},
        {"name": "ok"},
        {},
    ],
)
def test_it_rejects_a_bad_tag_and_creates_nothing(api_as, ana, acme, payload):
    response = api_as(ana).post("/tags", payload)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
    assert not Tag.objects.exists()


def test_it_answers_404_when_creating_a_tag_in_another_store(api_as, gus, acme):
    response = api_as(gus).post("/tags", {"store": "acme", "name": "sneaky"})

    assert response.status_code == 404
    assert not Tag.objects.exists()


def test_it_lets_a_lead_delete_a_tag(api_as, leo, acme):
    tag = TagFactory(store=acme, name="old")
    conversation = ConversationFactory(store=acme)
    conversation.tags.add(tag)

    response = api_as(leo).delete(f"/tags/{tag.pk}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Tag.objects.exists()
    assert list(conversation.tags.all()) == []


def test_it_forbids_an_agent_to_delete_a_tag(api_as, ana, acme):
    tag = TagFactory(store=acme, name="old")

    response = api_as(ana).delete(f"/tags/{tag.pk}")

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_it_answers_404_when_deleting_another_stores_tag(api_as, gus, acme):
    tag = TagFactory(store=acme, name="old")

    response = api_as(gus).delete(f"/tags/{tag.pk}")

    assert response.status_code == 404
    assert Tag.objects.filter(pk=tag.pk).exists()
