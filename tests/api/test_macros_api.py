"""/api/v1/macros: list, create, edit, delete (leads and admins), render (any agent)."""

from __future__ import annotations

import pytest

from storedesk.conversations.models import Macro
from storedesk.core.models import AuditEvent
from tests.api.conftest import error_of
from tests.factories import ConversationFactory, MacroFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_callers_macros_by_name(api_as, ana, acme, globex):
    thanks = MacroFactory(store=acme, name="Thanks")
    apology = MacroFactory(store=acme, name="Apology", actions={"status": "resolved"})
    MacroFactory(store=globex, name="Globex hello")

    response = api_as(ana).get("/macros")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [m["id"] for m in items] == [apology.pk, thanks.pk]
    assert items[0]["actions"] == {"status": "resolved"}
    assert items[0]["store_id"] == acme.pk
    assert items[0]["usage_count"] == 0


def test_it_answers_404_for_a_store_filter_outside_the_callers_stores(api_as, gus, acme):
    response = api_as(gus).get("/macros?store=acme")

    assert response.status_code == 404


def test_it_lets_a_lead_create_a_macro(api_as, leo, acme):
    response = api_as(leo).post(
        "/macros",
        {
            "store": "acme",
            "name": "Shipped",
            "body": "Hi {{ customer.first_name }}, it shipped.",
            "actions": {"add_tags": ["shipping"], "status": "pending", "priority": 2},
        },
    )

    assert response.status_code == 201, response.content
    macro = Macro.objects.get()
    assert (macro.name, macro.store, macro.created_by) == ("Shipped", acme, leo)
    assert macro.actions == {"add_tags": ["shipping"], "status": "pending", "priority": 2}
    assert response.json()["actions"] == {"add_tags": ["shipping"], "status": "pending", "priority": 2}


def test_it_forbids_an_agent_to_create_a_macro(api_as, ana, acme):
    response = api_as(ana).post("/macros", {"store": "acme", "name": "Mine", "body": "Hello"})

    assert response.status_code == 403
    assert error_of(response) == {"code": "forbidden", "message": "Your role may not do this (macro.manage)."}
    assert not Macro.objects.exists()


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"store": "acme", "name": "X", "body": "Hi", "actions": {"delete_everything": True}}, 422, "invalid_input"),
        ({"store": "acme", "name": "X", "body": "Hi", "actions": {"status": "snoozed"}}, 422, "invalid_input"),
        ({"store": "acme", "name": "X", "body": "Hi", "actions": {"priority": 7}}, 422, "invalid_input"),
        ({"store": "acme", "name": "X", "body": ""}, 422, "invalid_input"),
        ({"store": "acme", "name": "X", "body": "Hi {% if %}"}, 400, "invalid_macro"),
        ({"store": "acme", "name": "X"}, 422, "invalid_input"),
    ],
)
def test_it_rejects_a_bad_macro_and_creates_nothing(api_as, leo, acme, payload, status, code):
    response = api_as(leo).post("/macros", payload)

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code
    assert not Macro.objects.exists()


def test_it_answers_409_for_a_macro_name_in_use(api_as, leo, acme):
    MacroFactory(store=acme, name="Thanks")

    response = api_as(leo).post("/macros", {"store": "acme", "name": "Thanks", "body": "Hi"})

    assert response.status_code == 409
    assert Macro.objects.count() == 1


def test_it_lets_a_lead_edit_a_macro(api_as, leo, acme):
    macro = MacroFactory(store=acme, name="Thanks", actions={"status": "resolved"})

    response = api_as(leo).patch(f"/macros/{macro.pk}", {"body": "Thank you, {{ customer.first_name }}!"})

    assert response.status_code == 200, response.content
    macro.refresh_from_db()
    assert (macro.name, macro.body, macro.actions) == (
        "Thanks",
        "Thank you, {{ customer.first_name }}!",
        {"status": "resolved"},
    )


def test_it_forbids_an_agent_to_edit_a_macro(api_as, ana, acme):
    macro = MacroFactory(store=acme, name="Thanks", body="Hi")

    response = api_as(ana).patch(f"/macros/{macro.pk}", {"body": "Changed"})

    assert response.status_code == 403
    macro.refresh_from_db()
    assert macro.body == "Hi"
    assert not AuditEvent.objects.filter(verb="macro.updated").exists()


def test_it_refuses_an_empty_macro_edit(api_as, leo, acme):
    macro = MacroFactory(store=acme)

    response = api_as(leo).patch(f"/macros/{macro.pk}", {})

    assert response.status_code == 400
    assert error_of(response)["code"] == "empty_update"


def test_it_answers_404_for_another_stores_macro(api_as, gus, acme):
    macro = MacroFactory(store=acme, body="Hi")
    client = api_as(gus)

    assert client.patch(f"/macros/{macro.pk}", {"body": "Mine now"}).status_code == 404
    assert client.delete(f"/macros/{macro.pk}").status_code == 404
    macro.refresh_from_db()
    assert macro.body == "Hi"


def test_it_lets_a_lead_delete_a_macro(api_as, leo, acme):
    macro = MacroFactory(store=acme)

    response = api_as(leo).delete(f"/macros/{macro.pk}")

    assert response.status_code == 204
    assert not Macro.objects.exists()


def test_it_forbids_an_agent_to_delete_a_macro(api_as, ana, acme):
    macro = MacroFactory(store=acme)

    response = api_as(ana).delete(f"/macros/{macro.pk}")

    assert response.status_code == 403
    assert Macro.objects.filter(pk=macro.pk).exists()


def test_it_renders_a_macro_for_a_conversation(api_as, ana, acme, carla):
    macro = MacroFactory(store=acme)
    conversation = ConversationFactory(store=acme, customer=carla)

    response = api_as(ana).post(f"/macros/{macro.pk}/render", {"conversation_id": conversation.pk})

    assert response.status_code == 200, response.content
    assert response.json() == {"body_text": "Hi Carla, thanks for writing to Acme Outfitters. — Ana"}
    assert Macro.objects.get(pk=macro.pk).usage_count == 0


def test_it_answers_404_when_rendering_for_another_stores_conversation(api_as, ana, acme, globex):
    macro = MacroFactory(store=acme)
    theirs = ConversationFactory(store=globex)

    response = api_as(ana).post(f"/macros/{macro.pk}/render", {"conversation_id": theirs.pk})

    assert response.status_code == 404


def test_it_answers_404_when_rendering_another_stores_macro(api_as, gus, acme, globex):
    macro = MacroFactory(store=acme)
    conversation = ConversationFactory(store=globex)

    response = api_as(gus).post(f"/macros/{macro.pk}/render", {"conversation_id": conversation.pk})

    assert response.status_code == 404


def test_it_needs_a_conversation_to_render(api_as, ana, acme):
    macro = MacroFactory(store=acme)

    response = api_as(ana).post(f"/macros/{macro.pk}/render", {})

    assert response.status_code == 422
    assert error_of(response)["message"] == "body.conversation_id: This field is required."
