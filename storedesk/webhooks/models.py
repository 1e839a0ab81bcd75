"""Outbound webhooks: per-store endpoints and the log of every delivery attempt."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from storedesk.core.models import Store, new_secret


class WebhookEndpoint(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    # HMAC-SHA256 key; receivers verify `X-Storedesk-Signature` with it.
    secret = models.CharField(max_length=128, default=new_secret)
    # Event types to send (e.g. ["message.created"]); empty means all.
    event_types = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Serves: fan-out — the active endpoints of a store for each published event.
            models.Index(fields=["store"], name="webhook_active_store_idx", condition=Q(is_active=True)),
        ]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"  # queued or waiting for its next attempt
        DELIVERING = "delivering"  # claimed by a worker
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # gave up (permanent error or attempts exhausted)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)  # first 2 KB
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed it (state delivering): the sweeper frees claims older than 10 minutes.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A replay belongs to its original's history and goes with it (SET_NULL would turn two
    # replays of one event into two "originals" and break delivery_endpoint_event_uniq).
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Serves: idempotent fan-out — one delivery per (endpoint, event) unless replayed.
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                name="delivery_endpoint_event_uniq",
                condition=Q(replay_of__isnull=True),
            ),
        ]
        indexes = [
            # Serves: the delivery log of an endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_log_idx"),
            # Serves: the sweeper that picks up due deliveries whose job was lost.
            models.Index(fields=["next_attempt_at"], name="delivery_due_idx", condition=Q(state="pending")),
            # Serves: the sweeper that frees rows stuck in `delivering` (a worker died mid-attempt).
            models.Index(fields=["claimed_at"], name="delivery_claimed_idx", condition=Q(state="delivering")),
            # Serves: the nightly prune of finished deliveries older than the retention period.
            models.Index(
                fields=["created_at"],
                name="delivery_finished_idx",
                condition=Q(state__in=["succeeded", "failed"], replay_of__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.state})"
