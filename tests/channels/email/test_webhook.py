"""ESP inbound webhooks (anymail): a signed Mailgun payload is stored for the webhook mailbox of
its recipient; a bad signature stores nothing."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from storedesk.channels.email import actions
from storedesk.channels.email.models import InboundEmail
from tests.channels.email.conftest import simple_email

pytestmark = pytest.mark.django_db

KEY = "mailgun-signing-key"


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


@pytest.fixture
def mailbox(acme):
    return actions.do_save_mailbox(None, acme, kind="webhook", address="support@acme.test", esp="mailgun")


def signed(fields: dict[str, str], key: str = KEY) -> dict[str, str]:
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


def test_it_stores_a_signed_mailgun_inbound_email(client, acme, mailbox, django_capture_on_commit_callbacks):
    payload = signed(
        {"recipient": "support@acme.test", "sender": "carla@mail.test", "body-mime": simple_email().decode()}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/email/inbound/mailgun/", payload)

    assert response.status_code == 200
    row = InboundEmail.objects.get()
    assert (row.store_id, row.source, row.mailbox_id, row.message_id_key) == (
        acme.pk,
        "webhook",
        mailbox.pk,
        "carla-1@mail.test",
    )
    row.refresh_from_db()
    assert row.status == "processed"
    assert row.message.body_text.startswith("Hi, my order #1001")


def test_it_refuses_a_bad_signature(client, mailbox):
    payload = signed({"recipient": "support@acme.test", "body-mime": simple_email().decode()}, key="wrong-key")

    response = client.post("/email/inbound/mailgun/", payload)

    assert response.status_code == 400
    assert InboundEmail.objects.count() == 0


def test_it_answers_404_for_a_recipient_without_a_webhook_mailbox(client, mailbox):
    payload = signed({"recipient": "sales@other.test", "body-mime": simple_email(to="sales@other.test").decode()})

    response = client.post("/email/inbound/mailgun/", payload)

    assert response.status_code == 404
    assert InboundEmail.objects.count() == 0


def test_it_answers_404_for_an_unknown_esp(client):
    assert client.post("/email/inbound/carrier-pigeon/", {}).status_code == 404


def test_it_stores_a_redelivered_payload_once(client, mailbox):
    payload = signed({"recipient": "support@acme.test", "body-mime": simple_email().decode()})

    assert client.post("/email/inbound/mailgun/", payload).status_code == 200
    assert client.post("/email/inbound/mailgun/", payload).status_code == 200

    assert InboundEmail.objects.count() == 1
