"""POST /api/v1/orders/{id}/remedies and the approvals endpoints: limits enforced server-side."""

from __future__ import annotations

import pytest

from storedesk.commerce.models import Order, Remedy
from tests.api.conftest import error_of
from tests.commerce.factories import order_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(acme, carla):
    return order_for(carla, name="#2041")


def post_remedy(client, order, body, key="key-1", **extra):
    return client.post(f"/orders/{order.pk}/remedies", body, HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_it_answers_201_for_a_remedy_within_the_callers_limit(api_as, ana, order, django_capture_on_commit_callbacks):
    conversation = ConversationFactory(store=order.store, customer=order.customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_remedy(
            api_as(ana),
            order,
            {"type": "refund", "amount": "12.50", "reason": "late delivery", "conversation": conversation.pk},
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["amount"], body["currency"], body["state"]) == ("refund", "12.50", "USD", "queued")
    assert body["approval"] is None
    assert body["suggested_reply"].startswith("Hi Carla, I've refunded $12.50 for order #2041")
    assert Remedy.objects.get().state == "succeeded"
    assert api_as(ana).get(f"/orders/remedies/{body['id']}").json()["state"] == "succeeded"


def test_it_answers_202_above_the_limit_and_a_lead_approves_it(
    api_as, ana, leo, order, django_capture_on_commit_callbacks
):
    response = post_remedy(api_as(ana), order, {"type": "refund", "amount": "80.00", "reason": "never arrived"})

    assert response.status_code == 202, response.content
    remedy = response.json()
    assert (remedy["state"], remedy["approval"]["state"], remedy["approval"]["why"]) == (
        "awaiting_approval",
        "pending",
        "Above Ana Agent's limit of $50.00 per refund.",
    )
    lead = api_as(leo)
    assert [r["id"] for r in lead.get("/orders/approvals").json()["items"]] == [remedy["id"]]

    with django_capture_on_commit_callbacks(execute=True):
        approved = lead.post(f"/orders/remedies/{remedy['id']}/approve", {"reason": "lost parcel"})

    assert approved.status_code == 200, approved.content
    assert (approved.json()["state"], approved.json()["approval"]["decided_by"]["email"]) == ("queued", "leo@acme.test")
    assert Remedy.objects.get().state == "succeeded"
    assert Order.objects.get(pk=order.pk).refunded == 8000
    assert lead.get("/orders/approvals").json()["items"] == []


def test_it_lets_a_lead_deny_with_a_reason(api_as, ana, leo, order):
    remedy = post_remedy(api_as(ana), order, {"type": "refund", "amount": "80.00"}).json()
    lead = api_as(leo)

    assert error_of(lead.post(f"/orders/remedies/{remedy['id']}/deny", {}))["code"] == "reason_required"
    denied = lead.post(f"/orders/remedies/{remedy['id']}/deny", {"reason": "offer 20% instead"})

    assert denied.json()["state"] == "denied"
    assert denied.json()["approval"]["decision_reason"] == "offer 20% instead"


def test_it_replays_the_first_result_for_the_same_key(api_as, ana, order, django_capture_on_commit_callbacks):
    client = api_as(ana)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_remedy(client, order, {"type": "refund", "amount": "12.50"})

    again = post_remedy(client, order, {"type": "refund", "amount": "12.50"})
    different = post_remedy(client, order, {"type": "refund", "amount": "13.00"})

    assert (again.status_code, again.json()["id"], again["Idempotent-Replayed"]) == (201, first.json()["id"], "true")
    assert again.json()["state"] == "succeeded"
    assert (different.status_code, error_of(different)["code"]) == (409, "idempotency_key_reused")
    assert Remedy.objects.count() == 1


def test_it_enforces_limits_whatever_the_request_says(api_as, ana, acme, order):
    from tests.commerce.factories import AuthorityRuleFactory

    AuthorityRuleFactory(store=acme, role="agent", kind="goodwill", allowed=False)
    client = api_as(ana)

    crafted = post_remedy(
        client, order, {"type": "refund", "amount": "80.00", "confirm_duplicate": True, "authorized": True}
    )
    forbidden = post_remedy(client, order, {"type": "goodwill", "amount": "1.00"}, key="key-2")

    assert crafted.status_code == 422  # unknown fields are refused, never trusted
    assert (forbidden.status_code, error_of(forbidden)["code"]) == (403, "not_allowed")
    assert Remedy.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"type": "refund", "amount": "120.00"}, 409, "over_refund"),
        ({"type": "refund", "amount": "1.005"}, 400, "invalid_amount"),
        ({"type": "refund", "amount": 12.5}, 422, "invalid_input"),
        ({"type": "refund"}, 400, "amount_required"),
        ({"type": "refund", "lines": [{"line_id": 999999999, "quantity": 1}]}, 400, "invalid_line"),
        ({"type": "teleport", "amount": "1.00"}, 422, "invalid_input"),
    ],
)
def test_it_refuses_remedies_the_order_does_not_allow(api_as, leo, order, body, status, code):
    response = post_remedy(api_as(leo), order, body)

    assert (response.status_code, error_of(response)["code"]) == (status, code)
    assert Remedy.objects.count() == 0


def test_it_needs_an_idempotency_key_header(api_as, ana, order):
    response = api_as(ana).post(f"/orders/{order.pk}/remedies", {"type": "refund", "amount": "1.00"})

    assert (response.status_code, error_of(response)["code"]) == (400, "idempotency_key_required")


def test_it_refunds_chosen_lines_by_their_ids(api_as, leo, order, django_capture_on_commit_callbacks):
    line = order.lines.first()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_remedy(api_as(leo), order, {"type": "refund", "lines": [{"line_id": line.pk, "quantity": 1}]})

    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "45.00"
    assert response.json()["params"]["lines"] == [{"line": line.external_id, "quantity": 1}]


def test_it_keeps_other_stores_out_of_remedies_and_approvals(api_as, ana, gus, order):
    remedy = post_remedy(api_as(ana), order, {"type": "refund", "amount": "80.00"}).json()
    client = api_as(gus)

    assert post_remedy(client, order, {"type": "refund", "amount": "1.00"}, key="g").status_code == 404
    assert client.get(f"/orders/remedies/{remedy['id']}").status_code == 404
    assert client.post(f"/orders/remedies/{remedy['id']}/approve", {}).status_code == 404
    assert client.get("/orders/approvals").json()["items"] == []


def test_it_lets_only_leads_decide(api_as, ana, ben, order):
    remedy = post_remedy(api_as(ana), order, {"type": "refund", "amount": "80.00"}).json()

    response = api_as(ben).post(f"/orders/remedies/{remedy['id']}/approve", {})

    assert response.status_code == 403
    assert Remedy.objects.get().state == "awaiting_approval"


def test_it_reports_the_budget_to_leads_only(api_as, ana, leo, acme, order):
    acme.settings["remedy_budget_monthly"] = "100.00"
    acme.save()
    post_remedy(api_as(ana), order, {"type": "goodwill", "amount": "5.00"})

    report = api_as(leo).get("/orders/remedies/budget", {"store": "acme"})

    assert report.status_code == 200, report.content
    body = report.json()
    assert (body["total"], body["budget"], body["used_percent"], body["by_kind"]) == (
        "5.00",
        "100.00",
        5,
        {"goodwill": "5.00"},
    )
    assert [(a["name"], a["total"]) for a in body["by_agent"]] == [("Ana Agent", "5.00")]
    assert api_as(ana).get("/orders/remedies/budget", {"store": "acme"}).status_code == 403


def test_it_shows_and_sets_the_authority_matrix(api_as, ana, leo, olivia, acme, order):
    defaults = api_as(leo).get("/orders/authority", {"store": "acme"}).json()
    assert defaults["currency"] == "USD"
    assert defaults["roles"]["agent"]["refund"] == {
        "allowed": True,
        "max_per_action": "50.00",
        "max_per_day": "200.00",
        "source": "default",
    }
    assert defaults["roles"]["admin"]["refund"]["max_per_action"] is None

    changed = api_as(olivia).put(
        "/orders/authority",
        {"store": "acme", "type": "refund", "agent": ana.pk, "max_per_action": "100.00", "max_per_day": None},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["agents"] == [
        {
            "agent_id": ana.pk,
            "email": "ana@acme.test",
            "type": "refund",
            "limits": {"allowed": True, "max_per_action": "100.00", "max_per_day": None, "source": "agent"},
        }
    ]
    assert post_remedy(api_as(ana), order, {"type": "refund", "amount": "80.00"}).status_code == 201

    assert api_as(leo).put("/orders/authority", {"store": "acme", "type": "refund", "role": "agent"}).status_code == 403
    both = api_as(olivia).put(
        "/orders/authority", {"store": "acme", "type": "refund", "role": "agent", "agent": ana.pk}
    )
    assert error_of(both)["code"] == "invalid_rule"
