"""Delivering webhooks to a real HTTP receiver on loopback: signed, retried, logged, replayable."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from storedesk.conversations.actions import do_reply
from storedesk.conversations.models import Message
from storedesk.core.errors import ActionError, PermissionDenied
from storedesk.core.events import CustomersMerged, MessageCreated, parse_event
from storedesk.core.models import AuditEvent
from storedesk.core.publish import publish
from storedesk.webhooks import actions
from storedesk.webhooks.models import WebhookDelivery
from storedesk.webhooks.transport import MAX_BODY_BYTES
from tests.factories import ConversationFactory, WebhookEndpointFactory
from tests.webhooks.conftest import Answer, scheduled_retries

pytestmark = pytest.mark.django_db

State = WebhookDelivery.State


@pytest.fixture
def endpoint(acme, receiver):
    return WebhookEndpointFactory(store=acme, url=receiver.url, secret="whsec-acme-1")


@pytest.fixture
def clock(time_machine):
    """A frozen clock at the real now; shift it with clock.shift(timedelta(...))."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def publish_merge(store, django_capture_on_commit_callbacks, *, target_id: int = 2) -> CustomersMerged:
    """Publish one event as an action would (in a transaction), running the on-commit work."""
    event = CustomersMerged(store_id=store.pk, source_id=1, target_id=target_id)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish(event)
    return event


def test_it_delivers_a_reply_to_the_endpoint_signed(
    acme, olivia, ana, carla, receiver, django_capture_on_commit_callbacks
):
    endpoint = actions.do_create_endpoint(olivia, acme, url=receiver.url, event_types=["message.created"])
    conversation = ConversationFactory(store=acme, customer=carla, subject="Where is my order?")

    with django_capture_on_commit_callbacks(execute=True):
        message = do_reply(ana, conversation, body_text="It ships today.")

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = WebhookDelivery.objects.get()
    assert (request.method, request.path) == ("POST", "/hooks/storedesk")
    assert request.verifies_with(endpoint.secret)
    assert request.header("Content-Type") == "application/json"
    assert request.header("User-Agent") == "Storedesk-Webhooks/1"
    assert request.header("X-Storedesk-Event") == "message.created"
    assert request.header("X-Storedesk-Delivery") == str(delivery.pk)
    assert request.header("X-Storedesk-Event-Id") == str(delivery.event_id)
    event = parse_event(request.body)
    assert isinstance(event, MessageCreated)
    assert (event.id, event.store_id, event.actor_id) == (delivery.event_id, acme.pk, ana.pk)
    assert (event.message.id, event.message.body_text, event.message.direction) == (
        message.pk,
        "It ships today.",
        Message.Direction.OUTBOUND,
    )
    assert (event.conversation.id, event.conversation.subject) == (conversation.pk, "Where is my order?")
    assert request.json() == delivery.payload
    assert (delivery.state, delivery.attempts, delivery.response_status, delivery.response_body) == (
        State.SUCCEEDED,
        1,
        200,
        "ok",
    )
    assert (delivery.last_error, delivery.claimed_at) == ("", None)
    assert delivery.delivered_at is not None
    assert scheduled_retries() == []


def test_it_retries_a_500_after_the_backoff_then_delivers(
    acme, endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.answer(Answer(500, b"database down"), 200)
    started = timezone.now()

    publish_merge(acme, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status, delivery.response_body) == (
        State.PENDING,
        1,
        500,
        "database down",
    )
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at == started + timedelta(seconds=10)
    assert scheduled_retries() == [((str(delivery.pk),), (started + timedelta(seconds=10)).replace(tzinfo=None))]

    clock.shift(timedelta(seconds=9))
    assert actions.attempt_delivery(str(delivery.pk)) is None  # not due yet
    assert len(receiver.requests) == 1

    clock.shift(timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.attempt_delivery(str(delivery.pk)) == State.SUCCEEDED

    delivery.refresh_from_db()
    assert len(receiver.requests) == 2
    assert all(request.verifies_with("whsec-acme-1") for request in receiver.requests)
    assert receiver.requests[0].body == receiver.requests[1].body
    assert (delivery.state, delivery.attempts, delivery.response_status, delivery.last_error) == (
        State.SUCCEEDED,
        2,
        200,
        "",
    )
    assert delivery.delivered_at == started + timedelta(seconds=10)


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 10), (2, 20), (3, 40), (4, 80), (8, 1280), (11, 10240), (12, 20480), (13, 21600), (5000, 21600)],
)
def test_it_doubles_the_backoff_up_to_six_hours(attempts, seconds):
    assert actions.backoff_seconds(attempts) == seconds


def test_it_gives_up_after_the_last_allowed_attempt(
    acme, endpoint, receiver, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answer(502, 503)
    publish_merge(acme, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    clock.shift(timedelta(seconds=10))

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.attempt_delivery(str(delivery.pk)) == State.FAILED

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (State.FAILED, 2, 503)
    assert delivery.last_error == "HTTP 503 (gave up after 2 attempts)"
    assert len(receiver.requests) == 2
    assert len(scheduled_retries()) == 1  # only the one after the first attempt


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422])
def test_it_fails_at_once_on_a_permanent_refusal(acme, endpoint, receiver, status, django_capture_on_commit_callbacks):
    receiver.answer(Answer(status, b"no such hook"))

    publish_merge(acme, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status, delivery.response_body) == (
        State.FAILED,
        1,
        status,
        "no such hook",
    )
    assert delivery.last_error == f"HTTP {status}"
    assert delivery.delivered_at is None
    assert scheduled_retries() == []
    assert actions.attempt_delivery(str(delivery.pk)) is None
    assert len(receiver.requests) == 1


def test_it_does_not_follow_a_redirect(acme, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.answer(Answer(301, b"", {"Location": "http://127.0.0.1:9/elsewhere"}))

    publish_merge(acme, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.response_status) == (State.FAILED, 301)
    assert delivery.last_error == (
        "HTTP 301: redirect to http://127.0.0.1:9/elsewhere not followed; set the endpoint URL to the final address."
    )
    assert [request.path for request in receiver.requests] == ["/hooks/storedesk"]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_it_retries_a_temporary_failure(acme, endpoint, receiver, clock, status, django_capture_on_commit_callbacks):
    receiver.answer(status)

    publish_merge(acme, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (State.PENDING, 1, status)
    assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=10)
    assert len(scheduled_retries()) == 1


@pytest.mark.parametrize(
    ("status", "retry_after", "wait_s"),
    [
        (429, "120", 120),  # longer than the backoff: wait as asked
        (503, "3", 10),  # shorter than the backoff: the backoff wins
        (503, "99999999", 6 * 3600),  # capped at 6 h
    ],
)
def test_it_respects_retry_after(
    acme, endpoint, receiver, clock, status, retry_after, wait_s, django_capture_on_commit_callbacks
):
    receiver.answer(Answer(status, b"slow down", {"Retry-After": retry_after}))

    publish_merge(acme, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.PENDING
    assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=wait_s)
    assert scheduled_retries() == [((str(delivery.pk),), delivery.next_attempt_at.replace(tzinfo=None))]


def test_it_retries_after_a_timeout(acme, endpoint, receiver, clock, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_S = 0.3
    receiver.answer(Answer(200, b"too late", delay_s=5))

    publish_merge(acme, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status, delivery.response_body) == (
        State.PENDING,
        1,
        None,
        "",
    )
    assert delivery.last_error == "Timed out after 0.3s (ReadTimeout)."
    assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=10)
    assert len(receiver.requests) == 1


def test_it_retries_when_the_receiver_is_down(acme, clock, django_capture_on_commit_callbacks):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    WebhookEndpointFactory(store=acme, url=f"http://127.0.0.1:{port}/hook")

    publish_merge(acme, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (State.PENDING, 1, None)
    assert delivery.last_error.startswith("Connection failed: ConnectError")


def test_it_keeps_only_the_first_2_kb_of_an_answer(acme, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.answer(Answer(500, b"x" * 10_000))

    publish_merge(acme, django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.get().response_body == "x" * MAX_BODY_BYTES


def test_it_sends_each_endpoint_only_the_event_types_it_asked_for(acme, receiver, django_capture_on_commit_callbacks):
    wants_all = WebhookEndpointFactory(store=acme, url=receiver.url + "?all", event_types=[])
    wants_merges = WebhookEndpointFactory(store=acme, url=receiver.url + "?merges", event_types=["customer.merged"])
    WebhookEndpointFactory(store=acme, url=receiver.url + "?replies", event_types=["message.created"])

    publish_merge(acme, django_capture_on_commit_callbacks)

    assert sorted(request.path for request in receiver.requests) == ["/hooks/storedesk?all", "/hooks/storedesk?merges"]
    assert sorted(d.endpoint_id for d in WebhookDelivery.objects.all()) == sorted([wants_all.pk, wants_merges.pk])


def test_it_sends_nothing_to_an_inactive_endpoint(acme, receiver, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(store=acme, url=receiver.url, is_active=False)

    publish_merge(acme, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_it_sends_nothing_to_another_stores_endpoint(acme, globex, receiver, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(store=globex, url=receiver.url)

    publish_merge(acme, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_it_sends_nothing_for_a_rolled_back_transaction(
    acme, ana, carla, endpoint, receiver, django_capture_on_commit_callbacks
):
    conversation = ConversationFactory(store=acme, customer=carla)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            do_reply(ana, conversation, body_text="Never sent")
            raise RuntimeError("the request failed after the reply")

    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert not Message.objects.exists()
    assert receiver.requests == []


def test_it_fails_a_pending_delivery_of_an_endpoint_switched_off_meanwhile(
    acme, endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.answer(500)
    publish_merge(acme, django_capture_on_commit_callbacks)
    actions.do_update_endpoint(None, endpoint, is_active=False)
    delivery = WebhookDelivery.objects.get()
    clock.shift(timedelta(seconds=10))

    assert actions.attempt_delivery(str(delivery.pk)) == State.FAILED

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.FAILED, 2)
    assert delivery.last_error == "The webhook was switched off before this attempt."
    assert len(receiver.requests) == 1


def test_it_signs_each_attempt_with_the_current_secret(
    acme, olivia, endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.answer(500)
    publish_merge(acme, django_capture_on_commit_callbacks)
    actions.do_rotate_secret(olivia, endpoint)
    clock.shift(timedelta(seconds=10))

    actions.attempt_delivery(str(WebhookDelivery.objects.get().pk))

    first, second = receiver.requests
    assert first.verifies_with("whsec-acme-1")
    assert not second.verifies_with("whsec-acme-1")
    assert second.verifies_with(endpoint.secret)


@pytest.mark.parametrize("delivery_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_it_ignores_an_unknown_delivery(delivery_id, receiver):
    assert actions.attempt_delivery(delivery_id) is None
    assert receiver.requests == []


# --- replay ------------------------------------------------------------------------------------


def test_it_replays_a_delivery_as_a_new_one(acme, olivia, endpoint, receiver, django_capture_on_commit_callbacks):
    publish_merge(acme, django_capture_on_commit_callbacks)
    original = WebhookDelivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        replay = actions.do_replay_delivery(olivia, original)

    replay.refresh_from_db()
    assert replay.pk != original.pk
    assert (replay.replay_of, replay.event_id, replay.event_type, replay.payload) == (
        original,
        original.event_id,
        "customer.merged",
        original.payload,
    )
    assert (replay.state, replay.attempts, replay.response_status) == (State.SUCCEEDED, 1, 200)
    first, second = receiver.requests
    assert second.body == first.body
    assert second.header("X-Storedesk-Event-Id") == first.header("X-Storedesk-Event-Id") == str(original.event_id)
    assert (first.header("X-Storedesk-Delivery"), second.header("X-Storedesk-Delivery")) == (
        str(original.pk),
        str(replay.pk),
    )
    assert second.verifies_with(endpoint.secret)
    audit = AuditEvent.objects.get(verb="webhook.delivery_replayed")
    assert (audit.actor, audit.object_id) == (olivia, endpoint.pk)
    assert audit.after == {
        "delivery_id": str(replay.pk),
        "replay_of": str(original.pk),
        "event_id": str(original.event_id),
    }


def test_it_lets_only_admins_replay(acme, ana, endpoint, receiver, django_capture_on_commit_callbacks):
    publish_merge(acme, django_capture_on_commit_callbacks)
    original = WebhookDelivery.objects.get()

    with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
        actions.do_replay_delivery(ana, original)

    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_it_refuses_to_replay_to_an_inactive_endpoint(
    acme, olivia, endpoint, receiver, django_capture_on_commit_callbacks
):
    publish_merge(acme, django_capture_on_commit_callbacks)
    actions.do_update_endpoint(olivia, endpoint, is_active=False)

    with pytest.raises(ActionError) as error, django_capture_on_commit_callbacks(execute=True):
        actions.do_replay_delivery(olivia, WebhookDelivery.objects.get())

    assert error.value.code == "endpoint_inactive"
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


# --- claiming ------------------------------------------------------------------------------------


def _wait_while_locked(execute, sql, params, many, context):
    """What busy_timeout does on a file database: a statement refused for a lock waits and retries."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def attempt_from_another_worker(delivery_id: str) -> str | None:
    """attempt_delivery on this thread's own database connection, like a second worker.

    SQLite's in-memory test database (shared cache) refuses a statement that meets another
    connection's table lock at once, ignoring busy_timeout; there the statement is retried
    as a file database would. The two workers still interleave freely. PostgreSQL runs as is."""
    try:
        if connection.vendor != "sqlite":
            return actions.attempt_delivery(delivery_id)
        with connection.execute_wrapper(_wait_while_locked):
            return actions.attempt_delivery(delivery_id)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_sends_an_attempt_once_when_two_workers_race_for_it(acme, receiver):
    endpoint = WebhookEndpointFactory(store=acme, url=receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10", event_type="customer.merged", payload={}
    )
    receiver.answer(Answer(200, b"ok", delay_s=0.3))  # keep the winner busy while the other tries
    start = threading.Barrier(2)
    results: list[str | None] = []
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait(5)
        try:
            results.append(attempt_from_another_worker(str(delivery.pk)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    assert sorted(results, key=str) == [None, State.SUCCEEDED]
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SUCCEEDED, 1)


def test_it_claims_a_due_delivery_only_once(acme, endpoint):
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10", event_type="customer.merged", payload={}
    )
    now = timezone.now()

    assert [actions._claim(str(delivery.pk), now), actions._claim(str(delivery.pk), now)] == [True, False]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.claimed_at) == (State.DELIVERING, 1, now)


# --- the sweeper -----------------------------------------------------------------------------------


def test_it_sweeps_up_a_due_delivery_whose_job_was_lost(
    acme, endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    with transaction.atomic():  # on-commit work never runs: as if the queue lost the job
        publish(CustomersMerged(store_id=acme.pk, source_id=1, target_id=2))
    delivery = WebhookDelivery.objects.get()
    assert actions.sweep_due_deliveries() == {"failed": 0, "freed": 0, "enqueued": 0}  # not late yet

    clock.shift(timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep_due_deliveries() == {"failed": 0, "freed": 0, "enqueued": 1}

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SUCCEEDED, 1)
    assert len(receiver.requests) == 1


def test_it_frees_a_delivery_stuck_with_a_dead_worker(
    acme, endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        publish(CustomersMerged(store_id=acme.pk, source_id=1, target_id=2))
    delivery = WebhookDelivery.objects.get()
    assert actions._claim(str(delivery.pk), timezone.now())  # the worker died after claiming
    clock.shift(timedelta(minutes=10))
    assert actions.sweep_due_deliveries() == {"failed": 0, "freed": 0, "enqueued": 0}  # not stuck yet

    clock.shift(timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep_due_deliveries() == {"failed": 0, "freed": 1, "enqueued": 1}

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (State.SUCCEEDED, 2, "")
    assert len(receiver.requests) == 1


def test_it_gives_up_a_stuck_delivery_that_had_its_last_attempt(
    acme, endpoint, receiver, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    with transaction.atomic():
        publish(CustomersMerged(store_id=acme.pk, source_id=1, target_id=2))
    delivery = WebhookDelivery.objects.get()
    assert actions._claim(str(delivery.pk), timezone.now())
    clock.shift(timedelta(minutes=11))

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep_due_deliveries() == {"failed": 1, "freed": 0, "enqueued": 0}

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.FAILED, 1)
    assert delivery.last_error == "The worker stopped during the attempt (gave up after 1 attempts)."
    assert receiver.requests == []


def test_it_does_not_let_a_stale_worker_overwrite_a_newer_outcome(acme, endpoint, receiver, clock):
    with transaction.atomic():
        publish(CustomersMerged(store_id=acme.pk, source_id=1, target_id=2))
    delivery = WebhookDelivery.objects.get()
    assert actions._claim(str(delivery.pk), timezone.now())
    stale = WebhookDelivery.objects.get()  # what the slow worker holds
    clock.shift(timedelta(minutes=11))
    actions.sweep_due_deliveries()
    assert actions.attempt_delivery(str(delivery.pk)) == State.SUCCEEDED

    assert actions._finish(stale, state=State.FAILED, last_error="late") is False

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (State.SUCCEEDED, 2, "")
