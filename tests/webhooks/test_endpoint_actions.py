"""Managing webhook endpoints: admins only, validated, audited without the secret."""

from __future__ import annotations

import pytest

from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import AuditEvent
from storedesk.webhooks import actions
from storedesk.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def test_it_creates_an_endpoint_with_a_fresh_secret(acme, olivia):
    endpoint = actions.do_create_endpoint(
        olivia,
        acme,
        url="  https://hooks.acme.test/storedesk  ",
        event_types=["message.created", "conversation.created", "message.created"],
        description="Order sync",
    )

    endpoint.refresh_from_db()
    assert (endpoint.store, endpoint.url, endpoint.description, endpoint.is_active) == (
        acme,
        "https://hooks.acme.test/storedesk",
        "Order sync",
        True,
    )
    assert endpoint.event_types == ["conversation.created", "message.created"]  # known order, once each
    assert len(endpoint.secret) >= 32
    audit = AuditEvent.objects.get()
    assert (audit.verb, audit.actor, audit.object_type, audit.object_id) == (
        "webhook.created",
        olivia,
        "webhookendpoint",
        endpoint.pk,
    )
    assert audit.after == {
        "url": "https://hooks.acme.test/storedesk",
        "event_types": ["conversation.created", "message.created"],
        "description": "Order sync",
        "is_active": True,
    }
    assert endpoint.secret not in str(audit.after)


def test_it_accepts_a_host_without_a_dot(acme, olivia):
    endpoint = actions.do_create_endpoint(olivia, acme, url="http://n8n:5678/webhook/abc")

    assert endpoint.url == "http://n8n:5678/webhook/abc"
    assert endpoint.event_types == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"url": ""}, "invalid_url"),
        ({"url": "ftp://hooks.acme.test/"}, "invalid_url"),
        ({"url": "javascript:alert(1)"}, "invalid_url"),
        ({"url": "hooks.acme.test/storedesk"}, "invalid_url"),
        ({"url": "https://"}, "invalid_url"),
        ({"url": "https://hooks.acme.test:99999/"}, "invalid_url"),
        ({"url": "https://hooks.acme.test/a b"}, "invalid_url"),
        ({"url": "https://hooks.acme.test/" + "a" * 1000}, "invalid_url"),
        ({"url": "https://hooks.acme.test/", "event_types": ["message.deleted"]}, "invalid_event_type"),
        ({"url": "https://hooks.acme.test/", "event_types": "message.created"}, "invalid_event_type"),
        ({"url": "https://hooks.acme.test/", "description": "x" * 201}, "invalid_description"),
    ],
)
def test_it_refuses_a_bad_endpoint_and_creates_nothing(acme, olivia, fields, code):
    with pytest.raises(ActionError) as error:
        actions.do_create_endpoint(olivia, acme, **fields)

    assert error.value.code == code
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("who", "error"), [("leo", PermissionDenied), ("ana", PermissionDenied), ("gus", NotFound)])
def test_it_lets_only_the_stores_admins_manage_endpoints(request, acme, who, error):
    user = request.getfixturevalue(who)
    endpoint = WebhookEndpointFactory(store=acme, url="https://hooks.acme.test/", secret="whsec-acme-1")

    with pytest.raises(error):
        actions.do_create_endpoint(user, acme, url="https://hooks.acme.test/new")
    with pytest.raises(error):
        actions.do_update_endpoint(user, endpoint, url="https://evil.test/")
    with pytest.raises(error):
        actions.do_rotate_secret(user, endpoint)
    with pytest.raises(error):
        actions.do_delete_endpoint(user, endpoint)

    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.secret) == ("https://hooks.acme.test/", "whsec-acme-1")
    assert WebhookEndpoint.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_it_updates_only_what_changed_and_audits_it(acme, olivia):
    endpoint = WebhookEndpointFactory(store=acme, url="https://hooks.acme.test/", description="Sync")

    actions.do_update_endpoint(
        olivia, endpoint, url="https://hooks.acme.test/v2", description="Sync", event_types=["customer.merged"]
    )

    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description, endpoint.event_types) == (
        "https://hooks.acme.test/v2",
        "Sync",
        ["customer.merged"],
    )
    audit = AuditEvent.objects.get()
    assert (audit.verb, audit.actor) == ("webhook.updated", olivia)
    assert audit.before == {"url": "https://hooks.acme.test/", "event_types": []}
    assert audit.after == {"url": "https://hooks.acme.test/v2", "event_types": ["customer.merged"]}


def test_it_switches_an_endpoint_off_and_on(acme, olivia):
    endpoint = WebhookEndpointFactory(store=acme)

    actions.do_update_endpoint(olivia, endpoint, is_active=False)
    assert WebhookEndpoint.objects.get().is_active is False
    actions.do_update_endpoint(olivia, endpoint, is_active=True)

    assert WebhookEndpoint.objects.get().is_active is True
    assert [(a.before, a.after) for a in AuditEvent.objects.order_by("id")] == [
        ({"is_active": True}, {"is_active": False}),
        ({"is_active": False}, {"is_active": True}),
    ]


def test_it_audits_nothing_when_nothing_changed(acme, olivia):
    endpoint = WebhookEndpointFactory(store=acme, url="https://hooks.acme.test/")

    actions.do_update_endpoint(olivia, endpoint, url="https://hooks.acme.test/")

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "empty_update"),
        ({"secret": "mine"}, "invalid_field"),
        ({"store": 2}, "invalid_field"),
        ({"is_active": "yes"}, "invalid_field"),
        ({"url": "mailto:x@acme.test"}, "invalid_url"),
        ({"event_types": ["nope"]}, "invalid_event_type"),
    ],
)
def test_it_refuses_a_bad_update_and_changes_nothing(acme, olivia, fields, code):
    endpoint = WebhookEndpointFactory(store=acme, url="https://hooks.acme.test/", secret="whsec-acme-1")

    with pytest.raises(ActionError) as error:
        actions.do_update_endpoint(olivia, endpoint, **fields)

    assert error.value.code == code
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.secret, endpoint.event_types, endpoint.is_active) == (
        "https://hooks.acme.test/",
        "whsec-acme-1",
        [],
        True,
    )
    assert not AuditEvent.objects.exists()


def test_it_rotates_the_secret(acme, olivia):
    endpoint = WebhookEndpointFactory(store=acme, secret="whsec-acme-1")

    actions.do_rotate_secret(olivia, endpoint)

    endpoint.refresh_from_db()
    assert endpoint.secret != "whsec-acme-1"
    assert len(endpoint.secret) >= 32
    audit = AuditEvent.objects.get()
    assert (audit.verb, audit.actor, audit.object_id, audit.before, audit.after) == (
        "webhook.secret_rotated",
        olivia,
        endpoint.pk,
        {},
        {},
    )


def test_it_deletes_an_endpoint_with_its_delivery_log(acme, olivia):
    endpoint = WebhookEndpointFactory(store=acme, url="https://hooks.acme.test/")
    kept = WebhookEndpointFactory(store=acme, url="https://other.acme.test/")
    for target in (endpoint, kept):
        WebhookDelivery.objects.create(
            endpoint=target,
            event_id="5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10",
            event_type="customer.merged",
            payload={},
        )
    endpoint_id = endpoint.pk

    actions.do_delete_endpoint(olivia, endpoint)

    assert list(WebhookEndpoint.objects.all()) == [kept]
    assert [d.endpoint_id for d in WebhookDelivery.objects.all()] == [kept.pk]
    audit = AuditEvent.objects.get()
    assert (audit.verb, audit.object_id, audit.before["url"]) == (
        "webhook.deleted",
        endpoint_id,
        "https://hooks.acme.test/",
    )


def test_it_deletes_an_endpoint_whose_deliveries_were_replayed(acme, olivia):
    endpoint = WebhookEndpointFactory(store=acme)
    original = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10", event_type="customer.merged", payload={}
    )
    first = actions.do_replay_delivery(olivia, original)
    actions.do_replay_delivery(olivia, original)
    actions.do_replay_delivery(olivia, first)

    actions.do_delete_endpoint(olivia, endpoint)

    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
