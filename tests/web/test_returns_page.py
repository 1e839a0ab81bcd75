"""The public returns page: order number + email, items and reasons, status and label."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from storedesk.commerce.models import ReturnRequest
from tests.commerce.factories import FulfillmentFactory, order_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(carla):
    order = order_for(carla, name="#2041", number="2041", email="carla@mail.test")
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=2))
    return order


def find(client, acme, number="#2041", email="Carla@mail.test"):
    return client.post(reverse("returns_start", args=[acme.slug]), {"number": number, "email": email})


def test_it_asks_for_the_order_number_and_email_without_signing_in(client, acme):
    response = client.get(reverse("returns_start", args=[acme.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Outfitters returns" in html
    assert 'data-testid="returns-find"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_it_says_plainly_when_number_and_email_do_not_match(client, acme, order):
    response = find(client, acme, email="someone@else.test")

    assert response.status_code == 400
    assert "We could not find an order with that number and email address." in response.content.decode()


def test_it_shows_the_items_that_can_be_returned(client, acme, order):
    response = find(client, acme)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="returns-line"') == 2
    assert "Arrived damaged" in html


def test_it_opens_the_return_and_shows_its_label(client, acme, order, django_capture_on_commit_callbacks):
    html = find(client, acme).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    line = order.lines.order_by("id").first()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("returns_start", args=[acme.slug]),
            {"token": token, f"qty-{line.pk}": "1", f"reason-{line.pk}": "damaged", "comment": "Cracked"},
        )

    ret = ReturnRequest.objects.get()
    assert (ret.source, ret.state, ret.comment, ret.reason) == ("portal", "label_sent", "Cracked", "damaged")
    assert response.status_code == 302
    status = client.get(response["Location"])
    page = status.content.decode()
    assert "Return R-2041-1" in page
    assert '<p class="status" data-testid="returns-status">Label sent</p>' in page
    label = client.get(response["Location"] + "label.pdf")
    assert (label.status_code, label["Content-Type"]) == (200, "application/pdf")
    assert label.content.startswith(b"%PDF-1.4")
    assert b"RETURN R-2041-1" in label.content


def test_it_refuses_a_forged_order_token_and_opens_nothing(client, acme, order):
    line = order.lines.order_by("id").first()

    response = client.post(
        reverse("returns_start", args=[acme.slug]),
        {"token": f"{order.pk}:forged", f"qty-{line.pk}": "1", f"reason-{line.pk}": "damaged"},
    )

    assert response.status_code == 404
    assert ReturnRequest.objects.count() == 0


def test_it_does_not_show_another_stores_order(client, acme, globex, order):
    response = client.post(reverse("returns_start", args=[globex.slug]), {"number": "2041", "email": "carla@mail.test"})

    assert response.status_code == 400


def test_it_explains_why_nothing_was_chosen(client, acme, order):
    html = find(client, acme).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]

    response = client.post(reverse("returns_start", args=[acme.slug]), {"token": token})

    assert response.status_code == 400
    assert "Choose at least one item to return." in response.content.decode()
