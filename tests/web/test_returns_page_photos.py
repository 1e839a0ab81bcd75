"""The public returns page: damage photos, final-sale items; agents see the photos, nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from storedesk.commerce.models import ReturnPhoto, ReturnRequest
from tests.commerce.factories import FulfillmentFactory, OrderLineFactory, order_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def order(acme, carla):
    order = order_for(carla, lines=0, name="#2041", number="2041", email="carla@mail.test")
    OrderLineFactory(order=order, title="Trail runner", sku="TR-42")
    OrderLineFactory(order=order, title="Sale socks", sku="SALE-SOCK-1")
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=2))
    return order


def items_page(client, acme):
    return client.post(reverse("returns_start", args=[acme.slug]), {"number": "2041", "email": "carla@mail.test"})


def token_of(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


def test_it_says_which_items_are_final_sale(client, acme, order):
    acme.settings["return_rules"] = [{"sku": "SALE-*", "final_sale": True}]
    acme.save(update_fields=["settings"])

    html = items_page(client, acme).content.decode()

    assert html.count('data-testid="returns-line"') == 1
    assert '<p class="muted" data-testid="returns-final-sale">Final sale, not returnable: Sale socks.</p>' in html
    assert 'enctype="multipart/form-data"' in html and 'name="photos"' in html


def test_it_takes_damage_photos_with_the_return(client, acme, order, ana):
    ConversationFactory(store=acme, customer=order.customer)
    line = order.lines.get(sku="TR-42")
    token = token_of(items_page(client, acme).content.decode())

    response = client.post(
        reverse("returns_start", args=[acme.slug]),
        {
            "token": token,
            f"qty-{line.pk}": "1",
            f"reason-{line.pk}": "damaged",
            "photos": [SimpleUploadedFile("crack.jpg", JPEG, content_type="image/jpeg")],
        },
    )

    assert response.status_code == 302
    photo = ReturnPhoto.objects.get()
    assert (photo.return_request.rma, photo.content_type) == ("R-2041-1", "image/jpeg")
    agent = Client()
    agent.force_login(ana)
    shown = agent.get(reverse("commerce_return_photo", args=[photo.pk]))
    assert (shown.status_code, shown["Content-Type"], b"".join(shown.streaming_content)) == (200, "image/jpeg", JPEG)
    panel = agent.get(reverse("conversation_orders", args=[ReturnRequest.objects.get().conversation_id]))
    assert f'href="/commerce/returns/photos/{photo.pk}"' in panel.content.decode()


def test_a_file_that_is_not_a_photo_is_refused_and_no_return_is_opened(client, acme, order):
    line = order.lines.get(sku="TR-42")
    token = token_of(items_page(client, acme).content.decode())

    response = client.post(
        reverse("returns_start", args=[acme.slug]),
        {
            "token": token,
            f"qty-{line.pk}": "1",
            f"reason-{line.pk}": "damaged",
            "photos": [SimpleUploadedFile("x.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg")],
        },
    )

    assert response.status_code == 400
    assert "Photos must be JPEG, PNG or WebP images." in response.content.decode()
    assert ReturnRequest.objects.count() == 0


def test_photos_are_not_shown_to_anonymous_visitors_or_other_stores(client, acme, order, gus):
    line = order.lines.get(sku="TR-42")
    from storedesk.commerce.returns import PhotoUpload, ReturnItem, do_request_return

    do_request_return(None, order, [ReturnItem(line.pk, 1, "damaged")], photos=[PhotoUpload(JPEG)])
    photo = ReturnPhoto.objects.get()
    url = reverse("commerce_return_photo", args=[photo.pk])

    assert client.get(url).status_code == 302  # to the sign-in page
    other = Client()
    other.force_login(gus)
    assert other.get(url).status_code == 404


def test_an_oversized_upload_is_refused_before_it_is_read(client, acme, order):
    from storedesk.web.returns_views import MAX_BODY_BYTES

    response = client.generic(
        "POST",
        reverse("returns_start", args=[acme.slug]),
        b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(MAX_BODY_BYTES + 1),
    )

    assert response.status_code == 413
    assert ReturnRequest.objects.count() == 0
