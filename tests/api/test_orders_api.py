"""/api/v1/orders: lookups, one order, and the push importer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.commerce.models import Order
from storedesk.core.models import AuditEvent
from tests.api.conftest import error_of
from tests.commerce.factories import FulfillmentFactory, OrderFactory, RefundFactory, order_for

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def ago(days: float):
    return timezone.now() - timedelta(days=days)


def test_it_lists_the_callers_orders_newest_first(api_as, ana, acme, globex, carla):
    old = order_for(carla, placed_at=ago(9))
    new = order_for(carla, placed_at=ago(1))
    OrderFactory(store=globex)

    assert ids(api_as(ana).get("/orders")) == [new.pk, old.pk]


@pytest.mark.parametrize("q", ["#2041", "2041", "carla@mail.test", "+1 503 555 0142", "1Z2041"])
def test_it_looks_orders_up_by_number_email_phone_or_tracking(api_as, ana, acme, carla, q):
    order = order_for(carla, name="#2041", number="2041", email="carla@mail.test", phone="+15035550142")
    FulfillmentFactory(order=order, tracking_number="1Z2041")
    order_for(carla, name="#2042", number="2042", email="other@mail.test")

    assert ids(api_as(ana).get("/orders", {"q": q})) == [order.pk]


def test_it_never_shows_another_stores_orders(api_as, gus, acme, carla):
    order = order_for(carla, name="#2041", number="2041")
    client = api_as(gus)

    assert ids(client.get("/orders", {"q": "#2041"})) == []
    assert client.get(f"/orders/{order.pk}").status_code == 404
    assert client.get("/orders", {"store": "acme"}).status_code == 404
    assert client.get("/orders", {"customer": carla.pk}).status_code == 404


def test_it_filters_by_customer(api_as, ana, acme, carla):
    mine = order_for(carla)
    OrderFactory(store=acme)

    assert ids(api_as(ana).get("/orders", {"customer": carla.pk})) == [mine.pk]


def test_it_pages_with_a_cursor(api_as, ana, acme, carla):
    orders = [order_for(carla, lines=0, placed_at=ago(i)) for i in range(5)]
    client = api_as(ana)

    first = client.get("/orders", {"limit": 3}).json()
    second = client.get("/orders", {"limit": 3, "cursor": first["next_cursor"]}).json()

    assert [row["id"] for row in first["items"] + second["items"]] == [o.pk for o in orders]
    assert second["next_cursor"] is None


def test_it_reads_one_order_with_amounts_as_decimal_strings(api_as, ana, acme, carla):
    order = order_for(carla, name="#2041", lines=1, refunded=1000, financial_status="partially_refunded")
    FulfillmentFactory(order=order, carrier="USPS", tracking_number="9400", tracking_url="https://usps.test/9400")
    RefundFactory(order=order, external_id="R1", amount=1000, note="late")

    body = api_as(ana).get(f"/orders/{order.pk}").json()

    assert {
        k: body[k] for k in ("name", "currency", "total", "paid", "refunded", "refundable", "financial_status")
    } == {
        "name": "#2041",
        "currency": "USD",
        "total": "100.00",
        "paid": "100.00",
        "refunded": "10.00",
        "refundable": "90.00",
        "financial_status": "partially_refunded",
    }
    [line] = body["lines"]
    assert (line["quantity"], line["unit_price"], line["total"]) == (1, "45.00", "45.00")
    assert [(f["carrier"], f["tracking_number"], f["tracking_url"]) for f in body["fulfillments"]] == [
        ("USPS", "9400", "https://usps.test/9400")
    ]
    assert [(r["external_id"], r["amount"], r["note"]) for r in body["refunds"]] == [("R1", "10.00", "late")]
    assert body["remedies"] == []


# --- push --------------------------------------------------------------------------------------

PUSHED = {
    "store": "acme",
    "number": "5001",
    "email": "Carla@mail.test",
    "currency": "GBP",
    "placed_at": "2026-10-01T10:00:00Z",
    "shipping": "4.95",
    "lines": [
        {"title": "Linen shirt", "sku": "LS-1", "quantity": 2, "unit_price": "49.00", "tax": "19.60"},
        {"title": "Beanie", "quantity": 1, "unit_price": "19.00", "discount": "1.90"},
    ],
    "fulfillments": [
        {"carrier": "Royal Mail", "tracking_number": "RM123456785GB", "shipped_at": "2026-10-02T09:00:00Z"}
    ],
}


def test_it_takes_a_pushed_order_and_computes_what_was_left_out(api_as, olivia, acme, carla):
    response = api_as(olivia).post("/orders", PUSHED)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["provider"], body["customer_id"]) == ("#5001", "import", carla.pk)
    assert (body["subtotal"], body["discount"], body["tax"], body["shipping"], body["total"], body["paid"]) == (
        "115.10",
        "1.90",
        "19.60",
        "4.95",
        "139.65",
        "139.65",
    )
    assert body["fulfillments"][0]["tracking_number"] == "RM123456785GB"
    assert AuditEvent.objects.filter(verb="order.imported", object_id=body["id"], actor=olivia).count() == 1


def test_it_updates_a_pushed_order_pushed_again(api_as, olivia, acme, carla):
    client = api_as(olivia)
    first = client.post("/orders", PUSHED).json()

    again = client.post("/orders", {**PUSHED, "financial_status": "refunded", "refunded": "139.65"})

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["refunded"] == "139.65"
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"currency": "pounds"}, 422, "body.currency"),
        ({"shipping": 4.95}, 422, "body.shipping"),
        ({"shipping": "4.955"}, 400, None),
        ({"lines": [{"title": "x", "quantity": 0, "unit_price": "1.00"}]}, 422, "body.lines.0.quantity"),
        ({"unexpected": 1}, 422, "body.unexpected"),
    ],
)
def test_it_refuses_a_pushed_order_it_cannot_trust(api_as, olivia, acme, change, status, field):
    response = api_as(olivia).post("/orders", {**PUSHED, **change})

    assert response.status_code == status, response.content
    if field:
        assert field in [f["field"] for f in response.json()["error"]["fields"]]
    else:
        assert error_of(response)["code"] == "invalid_amount"
    assert Order.objects.count() == 0


def test_it_lets_only_admins_push_orders(api_as, ana, gus, acme):
    assert api_as(ana).post("/orders", PUSHED).status_code == 403
    assert api_as(gus).post("/orders", PUSHED).status_code == 404
    assert Order.objects.count() == 0
