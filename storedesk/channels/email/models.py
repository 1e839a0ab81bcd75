"""The email channel's own rows: mailboxes, every inbound email as it arrived, outbound sends,
and links between a conversation and the one it follows up.

Rows are written only by `storedesk.channels.email.actions`. Every index names its query.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from storedesk.conversations.models import Conversation, Message
from storedesk.core.models import Store


class Mailbox(models.Model):
    """An address the store receives mail at, and how mail reaches us from it.

    Secrets (IMAP password, OAuth client secret and tokens) are stored here; they never go
    into audit rows, events or logs (see `Mailbox.public()`).
    """

    class Kind(models.TextChoices):
        IMAP = "imap", "IMAP polling"
        SMTP = "smtp", "SMTP receiver (forwarded mail)"
        WEBHOOK = "webhook", "ESP inbound webhook"
        IMPORT = "import", "Imported files"

    class Security(models.TextChoices):
        SSL = "ssl", "TLS (port 993)"
        STARTTLS = "starttls", "STARTTLS"
        NONE = "none", "None (loopback/testing only)"

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password"
        XOAUTH2 = "xoauth2", "OAuth 2 (XOAUTH2: Gmail, Microsoft 365)"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="mailboxes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    address = models.CharField(max_length=320)  # lower-cased; the store's support address for this mailbox
    name = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)

    # IMAP
    imap_host = models.CharField(max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=16, choices=Security.choices, default=Security.SSL)
    imap_auth = models.CharField(max_length=16, choices=Auth.choices, default=Auth.PASSWORD)
    imap_username = models.CharField(max_length=320, blank=True)
    imap_password = models.CharField(max_length=500, blank=True)  # secret
    imap_folder = models.CharField(max_length=255, default="INBOX")
    # After a message is safely stored: move it here, or (blank) just flag it \Seen.
    imap_archive_folder = models.CharField(max_length=255, blank=True)
    # XOAUTH2: {"token_url", "client_id", "client_secret", "refresh_token", "access_token", "expires_at"}; secret.
    oauth = models.JSONField(default=dict, blank=True)

    # ESP inbound webhook (anymail): which ESP delivers this address's mail. Signing keys are
    # the install's ANYMAIL settings (one ESP account per install), not per mailbox.
    esp = models.CharField(max_length=32, blank=True)

    # Health, shown per mailbox; an alert fires when a mailbox stops fetching.
    last_fetch_at = models.DateTimeField(null=True, blank=True)  # last attempt
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    messages_today = models.PositiveIntegerField(default=0)
    messages_day = models.DateField(null=True, blank=True)  # the day messages_today counts
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: the mailbox an address receives at (SMTP receiver, webhooks, own-mail detection).
            models.UniqueConstraint(fields=["store", "kind", "address"], name="mailbox_store_kind_address_uniq"),
        ]
        indexes = [
            # Serves: the IMAP poller's "active mailboxes of this kind"; the SMTP receiver's address lookup.
            models.Index(fields=["kind", "is_active"], name="mailbox_kind_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.kind})"

    def public(self) -> dict[str, Any]:
        """What audit rows and logs may keep: everything but secrets."""
        return {
            "kind": self.kind,
            "address": self.address,
            "name": self.name,
            "is_active": self.is_active,
            "imap_host": self.imap_host,
            "imap_port": self.imap_port,
            "imap_security": self.imap_security,
            "imap_auth": self.imap_auth,
            "imap_username": self.imap_username,
            "imap_folder": self.imap_folder,
            "imap_archive_folder": self.imap_archive_folder,
            "esp": self.esp,
        }


class InboundEmail(models.Model):
    """One email exactly as it arrived (its original bytes), written before anything parses it.

    `message_id_key` is the Message-ID (without <>), or `sha256:<hex of the raw bytes>` when the
    mail has none: the same mail delivered twice, by two channels or replayed is one row.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received, not processed yet"
        PROCESSED = "processed", "Processed"
        DUPLICATE = "duplicate", "Duplicate of a message we already have"
        FAILED = "failed", "Could not process"
        IGNORED = "ignored", "Ignored (auto-reply, bounce, list, own mail, spam)"

    class Source(models.TextChoices):
        IMAP = "imap"
        SMTP = "smtp"
        WEBHOOK = "webhook"
        IMPORT = "import"

    class Noise(models.TextChoices):
        NONE = "", "—"
        AUTO_REPLY = "auto_reply", "Auto-reply / out of office"
        BOUNCE = "bounce", "Bounce (delivery status notification)"
        LIST = "list", "Mailing list / bulk"
        OWN = "own", "Our own message"
        SPAM = "spam", "Spam"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound")
    source = models.CharField(max_length=16, choices=Source.choices)
    # The original bytes, in the database: written in the same INSERT as the row (ADR 0014).
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    message_id_key = models.CharField(max_length=500)
    sender = models.CharField(max_length=320, blank=True)  # filled when processed, for lists
    subject = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    noise = models.CharField(max_length=16, choices=Noise.choices, default=Noise.NONE, blank=True)
    error = models.TextField(blank=True)  # why it failed, or why it was ignored
    attempts = models.PositiveSmallIntegerField(default=0)
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Serves: idempotent accept — the same Message-ID (or raw hash) in a store is one row.
            models.UniqueConstraint(fields=["store", "message_id_key"], name="inbound_store_msgid_uniq"),
        ]
        indexes = [
            # Serves: the "could not process" and "ignored" views — a store's rows by status, newest first.
            models.Index(fields=["store", "status", "-received_at"], name="inbound_store_status_idx"),
            # Serves: the sweeper — accepted mail whose processing job was lost (partial: unprocessed only).
            models.Index(fields=["received_at"], name="inbound_unprocessed_idx", condition=Q(status="received")),
        ]

    def __str__(self) -> str:
        return f"inbound #{self.pk} {self.message_id_key[:60]}"


class OutboundEmail(models.Model):
    """The sending of one outbound message: its Message-ID, attempts and outcome.

    The Message-ID is fixed before the first attempt, so a retry (or a resend after a crash
    between the SMTP answer and our commit) carries the same id and the customer's client
    still threads. `Message.delivery_status` mirrors `state` for display.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"
        BOUNCED = "bounced"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbound_email")
    message_id_header = models.CharField(max_length=500)  # the Message-ID we send, without <>
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves: the sweeper — sends that are due or whose worker died (partial: unfinished only).
            models.Index(
                fields=["next_attempt_at"],
                name="outbound_unfinished_idx",
                condition=Q(state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"outbound {self.message_id_header}"


class ConversationLink(models.Model):
    """A conversation that follows up an older one: a reply arrived after the reopen window."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    linked_to = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=64, default="reply_after_reopen_window")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: "earlier conversation" on a conversation page; one link per pair.
            models.UniqueConstraint(fields=["conversation", "linked_to"], name="convlink_pair_uniq"),
        ]
        indexes = [
            # Serves: "follow-ups" of an old conversation.
            models.Index(fields=["linked_to"], name="convlink_linked_to_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id} follows #{self.linked_to_id}"
