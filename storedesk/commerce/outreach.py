"""Proactive late-order outreach: find orders late against their promised delivery date and
reach the customer before they ask. The only writer of `LateOrderOutreach`.

Per store, `store.settings["late_outreach"]`:
  "draft" (default)  a draft message waits on the Late orders page for an agent to send or dismiss
  "send"             the message goes out at once, signed by `store.settings["late_outreach_sender"]`
                     (an agent's email; else the store's first admin); without a sender or an email
                     address for the customer it stays a draft, saying why
  "off"              nothing
An order is late when it is `late_outreach_after_days` (default 1) whole days past `promised_by`
and not yet delivered (no shipment, or one still on its way). Each order is handled once: the
outreach row is unique per order and written under the order's row lock.

The playbook's suggested remedy (late delivery → goodwill, missing parcel → replacement) is
never given by the job itself: money moves need a person's authority. It is recorded on the
outreach, shown to the reviewer (who may issue it with the message, through the normal remedy
flow and limits), and written as a system note on the conversation when the job sends.
See docs/decisions/0023-late-order-outreach.md.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from storedesk.commerce import playbooks
from storedesk.commerce.lib.money import format_money
from storedesk.commerce.models import Fulfillment, LateOrderOutreach, Order
from storedesk.commerce.remedies import RemedyRequest, do_request_remedy
from storedesk.conversations.actions import do_add_system_note, do_create_conversation
from storedesk.conversations.models import Channel, Identity
from storedesk.core import audit
from storedesk.core.access import agent_named_by_setting, check_permission
from storedesk.core.errors import ActionError, Conflict
from storedesk.core.models import Store, User

log = logging.getLogger(__name__)

MODES = ("draft", "send", "off")
DEFAULT_MODE = "draft"
DEFAULT_AFTER_DAYS = 1
LOOKBACK = timedelta(days=45)  # older promises are history, not outreach
OutreachState = LateOrderOutreach.State


def mode_of(store: Store) -> str:
    mode = store.settings.get("late_outreach", DEFAULT_MODE)
    return mode if mode in MODES else DEFAULT_MODE


def after_days(store: Store) -> int:
    try:
        return max(int(store.settings.get("late_outreach_after_days", DEFAULT_AFTER_DAYS)), 1)
    except (TypeError, ValueError):
        return DEFAULT_AFTER_DAYS


def late_candidates(now: datetime, limit: int = 200, store: Store | None = None) -> list[Order]:
    """Orders past their promise (by at least a day), not cancelled, not delivered, with a
    customer, not yet handled, in stores where outreach is on. One query for the orders
    (order_promised_idx) and two prefetches."""
    off = [s.pk for s in Store.objects.only("pk", "settings") if mode_of(s) == "off"]
    shipped = Fulfillment.objects.filter(order=OuterRef("pk")).exclude(status=Fulfillment.Status.CANCELLED)
    on_the_way = shipped.exclude(status=Fulfillment.Status.DELIVERED)
    orders = Order.objects.filter(store=store) if store is not None else Order.objects.all()
    return list(
        orders.filter(
            promised_by__lt=now - timedelta(days=1),
            promised_by__gte=now - LOOKBACK,
            cancelled_at__isnull=True,
            customer__isnull=False,
            late_outreach__isnull=True,
        )
        .exclude(store_id__in=off)
        .filter(Q(~Exists(shipped)) | Q(Exists(on_the_way)))
        .select_related("store", "customer", "customer__merged_into")
        .prefetch_related("fulfillments", "returns")
        .order_by("promised_by", "pk")[:limit]
    )


def sweep_late_orders(now: datetime | None = None, limit: int = 200, store: Store | None = None) -> int:
    """The hourly job: open an outreach for each newly late order. Returns how many."""
    now = now or timezone.now()
    opened = 0
    for order in late_candidates(now, limit, store):
        late = playbooks.days_late(order, now)
        if late is None or late < after_days(order.store):
            continue
        try:
            outreach, created = do_open_outreach(order, now=now)
        except ActionError as exc:  # a conversation could not be opened: logged, retried next hour
            log.warning("late-order outreach for order %s failed: %s", order.pk, exc)
            continue
        opened += int(created)
    return opened


def _suggestion(order: Order, now: datetime) -> dict[str, object]:
    """The playbook's remedy for this late order: a missing parcel's before lateness's."""
    found = {item.situation: item for item in playbooks.suggest(order, order.store, now)}
    for situation in ("missing_parcel", "late_delivery"):
        item = found.get(situation)
        if item is not None:
            return {
                "situation": item.situation,
                "kind": item.kind,
                "amount": item.amount,
                "label": item.label,
                "why": item.why,
                "money": format_money(item.amount, order.currency) if item.amount else "",
            }
    return {}


def _local(moment: datetime, store: Store) -> datetime:
    try:
        return timezone.localtime(moment, ZoneInfo(store.timezone))
    except (KeyError, ValueError):
        return timezone.localtime(moment, ZoneInfo("UTC"))


def compose(order: Order, late: int) -> tuple[str, str]:
    """Subject and body of the apology: what we know, what happens next."""
    customer = order.customer.merged_into or order.customer if order.customer else None
    first = customer.first_name if customer else ""
    promised = f"{_local(order.promised_by, order.store):%-d %B}" if order.promised_by else ""
    moving = [f for f in order.fulfillments.all() if f.status == Fulfillment.Status.IN_TRANSIT]
    if moving and moving[0].tracking_url:
        where = (
            f"It is on its way with {moving[0].carrier or 'the carrier'}; you can follow it here: "
            f"{moving[0].tracking_url}"
        )
    elif moving:
        where = f"It is on its way with {moving[0].carrier or 'the carrier'}."
    else:
        where = "It has not left our warehouse yet, and we are finding out why."
    days = f"{late} day{'s' if late != 1 else ''}"
    body = (
        f"Hi {first or 'there'},\n\n"
        f"Your order {order.name} should have reached you by {promised}, and it is now {days} late. "
        f"We are sorry: we know you were counting on it.\n\n"
        f"{where}\n\n"
        "We are keeping an eye on it and will write again as soon as we know more. If you would "
        "rather cancel or need it somewhere else, just reply to this message."
    )
    return f"Your order {order.name} is running late", body


def _email_of(order: Order) -> bool:
    customer = order.customer.merged_into or order.customer if order.customer else None
    return customer is not None and Identity.objects.filter(customer=customer, kind=Identity.Kind.EMAIL).exists()


def do_open_outreach(order: Order, *, now: datetime | None = None) -> tuple[LateOrderOutreach, bool]:
    """Open the outreach for a late order: a draft, or (store mode "send") the message itself.
    Idempotent: a second call returns the first outreach and changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("store", "customer", "customer__merged_into")
            .prefetch_related("fulfillments", "returns")
            .get(pk=order.pk)
        )
        existing = LateOrderOutreach.objects.filter(order=order).first()
        if existing is not None:
            return existing, False
        late = playbooks.days_late(order, now) or 0
        subject, body = compose(order, late)
        suggestion = _suggestion(order, now)
        sender, note = None, ""
        if mode_of(order.store) == "send":
            sender = agent_named_by_setting(order.store, "late_outreach_sender")
            if sender is None:
                note = "No sender: set late_outreach_sender to an agent of the store."
            elif not _email_of(order):
                sender, note = None, "The customer has no email address on file."
        try:
            with transaction.atomic():
                outreach = LateOrderOutreach.objects.create(
                    store_id=order.store_id,
                    order=order,
                    state=OutreachState.DRAFT,
                    days_late=late,
                    subject=subject,
                    body_text=body,
                    suggestion=suggestion,
                    note=note,
                    created_at=now,
                )
        except IntegrityError:  # SQLite without row locks: another worker got here first
            return LateOrderOutreach.objects.get(order=order), False
        audit.record(
            store_id=order.store_id,
            actor=None,
            verb="outreach.drafted",
            obj=outreach,
            after={"order": order.name, "days_late": late, "suggestion": suggestion.get("label", "")},
        )
        if sender is not None:
            _send(sender, outreach, order, body, subject, system=True)
    return outreach, True


def _send(actor: User, outreach: LateOrderOutreach, order: Order, body: str, subject: str, *, system: bool) -> None:
    assert order.customer is not None  # callers check: outreach is only for orders with a customer
    customer = order.customer.merged_into or order.customer
    conversation = do_create_conversation(
        store=order.store,
        customer=customer,
        channel=Channel.EMAIL,
        subject=subject,
        body_text=body,
        actor=actor,
        metadata={"late_outreach": outreach.pk, "order": order.name},
    )
    now = timezone.now()
    outreach.state, outreach.conversation, outreach.body_text = OutreachState.SENT, conversation, body
    outreach.decided_by = None if system else actor
    outreach.decided_at = now
    outreach.save(update_fields=["state", "conversation", "body_text", "decided_by", "decided_at"])
    audit.record(
        store_id=order.store_id,
        actor=None if system else actor,
        verb="outreach.sent",
        obj=outreach,
        after={"order": order.name, "conversation_id": conversation.pk},
    )
    suggestion = outreach.suggestion
    if suggestion and outreach.remedy_id is None:
        money = f" ({suggestion['money']})" if suggestion.get("money") else ""
        do_add_system_note(
            conversation,
            f"Order {order.name} is {outreach.days_late} days late; we wrote to the customer first. "
            f"Policy suggests: {suggestion['label']}{money}. Apply it from the order card if they reply.",
            {"late_outreach": outreach.pk},
        )


def do_send_outreach(
    actor: User, outreach: LateOrderOutreach, *, body_text: str | None = None, apply_remedy: bool = False
) -> LateOrderOutreach:
    """An agent sends a draft (possibly edited), optionally with the suggested remedy, which goes
    through the normal remedy flow: within their authority it is issued, above it a lead approves."""
    check_permission(actor, outreach.store_id, "conversation.create")
    with transaction.atomic():
        outreach = LateOrderOutreach.objects.select_for_update().get(pk=outreach.pk)
        if outreach.state != OutreachState.DRAFT:
            raise Conflict(f"This outreach was already {outreach.get_state_display().lower()}.", code="not_draft")
        order = Order.objects.select_related("store", "customer", "customer__merged_into").get(pk=outreach.order_id)
        if order.customer is None:
            raise ActionError("This order has no customer to write to.", code="no_customer")
        body = (body_text if body_text is not None else outreach.body_text).strip()
        if not body:
            raise ActionError("The message is empty.", code="empty_message")
        _send(actor, outreach, order, body, outreach.subject, system=False)
        suggestion = outreach.suggestion
        if apply_remedy and suggestion:
            outcome = do_request_remedy(
                actor,
                order,
                RemedyRequest(
                    kind=str(suggestion["kind"]),
                    amount=suggestion.get("amount"),  # type: ignore[arg-type]
                    reason=f"Late order outreach: {suggestion['why']}",
                    scope="partial",
                    lines=tuple((line.external_id, line.quantity) for line in order.lines.all())
                    if suggestion["kind"] == "replacement"
                    else (),
                    situation=str(suggestion["situation"]),
                ),
                idempotency_key=f"outreach:{outreach.pk}",
                conversation=outreach.conversation,
            )
            outreach.remedy = outcome.remedy
            outreach.save(update_fields=["remedy"])
    return outreach


def do_dismiss_outreach(actor: User, outreach: LateOrderOutreach, reason: str = "") -> LateOrderOutreach:
    check_permission(actor, outreach.store_id, "conversation.create")
    with transaction.atomic():
        outreach = LateOrderOutreach.objects.select_for_update().get(pk=outreach.pk)
        if outreach.state != OutreachState.DRAFT:
            raise Conflict(f"This outreach was already {outreach.get_state_display().lower()}.", code="not_draft")
        outreach.state, outreach.decided_by, outreach.decided_at = OutreachState.DISMISSED, actor, timezone.now()
        outreach.note = reason.strip()[:300]
        outreach.save(update_fields=["state", "decided_by", "decided_at", "note"])
        audit.record(store_id=outreach.store_id, actor=actor, verb="outreach.dismissed", obj=outreach, reason=reason)
    return outreach


def drafts(store_ids: list[int], limit: int = 100) -> list[LateOrderOutreach]:
    """The review queue: drafts in the agent's stores, oldest first (outreach_draft_idx)."""
    return list(
        LateOrderOutreach.objects.filter(store_id__in=store_ids, state=OutreachState.DRAFT)
        .select_related("store", "order", "order__customer")
        .order_by("created_at", "pk")[:limit]
    )


def recent(store_ids: list[int], limit: int = 20) -> list[LateOrderOutreach]:
    return list(
        LateOrderOutreach.objects.filter(store_id__in=store_ids)
        .exclude(state=OutreachState.DRAFT)
        .select_related("order", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
