"""Webhook writers: the only code that changes endpoints and deliveries.

Endpoints are managed by store admins (`webhook.manage`), audited, never logged with their
secret. Deliveries are written by the outbox (`outbox.record`, inside the publishing
transaction) and then only by `attempt_delivery`, `do_replay_delivery` and the sweeper here.

A delivery attempt: claim the row with a compare-and-swap UPDATE (pending and due →
delivering), POST it with no transaction open, then record the outcome with another
compare-and-swap, so a worker whose claim was taken over cannot overwrite a newer outcome.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError
from storedesk.core.events import EVENT_TYPES
from storedesk.core.models import Store, User, new_secret
from storedesk.webhooks import signing, transport
from storedesk.webhooks.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

State = WebhookDelivery.State

MAX_BACKOFF_S = 6 * 3600
STUCK_AFTER = timedelta(minutes=10)  # a claim older than this belongs to a dead worker
SWEEP_GRACE = timedelta(minutes=1)  # a job due this long ago without running was lost
SWEEP_BATCH = 500
PRUNE_BATCH = 1000
MAX_URL_LENGTH = 1000
MAX_DESCRIPTION_LENGTH = 200
UPDATABLE_FIELDS = ("url", "event_types", "description", "is_active")


# --- endpoints -------------------------------------------------------------------------------


def _check(actor: User | None, store_id: int) -> None:
    if actor is not None:
        check_permission(actor, store_id, "webhook.manage")


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ActionError("A webhook needs a URL.", code="invalid_url")
    if len(url) > MAX_URL_LENGTH:
        raise ActionError(f"The URL is longer than {MAX_URL_LENGTH} characters.", code="invalid_url")
    if any(ch.isspace() for ch in url):
        raise ActionError("The URL may not contain spaces.", code="invalid_url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ActionError("The URL is not valid.", code="invalid_url") from None
    if parts.scheme not in {"http", "https"}:
        raise ActionError("The URL must start with http:// or https://.", code="invalid_url")
    if not parts.hostname:
        raise ActionError("The URL has no host.", code="invalid_url")
    return url


def clean_event_types(event_types: Iterable[str]) -> list[str]:
    """Known event types, each once, in the order of EVENT_TYPES. Empty means every event."""
    if isinstance(event_types, str):
        raise ActionError("event_types must be a list of event types.", code="invalid_event_type")
    wanted = set()
    for event_type in event_types:
        if event_type not in EVENT_TYPES:
            raise ActionError(
                f"Unknown event type {event_type!r}; expected any of {', '.join(EVENT_TYPES)}.",
                code="invalid_event_type",
            )
        wanted.add(event_type)
    return [event_type for event_type in EVENT_TYPES if event_type in wanted]


def clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ActionError(
            f"The description is longer than {MAX_DESCRIPTION_LENGTH} characters.", code="invalid_description"
        )
    return description


def _public(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit trail keeps of an endpoint: everything but the secret."""
    return {
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "description": endpoint.description,
        "is_active": endpoint.is_active,
    }


def do_create_endpoint(
    actor: User | None, store: Store, *, url: str, event_types: Iterable[str] = (), description: str = ""
) -> WebhookEndpoint:
    _check(actor, store.pk)
    endpoint = WebhookEndpoint(
        store=store,
        url=clean_url(url),
        event_types=clean_event_types(event_types),
        description=clean_description(description),
    )
    with transaction.atomic():
        endpoint.save()
        audit.record(store_id=store.pk, actor=actor, verb="webhook.created", obj=endpoint, after=_public(endpoint))
    return endpoint


def do_update_endpoint(actor: User | None, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    """Change any of url, event_types, description, is_active. Audits what changed."""
    _check(actor, endpoint.store_id)
    unknown = sorted(set(fields) - set(UPDATABLE_FIELDS))
    if unknown:
        raise ActionError(f"Cannot change {', '.join(unknown)} of a webhook.", code="invalid_field")
    if not fields:
        raise ActionError(f"Nothing to change: send any of {', '.join(UPDATABLE_FIELDS)}.", code="empty_update")
    cleaned: dict[str, Any] = {}
    if "url" in fields:
        cleaned["url"] = clean_url(fields["url"])
    if "event_types" in fields:
        cleaned["event_types"] = clean_event_types(fields["event_types"])
    if "description" in fields:
        cleaned["description"] = clean_description(fields["description"])
    if "is_active" in fields:
        if not isinstance(fields["is_active"], bool):
            raise ActionError("is_active must be true or false.", code="invalid_field")
        cleaned["is_active"] = fields["is_active"]
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = _public(locked)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        after = _public(locked)
        changed = [field for field in cleaned if before[field] != after[field]]
        if changed:
            locked.save(update_fields=changed)
            audit.record(
                store_id=locked.store_id,
                actor=actor,
                verb="webhook.updated",
                obj=locked,
                before={field: before[field] for field in changed},
                after={field: after[field] for field in changed},
            )
    for field in UPDATABLE_FIELDS:
        setattr(endpoint, field, getattr(locked, field))
    return endpoint


def do_rotate_secret(actor: User | None, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret, effective for every attempt from now on (retries included)."""
    _check(actor, endpoint.store_id)
    with transaction.atomic():
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret"])
        audit.record(store_id=endpoint.store_id, actor=actor, verb="webhook.secret_rotated", obj=endpoint)
    return endpoint


def do_delete_endpoint(actor: User | None, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint with its delivery log; pending deliveries are dropped."""
    _check(actor, endpoint.store_id)
    with transaction.atomic():
        audit.record(
            store_id=endpoint.store_id, actor=actor, verb="webhook.deleted", obj=endpoint, before=_public(endpoint)
        )
        endpoint.delete()


# --- deliveries ------------------------------------------------------------------------------


def _enqueue_on_commit(delivery_id: str, delay: float | None = None) -> None:
    def enqueue() -> None:
        from storedesk.webhooks.tasks import deliver_webhook

        if delay:
            deliver_webhook.schedule(args=(delivery_id,), delay=delay)
        else:
            deliver_webhook(delivery_id)

    transaction.on_commit(enqueue)


def do_replay_delivery(actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again as a new one (same payload and event id, so receivers can dedupe)."""
    endpoint = delivery.endpoint
    _check(actor, endpoint.store_id)
    if not endpoint.is_active:
        raise ActionError("This webhook is switched off: turn it on before replaying.", code="endpoint_inactive")
    with transaction.atomic():
        replay = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            payload=delivery.payload,
            replay_of=delivery,
        )
        audit.record(
            store_id=endpoint.store_id,
            actor=actor,
            verb="webhook.delivery_replayed",
            obj=endpoint,
            after={"delivery_id": str(replay.pk), "replay_of": str(delivery.pk), "event_id": str(delivery.event_id)},
        )
        _enqueue_on_commit(str(replay.pk))
    return replay


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed (and signed) for a delivery: its event as compact JSON."""
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def backoff_seconds(attempts: int) -> float:
    """The wait after the `attempts`-th failed attempt: base · 2^(attempts-1), at most 6 h."""
    base = float(settings.WEBHOOK_BACKOFF_BASE_S)
    return float(min(base * 2 ** min(max(attempts - 1, 0), 32), MAX_BACKOFF_S))


def _claim(delivery_id: str, now: datetime) -> bool:
    """pending and due → delivering, counting the attempt. True for exactly one caller."""
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, state=State.PENDING, next_attempt_at__lte=now).update(
        state=State.DELIVERING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def _finish(delivery: WebhookDelivery, **fields: Any) -> bool:
    """Record an attempt's outcome, unless our claim was taken over meanwhile (sweeper)."""
    updated = WebhookDelivery.objects.filter(pk=delivery.pk, state=State.DELIVERING, attempts=delivery.attempts).update(
        claimed_at=None, **fields
    )
    for field, value in fields.items():
        setattr(delivery, field, value)
    return updated == 1


def _send(delivery: WebhookDelivery) -> transport.Response:
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise transport.TransportError("The webhook was switched off before this attempt.", permanent=True)
    body = body_of(delivery)
    headers = signing.headers_for(
        secret=endpoint.secret,
        body=body,
        event_type=delivery.event_type,
        event_id=str(delivery.event_id),
        delivery_id=str(delivery.pk),
    )
    return transport.post(endpoint.url, body, headers, timeout=float(settings.WEBHOOK_TIMEOUT_S))


def attempt_delivery(delivery_id: str) -> str | None:
    """Make the next attempt of a delivery if it is pending and due; returns its new state,
    or None when there was nothing to do (already delivered, given up, not due, claimed by
    another worker, or deleted). Safe to call any number of times."""
    now = timezone.now()
    try:
        if not _claim(delivery_id, now):
            return None
    except ValidationError:  # not a UUID
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:  # its endpoint was deleted just now
        return None
    try:
        response = _send(delivery)
    except transport.TransportError as exc:
        error: transport.TransportError = exc
    except Exception as exc:  # a bug must not leave the row claimed until the sweeper comes
        log.exception("webhook delivery %s crashed", delivery_id)
        error = transport.TransportError(f"Internal error: {type(exc).__name__}")
    else:
        _finish(
            delivery,
            state=State.SUCCEEDED,
            response_status=response.status,
            response_body=response.body,
            last_error="",
            delivered_at=timezone.now(),
        )
        log.info("webhook delivery %s succeeded (HTTP %s)", delivery_id, response.status)
        return State.SUCCEEDED
    return _record_failure(delivery, error)


def _record_failure(delivery: WebhookDelivery, error: transport.TransportError) -> str:
    fields: dict[str, Any] = {
        "response_status": error.status,
        "response_body": error.body,
        "last_error": error.message,
    }
    max_attempts = int(settings.WEBHOOK_MAX_ATTEMPTS)
    if error.permanent or delivery.attempts >= max_attempts:
        if not error.permanent:
            fields["last_error"] = f"{error.message} (gave up after {delivery.attempts} attempts)"
        _finish(delivery, state=State.FAILED, **fields)
        log.warning("webhook delivery %s failed for good: %s", delivery.pk, fields["last_error"])
        return State.FAILED
    delay = backoff_seconds(delivery.attempts)
    if error.retry_after is not None:
        delay = max(delay, min(error.retry_after, float(MAX_BACKOFF_S)))
    next_attempt_at = timezone.now() + timedelta(seconds=delay)
    if _finish(delivery, state=State.PENDING, next_attempt_at=next_attempt_at, **fields):
        _enqueue_on_commit(str(delivery.pk), delay=delay)
    log.info("webhook delivery %s: %s; retry in %.0fs", delivery.pk, error.message, delay)
    return State.PENDING


def sweep_due_deliveries(now: datetime | None = None) -> dict[str, int]:
    """Every minute: free claims of dead workers and re-enqueue due deliveries whose job was lost.

    Re-enqueueing a delivery whose job is merely late is harmless: only one claim succeeds.
    """
    now = now or timezone.now()
    max_attempts = int(settings.WEBHOOK_MAX_ATTEMPTS)
    cutoff = now - STUCK_AFTER
    stuck_ids = list(
        WebhookDelivery.objects.filter(state=State.DELIVERING, claimed_at__lt=cutoff).values_list("pk", flat=True)[
            :SWEEP_BATCH
        ]
    )
    stuck = WebhookDelivery.objects.filter(pk__in=stuck_ids, state=State.DELIVERING, claimed_at__lt=cutoff)
    # The interrupted attempt counted: if it was the last one allowed, give up; else go again now.
    given_up = stuck.filter(attempts__gte=max_attempts).update(
        state=State.FAILED,
        claimed_at=None,
        last_error=f"The worker stopped during the attempt (gave up after {max_attempts} attempts).",
    )
    freed_ids = list(stuck.values_list("pk", flat=True))
    freed = stuck.update(
        state=State.PENDING,
        claimed_at=None,
        next_attempt_at=now,
        last_error="The worker stopped during the attempt; retrying.",
    )
    due = WebhookDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    due_ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    ids = [str(pk) for pk in dict.fromkeys([*freed_ids, *due_ids])]
    for delivery_id in ids:
        _enqueue_on_commit(delivery_id)
    return {"failed": given_up, "freed": freed, "enqueued": len(ids)}


def prune_old_deliveries(now: datetime | None = None, *, keep_days: int | None = None) -> int:
    """Delete finished (succeeded or failed) deliveries older than the retention period.

    Pending and in-flight rows are never touched. Deletes in batches so a large backlog
    never holds a long write lock on SQLite. Returns the number of deliveries removed
    (replays of a pruned delivery go with it and are counted too).
    """
    now = now or timezone.now()
    days = settings.WEBHOOK_RETENTION_DAYS if keep_days is None else keep_days
    cutoff = now - timedelta(days=days)
    finished = [WebhookDelivery.State.SUCCEEDED, WebhookDelivery.State.FAILED]
    removed = 0
    while True:
        batch = list(
            WebhookDelivery.objects.filter(state__in=finished, created_at__lt=cutoff, replay_of__isnull=True)
            .order_by("created_at")
            .values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not batch:
            return removed
        with transaction.atomic():
            count, _ = WebhookDelivery.objects.filter(pk__in=batch).delete()
        removed += count
