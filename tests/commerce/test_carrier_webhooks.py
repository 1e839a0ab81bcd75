"""Carrier tracking webhooks for returns: verified, stored, then processed once; a delivered
parcel is received and refunded (storedesk/commerce/carrier_webhooks.py)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from storedesk.commerce import returns
from storedesk.commerce.models import CarrierWebhook, Remedy, ReturnRequest
from storedesk.commerce.providers.base import body_signature
from storedesk.commerce.returns import ReturnItem
from storedesk.core.models import AuditEvent
from tests.commerce.factories import FulfillmentFactory, order_for

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "carriers" / "generic"
SECRET = "carrier-secret"


@pytest.fixture
def labelled_return(acme, carla, ana, django_capture_on_commit_callbacks):
    """Return R-2041-1 of one $45.00 item, label sent (built-in label: tracking number = RMA)."""
    acme.settings["carrier_webhook_secrets"] = {"generic": SECRET}
    acme.save(update_fields=["settings"])
    order = order_for(carla, name="#2041", number="2041")
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=3))
    line = order.lines.order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        ret = returns.do_request_return(ana, order, [ReturnItem(line.pk, 1, "damaged")])
    ret.refresh_from_db()
    assert (ret.state, ret.tracking_number) == ("label_sent", "R-2041-1")
    return ret


def post(client, acme, name: str, *, secret: str = SECRET, carrier: str = "generic"):
    body = (FIXTURES / name).read_bytes()
    return client.post(
        reverse("returns_carrier_webhook", args=[acme.slug, carrier]),
        body,
        content_type="application/json",
        HTTP_X_CARRIER_SIGNATURE=body_signature(secret, body),
    )


def test_it_moves_the_return_in_transit_then_receives_and_refunds_it(
    client, acme, olivia, labelled_return, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, acme, "in_transit.json")
    assert response.status_code == 200
    assert response.json()["duplicate"] is False
    labelled_return.refresh_from_db()
    assert labelled_return.state == "in_transit"

    with django_capture_on_commit_callbacks(execute=True):
        post(client, acme, "delivered.json")

    ret = ReturnRequest.objects.get()
    assert ret.state in ("received", "refunded")
    remedy = Remedy.objects.get()
    assert (remedy.kind, remedy.amount, remedy.idempotency_key, remedy.authorized_by_id) == (
        "refund",
        4500,
        f"return:{ret.pk}",
        olivia.pk,
    )
    assert list(CarrierWebhook.objects.order_by("pk").values_list("state", "event_id")) == [
        ("processed", "evt_01JD3M2Q8T5W7Y9A1C3E5G7H9K"),
        ("processed", "evt_01JD5R8V2X4Z6B8D0F2H4J6L8N"),
    ]
    received = AuditEvent.objects.get(verb="return.received")
    assert (received.actor_id, received.after["via"]) == (None, "generic")


def test_a_replayed_event_is_stored_once_and_not_processed_again(
    client, acme, olivia, labelled_return, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, acme, "delivered.json")
        again = post(client, acme, "delivered.json")

    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert first.json()["id"] == again.json()["id"]
    assert CarrierWebhook.objects.count() == 1
    assert Remedy.objects.count() == 1


def test_a_bad_signature_is_refused_logged_and_not_stored(client, acme, labelled_return, caplog):
    with caplog.at_level(logging.WARNING, logger="storedesk.commerce.carrier_webhooks"):
        response = post(client, acme, "delivered.json", secret="wrong")

    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    assert "rejected generic carrier webhook for store acme: bad signature" in caplog.text
    assert CarrierWebhook.objects.count() == 0
    labelled_return.refresh_from_db()
    assert labelled_return.state == "label_sent"


def test_without_a_configured_secret_everything_is_refused(client, acme, labelled_return):
    acme.settings.pop("carrier_webhook_secrets")
    acme.save(update_fields=["settings"])

    assert post(client, acme, "in_transit.json").status_code == 401
    assert CarrierWebhook.objects.count() == 0


def test_an_unknown_carrier_is_a_404(client, acme, labelled_return):
    assert post(client, acme, "in_transit.json", carrier="pigeon").status_code == 404


def test_an_event_for_a_parcel_we_do_not_know_is_kept_and_ignored(
    client, acme, labelled_return, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, acme, "unknown_parcel.json")

    assert response.status_code == 200
    assert list(CarrierWebhook.objects.values_list("state", "error")) == [("ignored", "no_return")]
    labelled_return.refresh_from_db()
    assert labelled_return.state == "label_sent"


def test_without_an_agent_to_authorise_the_refund_the_event_fails_and_is_retried(
    client, acme, labelled_return, django_capture_on_commit_callbacks
):
    """acme has no admin here (only Ana, an agent, from the fixture), and no refund agent set."""
    from storedesk.commerce.carrier_webhooks import do_process_carrier_webhook, sweep_carrier_webhooks

    with django_capture_on_commit_callbacks(execute=True):
        post(client, acme, "delivered.json")

    row = CarrierWebhook.objects.get()
    assert (row.state, row.error, row.attempts) == (
        "failed",
        "No agent to authorise the refund: set returns_refund_agent.",
        1,
    )
    labelled_return.refresh_from_db()
    assert labelled_return.state == "label_sent"  # nothing half-done

    acme.settings["returns_refund_agent"] = "ana@acme.test"
    acme.save(update_fields=["settings"])
    CarrierWebhook.objects.filter(pk=row.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_carrier_webhooks() == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("processed", 2)
    assert Remedy.objects.get().authorized_by.email == "ana@acme.test"
    assert do_process_carrier_webhook(row.pk) == "skipped"
