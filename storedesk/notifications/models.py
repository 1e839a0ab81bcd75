"""Personal notifications: an agent was @mentioned in an internal note (more kinds later).

Rows are written only by `storedesk.notifications.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from storedesk.conversations.models import Conversation, Message
from storedesk.core.models import Store


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        DELIVERY_FAILED = "delivery_failed", "Your reply was not delivered"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # SET_NULL: the notification stays readable after its author is deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=280, blank=True)  # a preview of what was said
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Serves: idempotency — one mention notification per (message, recipient).
            models.UniqueConstraint(fields=["message", "recipient"], name="notification_message_recipient_uniq"),
        ]
        indexes = [
            # Serves: the notification list, newest first, per agent.
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            # Serves: the top bar's unread count — a partial index over unread rows only.
            models.Index(fields=["recipient"], name="notification_unread_idx", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
