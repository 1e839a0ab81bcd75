"""Customers and their identities, conversations, messages, attachments, tags and macros.

Every index names the query it serves. Rows are written only by `actions.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import IsNull
from django.utils import timezone

from storedesk.core.models import Store, Team


class Customer(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=200, blank=True)
    # Agents' notes on how this person likes to be helped ("prefers a direct approach").
    notes = models.TextField(blank=True)
    vip = models.BooleanField(default=False)
    language = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when merged away; every row that pointed here now points at the survivor.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            # Serves: customer list / API, newest first, per store.
            models.Index(fields=["store", "-created_at"], name="customer_store_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.name or f"Customer #{self.pk}"

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""


class Identity(models.Model):
    """A way to reach a customer: email, phone, a social handle. Values are normalised."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        PHONE = "phone"
        TWITTER = "twitter"
        FACEBOOK = "facebook"
        INSTAGRAM = "instagram"
        WHATSAPP = "whatsapp"
        EXTERNAL = "external"  # the store platform's customer id

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=320)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: resolve an inbound sender (email/phone/handle) to a customer.
            models.UniqueConstraint(fields=["store", "kind", "value"], name="identity_store_kind_value_uniq"),
        ]
        indexes = [
            # Serves: a customer's identities (sidebar, merge).
            models.Index(fields=["customer"], name="identity_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Tag(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=64)
    color = models.CharField(max_length=16, default="#64748b")

    class Meta:
        ordering = ["name"]
        constraints = [
            # Serves: tag by name (API filter ?tag=, macros that add tags).
            models.UniqueConstraint(fields=["store", "name"], name="tag_store_name_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Live chat"
    SOCIAL = "social", "Social"
    SMS = "sms", "SMS"
    PHONE = "phone", "Phone"
    API = "api", "API"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"  # waiting on the customer
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


class Priority(models.IntegerChoices):
    LOW = 0, "Low"
    NORMAL = 1, "Normal"
    HIGH = 2, "High"
    URGENT = 3, "Urgent"


class Conversation(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="conversations")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="conversations")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # SET_NULL: deactivating or even deleting an agent never deletes their conversations.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    subject = models.CharField(max_length=500, blank=True)
    preview = models.CharField(max_length=280, blank=True)  # last message, for list rows
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        # The inbox sorts (conversations/queries.py SORTS) put conversations nobody is waiting on
        # (last_customer_message_at IS NULL) last on every database; the `IsNull(...)` index
        # column is that sort key, so SQLite and PostgreSQL walk these indexes in order and stop
        # after one page. See docs/inbox.md.
        indexes = [
            # Serves: inbox "open" (any status=) sorted by priority, then longest waiting (W2):
            #   store_id = ? AND status = ? ORDER BY priority DESC, lcm IS NULL, lcm, id LIMIT 51
            models.Index(
                F("store"),
                F("status"),
                F("priority").desc(),
                IsNull(F("last_customer_message_at"), True),
                F("last_customer_message_at"),
                F("id"),
                name="conv_prio_idx",
            ),
            # Serves: inbox sort=waiting (longest waiting first) and the dashboard's "oldest waiting":
            #   store_id = ? AND status = ? ORDER BY lcm IS NULL, lcm, id LIMIT 51
            models.Index(
                F("store"),
                F("status"),
                IsNull(F("last_customer_message_at"), True),
                F("last_customer_message_at"),
                F("id"),
                name="conv_wait_idx",
            ),
            # Serves: inbox sorted by last activity; API list default order (cursor on last_message_at, id).
            models.Index(fields=["store", "status", "-last_message_at", "-id"], name="conv_inbox_recent_idx"),
            # Serves: inbox view=all (every status) by last activity:
            #   store_id = ? ORDER BY last_message_at DESC, id DESC LIMIT 51
            models.Index(fields=["store", "-last_message_at", "-id"], name="conv_all_recent_idx"),
            # Serves: "mine" — an agent's conversations by status (a short list: any sort is cheap),
            # and the dashboard's capped "my open work" count.
            models.Index(fields=["assignee", "status", "-last_message_at"], name="conv_assignee_idx"),
            # Serves: "mine" by priority (the agent's default view; a busy agent's open list can
            # run to thousands) and the dashboard's "my open work":
            #   assignee_id = ? AND status = ? ORDER BY priority DESC, lcm IS NULL, lcm, id LIMIT 51
            models.Index(
                F("assignee"),
                F("status"),
                F("priority").desc(),
                IsNull(F("last_customer_message_at"), True),
                F("last_customer_message_at"),
                F("id"),
                name="conv_assignee_prio_idx",
            ),
            # Serves: team views by activity.
            models.Index(fields=["team", "status", "-last_message_at"], name="conv_team_idx"),
            # Serves: team views by priority (a team queue can be as long as the store's):
            #   team_id = ? AND status = ? ORDER BY priority DESC, lcm IS NULL, lcm, id LIMIT 51
            models.Index(
                F("team"),
                F("status"),
                F("priority").desc(),
                IsNull(F("last_customer_message_at"), True),
                F("last_customer_message_at"),
                F("id"),
                name="conv_team_prio_idx",
            ),
            # Serves: a customer's other conversations (timeline, sidebar, merge).
            models.Index(fields=["customer", "-created_at"], name="conv_customer_idx"),
            # Serves: "unassigned" by priority and its capped count — partial: unassigned rows only.
            # Status stays in the key: with it, SQLite prefers this (smaller) index to conv_prio_idx.
            #   assignee_id IS NULL AND store_id = ? AND status = ? ORDER BY priority DESC, lcm IS NULL, lcm, id
            models.Index(
                F("store"),
                F("status"),
                F("priority").desc(),
                IsNull(F("last_customer_message_at"), True),
                F("last_customer_message_at"),
                F("id"),
                name="conv_unassigned_prio_idx",
                condition=Q(assignee__isnull=True),
            ),
            # Serves: "unassigned" by longest waiting — partial: unassigned rows only.
            models.Index(
                F("store"),
                F("status"),
                IsNull(F("last_customer_message_at"), True),
                F("last_customer_message_at"),
                F("id"),
                name="conv_unassigned_wait_idx",
                condition=Q(assignee__isnull=True),
            ),
            # Serves: the dashboard's "today's volume": store_id = ? AND created_at >= <local midnight>.
            models.Index(fields=["store", "created_at"], name="conv_store_created_idx"),
            # Serves: the snooze wake-up job (snoozed rows whose time has come).
            models.Index(fields=["snoozed_until"], name="conv_snoozed_idx", condition=Q(status="snoozed")),
            # Serves: the expected wait's backlog (automation/wait.py load_inputs), read by every
            # new conversation's wait promise and auto-acknowledgement once the minute's cache
            # expires: COUNT(*) WHERE store_id = ? AND channel = ? AND status = 'open' AND
            # first_response_at IS NULL — partial: only open conversations nobody answered yet.
            models.Index(
                fields=["store", "channel"],
                name="conv_backlog_idx",
                condition=Q(status="open", first_response_at__isnull=True),
            ),
            # Serves: the expected wait's reply rate (automation/wait.py load_inputs): COUNT(*)
            # WHERE store_id = ? AND channel = ? AND first_response_at >= <a week ago> AND
            # first_response_at < <now> — partial: answered conversations only.
            models.Index(
                fields=["store", "channel", "first_response_at"],
                name="conv_first_reply_idx",
                condition=Q(first_response_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"[:80]


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound"
        OUTBOUND = "outbound"
        NOTE = "note"  # internal, never sent to the customer

    class AuthorKind(models.TextChoices):
        AGENT = "agent"
        CUSTOMER = "customer"
        BOT = "bot"
        SYSTEM = "system"

    class Delivery(models.TextChoices):
        NONE = "", "—"
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"
        BOUNCED = "bounced"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    author_kind = models.CharField(max_length=16, choices=AuthorKind.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)  # always sanitised with nh3 before it is stored
    # Channel-side id (email Message-ID, chat client id, webhook event id): makes ingestion idempotent.
    external_id = models.CharField(max_length=500, null=True, blank=True)
    delivery_status = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.NONE, blank=True)
    delivery_error = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: idempotent ingestion — the same external message twice is one row.
            models.UniqueConstraint(
                fields=["store", "external_id"],
                name="message_store_external_id_uniq",
                condition=Q(external_id__isnull=False),
            ),
        ]
        indexes = [
            # Serves: a conversation's timeline in order (conversation page, API messages list).
            models.Index(fields=["conversation", "created_at", "id"], name="message_timeline_idx"),
            # Serves: the email sweeper's "outbound messages still queued" (a crash between a
            # reply's commit and its enqueue): delivery_status = 'queued' AND created_at <= ?
            # ORDER BY created_at — partial: only the few rows waiting to be sent.
            models.Index(fields=["created_at"], name="message_queued_idx", condition=Q(delivery_status="queued")),
        ]

    def __str__(self) -> str:
        return f"{self.direction} #{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.store_id}/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.filename


class Macro(models.Model):
    """A saved reply. `body` may use {{ customer.first_name }}, {{ agent.first_name }}, {{ store.name }},
    {{ conversation.subject }}; `actions` may set status/priority and add tags when applied."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="macros")
    name = models.CharField(max_length=120)
    body = models.TextField()
    actions = models.JSONField(default=dict, blank=True)  # {"add_tags": [...], "status": "...", "priority": 2}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    usage_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Serves: macro picker by name, per store.
            models.UniqueConstraint(fields=["store", "name"], name="macro_store_name_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A named inbox filter (view, status, team, channel, tag, sort). Personal unless shared
    with the whole store. Written only by `actions/views.py`; `filters` holds the inbox GET
    parameters as `queries.InboxFilters.to_params()` writes them."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="saved_views")
    # CASCADE: agents are deactivated, never deleted; a deleted agent's private views go with them.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Serves: one name per owner and store (saving again under a name updates it).
            models.UniqueConstraint(fields=["owner", "store", "name"], name="savedview_owner_store_name_uniq"),
        ]
        indexes = [
            # Serves: the inbox sidebar's shared views: store_id IN (…) AND shared (own views use the unique key).
            models.Index(fields=["store"], name="savedview_shared_idx", condition=Q(shared=True)),
        ]

    def __str__(self) -> str:
        return self.name
