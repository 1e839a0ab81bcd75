"""Carrier tracking webhooks for return parcels: verified, stored raw, then processed by a job.

A carrier adapter (next to the label side in `labels.py`) answers three questions about an
inbound request: does its signature verify, what is its event id, and what does it say (a
tracking number and a status). `GenericCarrier` is a signed JSON webhook any carrier or
shipping aggregator can be configured to send:

    POST /returns/<store slug>/carrier/generic/webhook
    X-Carrier-Signature: base64(HMAC-SHA256(secret, raw body))
    {"id": "evt_…", "type": "tracking.updated",
     "data": {"tracking_number": "R-2041-1", "status": "in_transit" | "delivered" | …,
              "occurred_at": "2026-11-20T10:12:00Z"}}

The secret is `store.settings["carrier_webhook_secrets"]["generic"]`. A bad signature is a 401
and a warning log line, and nothing is stored. A good one is stored (`CarrierWebhook`) before
anything else; the same event id again is answered as a duplicate and not processed. The job
moves the return: in transit → `do_mark_in_transit`; delivered → received, and the refund is
requested (`returns.do_carrier_update`). See docs/decisions/0024-carrier-webhooks-and-return-rules.md.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from storedesk.commerce import returns
from storedesk.commerce.models import CarrierWebhook, ReturnRequest
from storedesk.commerce.providers.base import verify_body_signature
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Carrier statuses → what they mean for a return parcel (others are stored and ignored).
IN_TRANSIT = {"pre_transit", "accepted", "in_transit", "out_for_delivery"}
DELIVERED = {"delivered"}


class BadSignature(ActionError):
    status_code = 401
    code = "bad_signature"


@dataclass(frozen=True)
class TrackingEvent:
    event_id: str
    tracking_number: str
    status: str  # "in_transit", "delivered", or the carrier's own word for anything else


class CarrierAdapter(Protocol):
    name: str
    headers: tuple[str, ...]  # the request headers kept with a stored event

    def verify(self, secret: str, body: bytes, headers: dict[str, str]) -> bool: ...

    def event_id(self, body: bytes, headers: dict[str, str]) -> str: ...

    def parse(self, body: str) -> TrackingEvent: ...


class GenericCarrier:
    name = "generic"
    headers: tuple[str, ...] = ("x-carrier-signature", "x-carrier-event-id", "content-type")

    def verify(self, secret: str, body: bytes, headers: dict[str, str]) -> bool:
        given = headers.get("x-carrier-signature", "")
        return bool(secret and given) and verify_body_signature(secret, body, given)

    def event_id(self, body: bytes, headers: dict[str, str]) -> str:
        event_id = headers.get("x-carrier-event-id") or str(json.loads(body or b"{}").get("id") or "")
        if not event_id:
            raise ActionError("The event has no id.", code="no_event_id")
        return event_id[:200]

    def parse(self, body: str) -> TrackingEvent:
        payload = json.loads(body)
        data = payload.get("data") or {}
        status = str(data.get("status") or "").lower()
        kind = "delivered" if status in DELIVERED else "in_transit" if status in IN_TRANSIT else status
        return TrackingEvent(str(payload.get("id") or ""), str(data.get("tracking_number") or "").strip(), kind)


ADAPTERS: dict[str, CarrierAdapter] = {"generic": GenericCarrier()}


def adapter_for(name: str) -> CarrierAdapter:
    adapter = ADAPTERS.get(name)
    if adapter is None:
        raise NotFound(f"No carrier {name!r}.")
    return adapter


def secret_for(store: Store, name: str) -> str:
    secrets = store.settings.get("carrier_webhook_secrets") or {}
    return str(secrets.get(name) or "") if isinstance(secrets, dict) else ""


def do_receive_carrier_webhook(
    store: Store, carrier: str, body: bytes, headers: dict[str, str]
) -> tuple[CarrierWebhook, bool]:
    """Verify, then store raw and queue processing on commit. (row, created); created is False
    for a replay of an event already stored. BadSignature (logged) when it does not verify."""
    from storedesk.commerce import tasks

    adapter = adapter_for(carrier)
    headers = {name.lower(): value for name, value in headers.items()}
    if not adapter.verify(secret_for(store, carrier), body, headers):
        log.warning("rejected %s carrier webhook for store %s: bad signature", carrier, store.slug)
        raise BadSignature("The webhook signature does not verify.")
    try:
        event_id = adapter.event_id(body, headers)
    except ValueError:
        raise ActionError("The body is not JSON.", code="invalid_body") from None
    kept = {name: value for name, value in headers.items() if name in adapter.headers}
    try:
        with transaction.atomic():
            row = CarrierWebhook.objects.create(
                store=store,
                carrier=carrier,
                event_id=event_id,
                headers=kept,
                body=body.decode("utf-8", errors="replace"),
            )
            row_id = row.pk
            transaction.on_commit(lambda: tasks.process_carrier_webhook(row_id))
    except IntegrityError:
        return CarrierWebhook.objects.get(store=store, carrier=carrier, event_id=event_id), False
    return row, True


def do_process_carrier_webhook(webhook_id: int) -> str:
    """Claim a stored event (pending or failed only: safe to run twice), move its return, and
    record the outcome."""
    claimed = CarrierWebhook.objects.filter(
        pk=webhook_id, state__in=[CarrierWebhook.State.PENDING, CarrierWebhook.State.FAILED]
    ).update(state=CarrierWebhook.State.PENDING, attempts=F("attempts") + 1, error="")
    if not claimed:
        return "skipped"
    with transaction.atomic():
        row = CarrierWebhook.objects.select_for_update().get(pk=webhook_id)
        if row.state != CarrierWebhook.State.PENDING:
            return "skipped"
        try:
            event = adapter_for(row.carrier).parse(row.body)
            ret = (
                ReturnRequest.objects.filter(store_id=row.store_id, tracking_number=event.tracking_number).first()
                if event.tracking_number
                else None
            )  # return_tracking_idx
            outcome = returns.do_carrier_update(ret, event.status, row.carrier) if ret is not None else "no_return"
        except (ActionError, ValueError, KeyError, TypeError) as exc:
            error = exc.message if isinstance(exc, ActionError) else f"{type(exc).__name__}: {exc}"
            row.state, row.error = CarrierWebhook.State.FAILED, error[:2000]
            row.save(update_fields=["state", "error"])
            log.warning("carrier webhook %s failed: %s", webhook_id, error)
            return "failed"
        acted = outcome in ("in_transit", "received")
        row.state = CarrierWebhook.State.PROCESSED if acted else CarrierWebhook.State.IGNORED
        row.error, row.processed_at = "" if acted else outcome, timezone.now()
        row.save(update_fields=["state", "error", "processed_at"])
    return outcome


def sweep_carrier_webhooks(limit: int = 200) -> int:
    """Re-enqueue events left pending (a lost job) or failed, a few minutes on, up to MAX_ATTEMPTS
    (serves carrierwebhook_pending_idx)."""
    from storedesk.commerce import tasks

    ids = list(
        CarrierWebhook.objects.filter(
            state__in=[CarrierWebhook.State.PENDING, CarrierWebhook.State.FAILED],
            received_at__lte=timezone.now() - timedelta(minutes=2),
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for webhook_id in ids:
        tasks.process_carrier_webhook(webhook_id)
    return len(ids)
