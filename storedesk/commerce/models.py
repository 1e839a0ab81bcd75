"""Store connections, the orders cache, inbound platform webhooks, and remedies with their
authority rules and approvals.

Money is always an integer in the minor unit of the row's `currency` (see lib/money.py).
Every index names the query it serves. Rows are written only by `actions.py` and
`remedies.py` (and the demo loader through them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from storedesk.conversations.models import Conversation, Customer
from storedesk.core.models import Role, Store


class StoreConnection(models.Model):
    """A store's account on an e-commerce platform, and where the reconcile job got to."""

    class Provider(models.TextChoices):
        DEMO = "demo", "Demo store"
        SHOPIFY = "shopify", "Shopify"
        WOOCOMMERCE = "woocommerce", "WooCommerce"
        IMPORT = "import", "Imported (CSV, JSONL or API)"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="connections")
    provider = models.CharField(max_length=32, choices=Provider.choices)
    # Non-secret settings: {"shop": "acme.myshopify.com", "api_version": "2024-01", "base_url": ...}
    config = models.JSONField(default=dict, blank=True)
    # The platform credential (Shopify access token, WooCommerce "key:secret"); never shown again.
    access_token = models.CharField(max_length=500, blank=True)
    # Verifies inbound webhooks (Shopify app secret, WooCommerce webhook secret).
    webhook_secret = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    # Where the reconcile job resumes: opaque to everyone but the provider.
    sync_cursor = models.TextField(blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: the provider of a store's orders (remedies, webhooks, sync) — one per platform.
            models.UniqueConstraint(fields=["store", "provider"], name="connection_store_provider_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.get_provider_display()}"


class Order(models.Model):
    """A cached copy of a platform order: what the agent sees without waiting on the platform."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders")
    # SET_NULL: an order outlives a deleted customer record; it is re-linked by email/phone.
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    provider = models.CharField(max_length=32)
    external_id = models.CharField(max_length=128)
    name = models.CharField(max_length=64)  # as the platform shows it: "#1001"
    number = models.CharField(max_length=64)  # normalised for lookups: "1001" (see actions.normalize_number)
    email = models.CharField(max_length=320, blank=True)  # lower-case
    phone = models.CharField(max_length=32, blank=True)  # normalised like Identity phones
    currency = models.CharField(max_length=3)
    subtotal = models.BigIntegerField(default=0)  # line items after line discounts
    discount = models.BigIntegerField(default=0)
    tax = models.BigIntegerField(default=0)
    shipping = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    paid = models.BigIntegerField(default=0)
    refunded = models.BigIntegerField(default=0)
    financial_status = models.CharField(max_length=32, blank=True)  # pending, paid, partially_refunded, …
    fulfillment_status = models.CharField(max_length=32, blank=True)  # unfulfilled, partial, fulfilled, …
    placed_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promised_by = models.DateTimeField(null=True, blank=True)  # the delivery date the customer was promised
    shipping_address = models.JSONField(default=dict, blank=True)
    discount_codes = models.JSONField(default=list, blank=True)
    # The platform's own last-change time: an older webhook never overwrites a newer copy.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: idempotent upsert from sync, webhooks and imports.
            models.UniqueConstraint(fields=["store", "provider", "external_id"], name="order_store_external_uniq"),
        ]
        indexes = [
            # Serves: lookup by order number (search box, API ?q=#1001): store_id IN (…) AND number = ?
            models.Index(fields=["store", "number"], name="order_store_number_idx"),
            # Serves: lookup by email (API ?q=, linking new customers): store_id IN (…) AND email = ?
            models.Index(fields=["store", "email"], name="order_store_email_idx"),
            # Serves: lookup by phone: store_id IN (…) AND phone = ?
            models.Index(fields=["store", "phone"], name="order_store_phone_idx"),
            # Serves: a customer's orders newest first (orders panel, API ?customer=, lifetime value).
            models.Index(fields=["customer", "-placed_at", "-id"], name="order_customer_recent_idx"),
            # Serves: a store's orders newest first (API list without ?q=).
            models.Index(fields=["store", "-placed_at", "-id"], name="order_store_recent_idx"),
            # Serves: the late-order job (outreach.late_candidates): promised_by BETWEEN ? AND ?
            #   AND cancelled_at IS NULL — partial: cancelled orders are never late.
            models.Index(fields=["promised_by"], name="order_promised_idx", condition=Q(cancelled_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def refundable(self) -> int:
        return max(self.paid - self.refunded, 0)

    @property
    def is_fulfilled(self) -> bool:
        return self.fulfillment_status in ("fulfilled", "partial", "partially_fulfilled")


class OrderLine(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    external_id = models.CharField(max_length=128)
    position = models.PositiveIntegerField(default=0)
    sku = models.CharField(max_length=128, blank=True)
    title = models.CharField(max_length=500)
    variant_title = models.CharField(max_length=255, blank=True)
    product_id = models.CharField(max_length=128, blank=True)
    variant_id = models.CharField(max_length=128, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.BigIntegerField(default=0)
    discount = models.BigIntegerField(default=0)  # on the whole line
    tax = models.BigIntegerField(default=0)  # on the whole line
    total = models.BigIntegerField(default=0)  # unit_price × quantity − discount + tax
    refunded_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            # Serves: replacing an order's lines on upsert; per-line refunds name lines by their id.
            models.UniqueConstraint(fields=["order", "external_id"], name="orderline_order_external_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def unit_refund(self) -> int:
        """What refunding one unit gives back: its share of price, discount and tax."""
        return self.total // self.quantity if self.quantity else 0


class Fulfillment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        IN_TRANSIT = "in_transit"
        DELIVERED = "delivered"
        FAILED = "failed"  # delivery failed / returned to sender
        CANCELLED = "cancelled"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfillments")
    external_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=128, blank=True)
    tracking_url = models.URLField(max_length=1000, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    estimated_delivery_at = models.DateTimeField(null=True, blank=True)
    lines = models.JSONField(default=list, blank=True)  # [{"line": external_id, "quantity": n}]

    class Meta:
        ordering = ["shipped_at", "id"]
        constraints = [
            # Serves: replacing an order's fulfilments on upsert.
            models.UniqueConstraint(fields=["order", "external_id"], name="fulfillment_order_external_uniq"),
        ]
        indexes = [
            # Serves: lookup by tracking number: store_id IN (…) AND tracking_number = ?
            models.Index(fields=["store", "tracking_number"], name="fulfillment_tracking_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}".strip() or f"Fulfilment {self.external_id}"


class Refund(models.Model):
    """A refund the platform recorded (synced, or the outcome of one of our remedies)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    external_id = models.CharField(max_length=128)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    note = models.TextField(blank=True)
    lines = models.JSONField(default=list, blank=True)  # [{"line": external_id, "quantity": n}]
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Serves: idempotent recording — the same platform refund from sync and from our remedy is one row.
            models.UniqueConstraint(fields=["order", "external_id"], name="refund_order_external_uniq"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.external_id}"


class ProviderWebhook(models.Model):
    """An inbound platform webhook, stored raw after its signature checked out and before it is
    processed (by a job), so nothing is lost if processing fails and replays are recognised."""

    class State(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        PROCESSED = "processed"
        FAILED = "failed"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="webhooks")
    topic = models.CharField(max_length=100)
    # The platform's delivery id (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID): replays are one row.
    delivery_id = models.CharField(max_length=200)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Serves: replay detection on receipt.
            models.UniqueConstraint(fields=["connection", "delivery_id"], name="providerwebhook_delivery_uniq"),
        ]
        indexes = [
            # Serves: the sweeper — webhooks still waiting to be processed, oldest first.
            models.Index(
                fields=["received_at"], name="providerwebhook_pending_idx", condition=Q(state__in=["pending", "failed"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.delivery_id}"


class RemedyKind(models.TextChoices):
    REFUND = "refund", "Refund"
    CANCEL = "cancel", "Cancel order"
    REPLACEMENT = "replacement", "Replacement order"
    DISCOUNT_CODE = "discount_code", "Discount code"
    STORE_CREDIT = "store_credit", "Store credit"
    ADDRESS_CHANGE = "address_change", "Change shipping address"
    GOODWILL = "goodwill", "Goodwill gesture"


class AuthorityRule(models.Model):
    """What a role (or one agent, overriding their role) may give away, per kind of remedy.

    Limits are in the minor unit of the store's currency (`commerce.authority.store_currency`);
    NULL means no limit. Without a row, the built-in defaults in `authority.DEFAULTS` apply.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="authority_rules")
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=RemedyKind.choices)
    allowed = models.BooleanField(default=True)
    max_per_action = models.BigIntegerField(null=True, blank=True)
    max_per_day = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Serves: the rule for (store, role, kind) — one per role.
            models.UniqueConstraint(
                fields=["store", "role", "kind"], name="authority_role_uniq", condition=Q(user__isnull=True)
            ),
            # Serves: an agent's override for (store, user, kind) — one per agent.
            models.UniqueConstraint(
                fields=["store", "user", "kind"], name="authority_user_uniq", condition=Q(user__isnull=False)
            ),
            models.CheckConstraint(
                condition=(Q(user__isnull=True) & ~Q(role="")) | (Q(user__isnull=False) & Q(role="")),
                name="authority_role_xor_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.role}: {self.kind}"


class Remedy(models.Model):
    """One intent to fix something for a customer: a refund, a replacement, a code…

    Recorded first (with its idempotency key), executed against the platform by a job after
    commit, and its outcome recorded; see docs/decisions/0009-remedies-money-moves.md.
    """

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"
        DENIED = "denied", "Denied"
        EXPIRED = "expired", "Expired"

    # States whose amount is committed (counts against refundable amounts and daily limits).
    COMMITTED = ("awaiting_approval", "queued", "processing", "succeeded")
    IN_FLIGHT = ("queued", "processing")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="remedies")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="remedies")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="remedies"
    )
    kind = models.CharField(max_length=32, choices=RemedyKind.choices)
    # What exactly: {"scope": "partial|full|lines|shipping", "lines": [...], "address": {...}, "restock": bool}
    params = models.JSONField(default=dict, blank=True)
    amount = models.BigIntegerField(default=0)  # money given away, in `currency` minor units (0 for an address change)
    currency = models.CharField(max_length=3)
    reason = models.TextField(blank=True)
    # The playbook situation it answers ("late_delivery", "damaged", …; see playbooks.py), or "".
    situation = models.CharField(max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # hash of the request: a reused key with another request is refused
    state = models.CharField(max_length=24, choices=State.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whose authority covers it: the requester within their limits, else the approving lead.
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=200, blank=True)  # refund id, code, draft order id…
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)  # the platform's answer, shown to the agent as it came
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Serves: idempotency — the same key in a store is one remedy, whoever sends it twice.
            models.UniqueConstraint(fields=["store", "idempotency_key"], name="remedy_store_key_uniq"),
        ]
        indexes = [
            # Serves: an order's remedies (orders panel, refundable amount under the order lock).
            models.Index(fields=["order", "-created_at"], name="remedy_order_idx"),
            # Serves: an agent's spend today per kind (authority check), and the budget report:
            #   authorized_by_id = ? AND kind = ? AND created_at >= <local midnight>
            models.Index(fields=["authorized_by", "kind", "created_at"], name="remedy_authority_idx"),
            # Serves: the budget and consistency reports per store and period.
            models.Index(fields=["store", "created_at"], name="remedy_store_created_idx"),
            # Serves: the sweeper — remedies due for (another) attempt.
            models.Index(
                fields=["next_attempt_at"], name="remedy_due_idx", condition=Q(state__in=["queued", "processing"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ApprovalRequest(models.Model):
    """A remedy above its requester's limits, waiting for a lead: approve or deny, with a reason."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        EXPIRED = "expired", "Expired"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="approval_requests")
    remedy = models.OneToOneField(Remedy, on_delete=models.CASCADE, related_name="approval")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    why = models.CharField(max_length=300)  # which limit it is above, in words
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Serves: the leads' queue (pending, oldest first) and the expiry job — partial: pending only.
            models.Index(fields=["store", "expires_at"], name="approval_pending_idx", condition=Q(state="pending")),
            # Serves: the approvals history per store, newest first.
            models.Index(fields=["store", "-created_at"], name="approval_store_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"Approval for {self.remedy}"


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", "Arrived damaged"
    WRONG_ITEM = "wrong_item", "Wrong item sent"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    DOES_NOT_FIT = "does_not_fit", "Does not fit"
    ARRIVED_LATE = "arrived_late", "Arrived too late"
    CHANGED_MIND = "changed_mind", "Changed my mind"
    OTHER = "other", "Other"


class ReturnRequest(models.Model):
    """A return (RMA) of some of an order's items: requested by an agent from the conversation
    or by the customer on the store's returns page, a prepaid label, then tracked until the
    items are back and refunded (through a remedy, so the authority matrix applies)."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"  # waiting for an agent to approve (or for its label)
        LABEL_SENT = "label_sent", "Label sent"
        IN_TRANSIT = "in_transit", "In transit"
        RECEIVED = "received", "Received"
        REFUNDED = "refunded", "Refunded"
        REJECTED = "rejected", "Rejected"

    OPEN = ("requested", "label_sent", "in_transit", "received")

    class Source(models.TextChoices):
        AGENT = "agent", "Agent"
        PORTAL = "portal", "Returns page"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="returns")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="returns"
    )
    rma = models.CharField(max_length=32)  # "R-1001-1": shown to the customer, printed on the label
    state = models.CharField(max_length=16, choices=State.choices, default=State.REQUESTED)
    source = models.CharField(max_length=8, choices=Source.choices)
    reason = models.CharField(max_length=24, choices=ReturnReason.choices)  # the main reason (first line's)
    comment = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)  # label may be made once set
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=128, blank=True)
    label_reference = models.CharField(max_length=200, blank=True)
    label_error = models.TextField(blank=True)  # the carrier's answer when a label could not be made
    # The refund issued on receipt (a remedy: limits, approval, idempotency as any other).
    remedy = models.OneToOneField(
        "Remedy", null=True, blank=True, on_delete=models.SET_NULL, related_name="return_request"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Serves: the label page and carrier lookups by RMA number within a store.
            models.UniqueConstraint(fields=["store", "rma"], name="return_store_rma_uniq"),
        ]
        indexes = [
            # Serves: an order's returns (orders panel prefetch, eligibility: quantities already returned).
            models.Index(fields=["order", "-created_at"], name="return_order_idx"),
            # Serves: carrier tracking events: store_id = ? AND tracking_number = ?
            models.Index(fields=["store", "tracking_number"], name="return_tracking_idx"),
            # Serves: the return-reasons report per store and period.
            models.Index(fields=["store", "created_at"], name="return_store_created_idx"),
        ]

    def __str__(self) -> str:
        return self.rma


class ReturnLine(models.Model):
    """One item (and how many of it) in a return, with its reason: the report counts these."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=24, choices=ReturnReason.choices)

    class Meta:
        ordering = ["id"]
        # (return_request_id and order_line_id have their FK indexes: a return's lines; a line's returns.)

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.order_line_id}"


class LateOrderOutreach(models.Model):
    """An order found late against its promised date, and what we did about it before the
    customer asked: a draft for an agent to review, a message sent, or dismissed. One per
    order (the unique order is what makes the hourly job idempotent)."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft for review"
        SENT = "sent", "Sent"
        DISMISSED = "dismissed", "Dismissed"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="late_outreach")
    state = models.CharField(max_length=16, choices=State.choices)
    days_late = models.PositiveIntegerField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()  # the message as proposed (a reviewer may edit it before sending)
    # The playbook's suggestion: {"situation", "kind", "amount", "label", "why"}, or {}.
    suggestion = models.JSONField(default=dict, blank=True)
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    remedy = models.ForeignKey("Remedy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)  # why it is a draft in a "send" store, or why dismissed
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves: the review queue — a store's drafts, oldest first (partial: drafts only).
            models.Index(fields=["store", "created_at"], name="outreach_draft_idx", condition=Q(state="draft")),
        ]

    def __str__(self) -> str:
        return f"Late order outreach for {self.order}"


def return_photo_path(instance: ReturnPhoto, filename: str) -> str:
    # Our own name, never the customer's: "returns/<store>/<yyyy/mm>/<rma>-<n>.jpg".
    return f"returns/{instance.store_id}/{timezone.now():%Y/%m}/{filename}"


class ReturnPhoto(models.Model):
    """A photo the customer sent with a return (damage). Type checked from the file's own bytes,
    size capped (returns.PHOTO_MAX_BYTES); shown to agents only."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=return_photo_path, max_length=500)
    content_type = models.CharField(max_length=32)  # image/jpeg, image/png, image/webp
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        # (return_request_id has its FK index: a return's photos.)

    def __str__(self) -> str:
        return str(self.file.name)


class CarrierWebhook(models.Model):
    """A carrier's tracking event about a return parcel, stored raw after its signature checked
    out and before it is processed (by a job): nothing is lost, replays are one row."""

    class State(models.TextChoices):
        PENDING = "pending"
        PROCESSED = "processed"
        IGNORED = "ignored"  # no return with that tracking number, or an event we do not act on
        FAILED = "failed"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    carrier = models.CharField(max_length=32)  # the adapter's name: "generic", …
    event_id = models.CharField(max_length=200)  # the carrier's own event id
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Serves: replay detection on receipt (the same event delivered twice is one row).
            models.UniqueConstraint(fields=["store", "carrier", "event_id"], name="carrierwebhook_event_uniq"),
        ]
        indexes = [
            # Serves: the sweeper — carrier events still waiting to be processed, oldest first.
            models.Index(
                fields=["received_at"], name="carrierwebhook_pending_idx", condition=Q(state__in=["pending", "failed"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.event_id}"
