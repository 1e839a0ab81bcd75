"""/api/v1/customers: list and search, profile, edit, merge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.conversations.models import Customer, Identity
from storedesk.core.models import AuditEvent
from tests.api.conftest import error_of
from tests.factories import ConversationFactory, CustomerFactory, IdentityFactory, MembershipFactory, agent_of

pytestmark = pytest.mark.django_db


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


# --- list and search -------------------------------------------------------------------


def test_it_lists_live_customers_of_the_callers_stores_newest_first(api_as, ana, acme, globex):
    old = CustomerFactory(store=acme, created_at=ago(30))
    new = CustomerFactory(store=acme, created_at=ago(1))
    merged_away = CustomerFactory(store=acme, created_at=ago(2), merged_into=new)
    CustomerFactory(store=globex)

    response = api_as(ana).get("/customers")

    assert ids(response) == [new.pk, old.pk]
    assert merged_away.pk not in ids(response)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("CARLA@mail.test", ["carla"]),
        ("+1 (555) 010-2030", ["phoned"]),
        ("smith", ["dave", "erin"]),
        ("nobody@mail.test", []),
    ],
)
def test_it_searches_customers_by_exact_email_or_phone_or_part_of_the_name(
    api_as, ana, acme, globex, carla, q, expected
):
    dave = CustomerFactory(store=acme, name="Dave Smith", created_at=ago(3))
    erin = CustomerFactory(store=acme, name="Erin Smithson", created_at=ago(4))
    phoned = CustomerFactory(store=acme, name="Phil", created_at=ago(5))
    IdentityFactory(customer=phoned, store=acme, kind=Identity.Kind.PHONE, value="+15550102030")
    IdentityFactory(customer=phoned, store=acme, kind=Identity.Kind.EMAIL, value="phil@mail.test")
    CustomerFactory(store=globex, name="Gina Smith")
    names = {carla.pk: "carla", dave.pk: "dave", erin.pk: "erin", phoned.pk: "phoned"}

    response = api_as(ana).get("/customers", {"q": q})

    assert [names[pk] for pk in ids(response)] == expected


def test_it_filters_customers_by_store(api_as, acme, globex, carla):
    both = agent_of(acme, email="both@acme.test")
    MembershipFactory(store=globex, user=both)
    theirs = CustomerFactory(store=globex)
    client = api_as(both)

    assert ids(client.get("/customers?store=globex")) == [theirs.pk]
    assert ids(client.get(f"/customers?store={acme.pk}")) == [carla.pk]
    assert set(ids(client.get("/customers"))) == {carla.pk, theirs.pk}


def test_it_answers_404_for_a_store_filter_outside_the_callers_stores(api_as, gus, carla):
    response = api_as(gus).get("/customers?store=acme")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_customers_in_a_constant_number_of_queries(api_as, ana, acme, rows, django_assert_num_queries):
    for _ in range(rows):
        customer = CustomerFactory(store=acme)
        IdentityFactory(customer=customer, store=acme)
        IdentityFactory(customer=customer, store=acme, kind=Identity.Kind.PHONE, value=f"+1555{customer.pk:07d}")
    client = api_as(ana)
    client.get("/me")  # the first use of a token stamps last_used_at; count a steady-state call

    # token → user, roles, the page, the page's identities
    with django_assert_num_queries(4):
        response = client.get("/customers")

    assert len(response.json()["items"]) == rows
    assert all(len(row["identities"]) == 2 for row in response.json()["items"])


# --- profile ---------------------------------------------------------------------------


def test_it_shows_a_customer_with_identities_and_recent_conversations(api_as, ana, acme, carla):
    older = ConversationFactory(store=acme, customer=carla, created_at=ago(60), subject="First")
    newer = ConversationFactory(store=acme, customer=carla, created_at=ago(5), subject="Second")

    response = api_as(ana).get(f"/customers/{carla.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["vip"], body["store_id"]) == (carla.pk, "Carla Customer", False, acme.pk)
    assert body["identities"] == [{"kind": "email", "value": "carla@mail.test"}]
    assert [(c["id"], c["subject"], c["status"]) for c in body["recent_conversations"]] == [
        (newer.pk, "Second", "open"),
        (older.pk, "First", "open"),
    ]


def test_it_answers_404_for_another_stores_customer(api_as, gus, carla):
    response = api_as(gus).get(f"/customers/{carla.pk}")

    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": f"Customer {carla.pk} not found."}


# --- edit ------------------------------------------------------------------------------


def test_it_edits_a_customer(api_as, ana, carla):
    response = api_as(ana).patch(
        f"/customers/{carla.pk}",
        {"name": "Carla C.", "notes": "Prefers a direct approach", "vip": True, "language": "es"},
    )

    assert response.status_code == 200, response.content
    carla.refresh_from_db()
    assert (carla.name, carla.notes, carla.vip, carla.language) == ("Carla C.", "Prefers a direct approach", True, "es")
    assert response.json()["vip"] is True


def test_it_leaves_fields_that_are_not_sent(api_as, ana, carla):
    response = api_as(ana).patch(f"/customers/{carla.pk}", {"vip": True})

    assert response.status_code == 200
    carla.refresh_from_db()
    assert (carla.name, carla.vip) == ("Carla Customer", True)


@pytest.mark.parametrize("payload", [{"vip": "maybe"}, {"name": ["x"]}, {"language": "x" * 17}])
def test_it_rejects_a_bad_customer_edit_and_changes_nothing(api_as, ana, carla, payload):
    response = api_as(ana).patch(f"/customers/{carla.pk}", payload)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
    carla.refresh_from_db()
    assert (carla.name, carla.vip, carla.language) == ("Carla Customer", False, "")


@pytest.mark.parametrize("payload", [{}, {"name": None}])
def test_it_refuses_an_empty_customer_edit(api_as, ana, carla, payload):
    response = api_as(ana).patch(f"/customers/{carla.pk}", payload)

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "empty_update",
        "message": "Nothing to change: send any of name, notes, vip, language.",
    }


def test_it_answers_404_when_editing_another_stores_customer(api_as, gus, carla):
    response = api_as(gus).patch(f"/customers/{carla.pk}", {"vip": True})

    assert response.status_code == 404
    carla.refresh_from_db()
    assert carla.vip is False


# --- merge -----------------------------------------------------------------------------


def test_it_lets_a_lead_merge_customers(api_as, leo, acme, carla):
    duplicate = CustomerFactory(store=acme, name="")
    IdentityFactory(customer=duplicate, store=acme, value="carla.work@mail.test")
    conversation = ConversationFactory(store=acme, customer=duplicate)

    response = api_as(leo).post(f"/customers/{duplicate.pk}/merge", {"into": carla.pk})

    assert response.status_code == 200, response.content
    assert response.json()["id"] == carla.pk
    assert response.json()["identities"] == [
        {"kind": "email", "value": "carla.work@mail.test"},
        {"kind": "email", "value": "carla@mail.test"},
    ]
    duplicate.refresh_from_db()
    conversation.refresh_from_db()
    assert (duplicate.merged_into_id, conversation.customer_id) == (carla.pk, carla.pk)


def test_it_forbids_an_agent_to_merge_customers(api_as, ana, acme, carla):
    duplicate = CustomerFactory(store=acme)
    IdentityFactory(customer=duplicate, store=acme, value="dup@mail.test")

    response = api_as(ana).post(f"/customers/{duplicate.pk}/merge", {"into": carla.pk})

    assert response.status_code == 403
    assert error_of(response) == {"code": "forbidden", "message": "Your role may not do this (customer.merge)."}
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert Identity.objects.get(value="dup@mail.test").customer_id == duplicate.pk
    assert not AuditEvent.objects.filter(verb="customer.merged").exists()


def test_it_answers_404_when_merging_into_another_stores_customer(api_as, leo, globex, carla):
    theirs = CustomerFactory(store=globex)

    response = api_as(leo).post(f"/customers/{carla.pk}/merge", {"into": theirs.pk})

    assert response.status_code == 404
    carla.refresh_from_db()
    assert carla.merged_into_id is None


def test_it_refuses_merging_a_customer_into_itself(api_as, leo, carla):
    response = api_as(leo).post(f"/customers/{carla.pk}/merge", {"into": carla.pk})

    assert response.status_code == 400
    assert error_of(response)["code"] == "merge_self"
    assert Customer.objects.get(pk=carla.pk).merged_into_id is None
