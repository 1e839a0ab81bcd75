"""Returns (RMA): the only writers of `ReturnRequest` and `ReturnLine`.

requested → (approved) label sent → in transit → received → refunded (or rejected).
A return is requested by an agent from the conversation or by the customer on the store's
returns page; an agent's is approved at once, a customer's when the store allows instant
approval (`store.settings["returns_auto_approve"]`, default on) — else an agent approves it.
The label is made by a job after commit (`labels.py`). On receipt the refund is a remedy
(`remedies.do_request_remedy`, idempotency key `return:<id>`), so the receiving agent's
authority applies: within it, it is refunded; above it, a lead approves it. When that refund
succeeds, `remedies` marks the return refunded. Every step writes an audit event and a note
on the customer's conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from storedesk.commerce import labels
from storedesk.commerce.models import (
    Order,
    OrderLine,
    RemedyKind,
    ReturnLine,
    ReturnPhoto,
    ReturnReason,
    ReturnRequest,
)
from storedesk.commerce.providers import ProviderError
from storedesk.commerce.remedies import RemedyRequest, do_request_remedy
from storedesk.conversations.actions import do_add_note, do_add_system_note, do_create_conversation
from storedesk.conversations.models import Channel, Conversation
from storedesk.core import audit
from storedesk.core.access import agent_named_by_setting, check_permission
from storedesk.core.errors import ActionError, Conflict, NotFound
from storedesk.core.models import Store, User

State = ReturnRequest.State
DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ReturnItem:
    line_id: int  # OrderLine pk
    quantity: int
    reason: str  # ReturnReason


@dataclass(frozen=True)
class PhotoUpload:
    content: bytes
    filename: str = ""


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 4
# The file's first bytes decide its type (never the name or the browser's Content-Type).
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def photo_type(content: bytes) -> str | None:
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photos(photos: Sequence[PhotoUpload]) -> list[str]:
    """The content type of each photo; ActionError for too many, too big or not a photo."""
    if len(photos) > PHOTO_MAX_COUNT:
        raise ActionError(f"Send at most {PHOTO_MAX_COUNT} photos.", code="too_many_photos")
    types = []
    for photo in photos:
        if len(photo.content) > PHOTO_MAX_BYTES:
            raise ActionError("Each photo can be at most 5 MB.", code="photo_too_big")
        kind = photo_type(photo.content)
        if kind is None:
            raise ActionError("Photos must be JPEG, PNG or WebP images.", code="photo_type")
        types.append(kind)
    return types


@dataclass(frozen=True)
class Returnable:
    line: OrderLine
    quantity: int  # how many can still be returned


def window_ends(order: Order, days: int | None = None) -> datetime:
    """Returns are accepted until N days (store setting `return_window_days`, default 30, or an
    item rule's `window_days`) after delivery — or after the order was placed when we know of
    no delivery."""
    if days is None:
        days = int(order.store.settings.get("return_window_days", DEFAULT_WINDOW_DAYS))
    delivered = [f.delivered_at for f in order.fulfillments.all() if f.delivered_at]
    return max([*delivered, order.placed_at]) + timedelta(days=days)


def rule_for(store: Store, line: OrderLine) -> dict[str, Any]:
    """The store's per-item return rule for a line (`store.settings["return_rules"]`, a list of
    {"sku": "SALE-*" | "TR-42", "product_id": "…", "final_sale": true, "window_days": 14}; the
    first that matches wins; a trailing * matches a SKU prefix), or {}."""
    for rule in store.settings.get("return_rules") or []:
        if not isinstance(rule, dict):
            continue
        sku = str(rule.get("sku") or "")
        if sku and line.sku and (line.sku == sku or (sku.endswith("*") and line.sku.startswith(sku[:-1]))):
            return rule
        if rule.get("product_id") and str(rule["product_id"]) == line.product_id:
            return rule
    return {}


def final_sale_lines(order: Order) -> list[OrderLine]:
    """Lines a rule marks final sale: shown on the returns page as not returnable."""
    return [line for line in order.lines.all() if rule_for(order.store, line).get("final_sale")]


def returnable(order: Order, now: datetime | None = None) -> list[Returnable]:
    """The order's lines with what is left to return: bought, minus refunded, minus what open
    or finished returns already hold. Empty when cancelled or past the return window; lines a
    rule marks final sale, or whose own (rule) window has passed, are left out."""
    now = now or timezone.now()
    if order.cancelled_at:
        return []
    if now > window_ends(order) and not any("window_days" in rule_for(order.store, line) for line in order.lines.all()):
        return []
    held = dict(
        ReturnLine.objects.filter(return_request__order=order)
        .exclude(return_request__state=State.REJECTED)
        .values_list("order_line_id")
        .annotate(n=Sum("quantity"))
    )
    out = []
    for line in order.lines.all():
        rule = rule_for(order.store, line)
        if rule.get("final_sale") or now > window_ends(order, rule.get("window_days")):
            continue
        left = line.quantity - line.refunded_quantity - int(held.get(line.pk, 0))
        if left > 0:
            out.append(Returnable(line, left))
    return out


def _customer_conversation(order: Order, summary: str) -> Conversation | None:
    """The customer's latest conversation, or a new one for this return (so the whole return
    is visible where agents talk to them)."""
    customer = order.customer
    if customer is None:
        return None
    if customer.merged_into is not None:
        customer = customer.merged_into
    latest = (
        Conversation.objects.filter(customer=customer, store_id=order.store_id, merged_into__isnull=True)
        .order_by("-last_message_at", "-id")
        .first()
    )
    if latest is not None:
        return latest
    return do_create_conversation(
        store=order.store,
        customer=customer,
        channel=Channel.EMAIL,
        subject=f"Return for order {order.name}",
        body_text=summary,
    )


def _note(actor: User | None, ret: ReturnRequest, text: str) -> None:
    if ret.conversation_id is None:
        return
    conversation = Conversation.objects.get(pk=ret.conversation_id)
    if actor is None:
        do_add_system_note(conversation, text, {"return_id": ret.pk})
    else:
        do_add_note(actor, conversation, body_text=text)


def _enqueue_label(return_id: int) -> None:
    from storedesk.commerce import tasks

    tasks.make_return_label(return_id)


def do_request_return(
    actor: User | None,
    order: Order,
    items: Sequence[ReturnItem],
    *,
    comment: str = "",
    conversation: Conversation | None = None,
    photos: Sequence[PhotoUpload] = (),
) -> ReturnRequest:
    """Open a return for some of the order's items. `actor` None: the customer, from the
    returns page. Refuses items not on the order, more than is left to return, or an order
    past its return window, and photos that are not JPEG/PNG/WebP or too big (ActionError),
    and leaves nothing behind."""
    photo_types = check_photos(photos)
    if actor is not None:
        check_permission(actor, order.store_id, "conversation.reply")
    if conversation is not None and conversation.store_id != order.store_id:
        raise NotFound("Conversation not found.")
    wanted = [item for item in items if item.quantity > 0]
    if not wanted:
        raise ActionError("Choose at least one item to return.", code="no_items")
    if any(item.reason not in ReturnReason.values for item in wanted):
        raise ActionError("Choose a reason for each item.", code="invalid_reason")
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("store", "customer", "customer__merged_into")
            .prefetch_related("lines", "fulfillments")
            .get(pk=order.pk)
        )
        left = {r.line.pk: r for r in returnable(order)}
        for item in wanted:
            if item.line_id not in left:
                raise ActionError("That item cannot be returned any more.", code="not_returnable")
            if item.quantity > left[item.line_id].quantity:
                raise Conflict(
                    f"Only {left[item.line_id].quantity} of {left[item.line_id].line.title} can be returned.",
                    code="too_many",
                )
        number = ReturnRequest.objects.filter(order=order).count() + 1
        rma = f"R-{order.number.upper()}-{number}"[:32]
        summary = ", ".join(f"{i.quantity} × {left[i.line_id].line.title}" for i in wanted)
        reason_label = ReturnReason(wanted[0].reason).label
        if conversation is None and actor is None:
            conversation = _customer_conversation(
                order, f"I would like to return {summary} from order {order.name}: {reason_label}. {comment}".strip()
            )
        now = timezone.now()
        instant = actor is not None or bool(order.store.settings.get("returns_auto_approve", True))
        ret = ReturnRequest.objects.create(
            store_id=order.store_id,
            order=order,
            customer=order.customer.merged_into or order.customer if order.customer else None,
            conversation=conversation,
            rma=rma,
            source=ReturnRequest.Source.PORTAL if actor is None else ReturnRequest.Source.AGENT,
            reason=wanted[0].reason,
            comment=comment.strip()[:2000],
            requested_by=actor,
            approved_at=now if instant else None,
            created_at=now,
            updated_at=now,
        )
        ReturnLine.objects.bulk_create(
            [
                ReturnLine(
                    store_id=order.store_id,
                    return_request=ret,
                    order_line_id=item.line_id,
                    quantity=item.quantity,
                    reason=item.reason,
                )
                for item in wanted
            ]
        )
        for index, (photo, kind) in enumerate(zip(photos, photo_types, strict=True), start=1):
            stored = ReturnPhoto(
                store_id=order.store_id, return_request=ret, content_type=kind, size=len(photo.content)
            )
            stored.file.save(f"{rma}-{index}{PHOTO_TYPES[kind]}", ContentFile(photo.content), save=False)
            stored.save()
        audit.record(
            store_id=order.store_id,
            actor=actor,
            verb="return.requested",
            obj=ret,
            reason=reason_label,
            after={
                "rma": rma,
                "order": order.name,
                "lines": [[i.line_id, i.quantity, i.reason] for i in wanted],
                "photos": len(photos),
            },
        )
        who = actor.name if actor else "The customer"
        then = "a label is on its way." if instant else "an agent needs to approve it."
        pictures = f" {len(photos)} photo{'s' if len(photos) != 1 else ''} attached." if photos else ""
        _note(actor, ret, f"{who} requested return {rma} for {summary} ({reason_label}): {then}{pictures}")
        if instant:
            transaction.on_commit(lambda: _enqueue_label(ret.pk))
    return ret


def _locked(ret: ReturnRequest) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update(of=("self",)).select_related("order").get(pk=ret.pk)


def do_approve_return(actor: User, ret: ReturnRequest) -> ReturnRequest:
    check_permission(actor, ret.store_id, "conversation.reply")
    with transaction.atomic():
        ret = _locked(ret)
        if ret.state != State.REQUESTED or ret.approved_at is not None:
            raise Conflict("That return is not waiting for approval.", code="not_pending")
        ret.approved_at = ret.updated_at = timezone.now()
        ret.save(update_fields=["approved_at", "updated_at"])
        audit.record(store_id=ret.store_id, actor=actor, verb="return.approved", obj=ret)
        _note(actor, ret, f"{actor.name} approved return {ret.rma}: a label is on its way.")
        transaction.on_commit(lambda: _enqueue_label(ret.pk))
    return ret


def do_reject_return(actor: User, ret: ReturnRequest, reason: str) -> ReturnRequest:
    check_permission(actor, ret.store_id, "conversation.reply")
    if not reason.strip():
        raise ActionError("Say why the return is rejected.", code="reason_required")
    with transaction.atomic():
        ret = _locked(ret)
        if ret.state not in (State.REQUESTED, State.LABEL_SENT):
            raise Conflict("That return can no longer be rejected.", code="not_open")
        before = ret.state
        ret.state, ret.updated_at = State.REJECTED, timezone.now()
        ret.save(update_fields=["state", "updated_at"])
        audit.record(
            store_id=ret.store_id,
            actor=actor,
            verb="return.rejected",
            obj=ret,
            reason=reason,
            before={"state": before},
        )
        _note(actor, ret, f"{actor.name} rejected return {ret.rma}: {reason.strip()}")
    return ret


def make_label(return_id: int) -> str:
    """The label job: idempotent (only an approved return without a label gets one)."""
    ret = ReturnRequest.objects.select_related("order").get(pk=return_id)
    if ret.state != State.REQUESTED or ret.approved_at is None or ret.label_reference:
        return "skipped"
    carrier = labels.carrier_for(ret)
    try:
        label = carrier.create_label(ret)
    except ProviderError as exc:
        ReturnRequest.objects.filter(pk=ret.pk).update(label_error=exc.message[:2000], updated_at=timezone.now())
        _note(None, ret, f"The label for return {ret.rma} could not be made: {exc.message}")
        return "failed"
    with transaction.atomic():
        ret = _locked(ret)
        if ret.state != State.REQUESTED or ret.label_reference:
            return "skipped"
        ret.state = State.LABEL_SENT
        ret.carrier, ret.tracking_number, ret.label_reference = label.carrier, label.tracking_number, label.reference
        ret.label_error, ret.updated_at = "", timezone.now()
        ret.save(update_fields=["state", "carrier", "tracking_number", "label_reference", "label_error", "updated_at"])
        audit.record(
            store_id=ret.store_id, actor=None, verb="return.label_sent", obj=ret, after={"carrier": ret.carrier}
        )
        _note(None, ret, f"Return label for {ret.rma} is ready ({ret.carrier}); the customer can print it.")
    return "label_sent"


def do_mark_in_transit(actor: User | None, ret: ReturnRequest) -> ReturnRequest:
    """The parcel is on its way back (an agent says so, or a carrier's scan)."""
    if actor is not None:
        check_permission(actor, ret.store_id, "conversation.reply")
    with transaction.atomic():
        ret = _locked(ret)
        if ret.state != State.LABEL_SENT:
            raise Conflict("Only a return with a label can be in transit.", code="not_label_sent")
        ret.state, ret.updated_at = State.IN_TRANSIT, timezone.now()
        ret.save(update_fields=["state", "updated_at"])
        audit.record(store_id=ret.store_id, actor=actor, verb="return.in_transit", obj=ret)
        _note(actor, ret, f"Return {ret.rma} is on its way back.")
    return ret


def do_receive_return(actor: User, ret: ReturnRequest) -> ReturnRequest:
    """The items are back: record it and refund them through a remedy (the receiving agent's
    authority applies; above it a lead approves). Receiving twice is refused; a refusal of the
    refund (not allowed, nothing left to refund) leaves the return as it was."""
    check_permission(actor, ret.store_id, "conversation.reply")
    return _receive(ret, refund_as=actor, actor=actor)


def refund_agent(store: Store) -> User | None:
    """Whose authority covers the refund when the carrier reports a return delivered:
    `store.settings["returns_refund_agent"]` (an agent's email), else the store's first admin."""
    return agent_named_by_setting(store, "returns_refund_agent")


def do_carrier_update(ret: ReturnRequest, status: str, carrier: str) -> str:
    """A carrier's tracking event for a return parcel: "in_transit" moves a labelled return on;
    "delivered" receives it and requests its refund under `refund_agent`'s authority. Events
    that do not move the return forward (a repeat, an earlier state) change nothing."""
    ret = ReturnRequest.objects.select_related("order", "order__store").get(pk=ret.pk)
    if status == "in_transit":
        if ret.state != State.LABEL_SENT:
            return "unchanged"
        do_mark_in_transit(None, ret)
        return "in_transit"
    if status == "delivered":
        if ret.state not in (State.LABEL_SENT, State.IN_TRANSIT):
            return "unchanged"
        agent = refund_agent(ret.order.store)
        if agent is None:
            raise ActionError("No agent to authorise the refund: set returns_refund_agent.", code="no_refund_agent")
        _receive(ret, refund_as=agent, actor=None, via=carrier)
        return "received"
    return "unchanged"


def _receive(ret: ReturnRequest, *, refund_as: User, actor: User | None, via: str = "") -> ReturnRequest:
    with transaction.atomic():
        ret = _locked(ret)
        if ret.state not in (State.LABEL_SENT, State.IN_TRANSIT):
            raise Conflict("That return is not on its way back.", code="not_in_transit")
        items = list(ret.lines.select_related("order_line"))
        now = timezone.now()
        ret.state, ret.received_at, ret.updated_at = State.RECEIVED, now, now
        outcome = do_request_remedy(
            refund_as,
            ret.order,
            RemedyRequest(
                kind=RemedyKind.REFUND,
                scope="lines",
                lines=tuple((item.order_line.external_id, item.quantity) for item in items),
                reason=f"Return {ret.rma}: {ReturnReason(ret.reason).label}",
                confirm_duplicate=True,
            ),
            idempotency_key=f"return:{ret.pk}",
            conversation=ret.conversation,
        )
        ret.remedy = outcome.remedy
        ret.save(update_fields=["state", "received_at", "updated_at", "remedy"])
        audit.record(
            store_id=ret.store_id,
            actor=actor,
            verb="return.received",
            obj=ret,
            after={
                "remedy_id": outcome.remedy.pk,
                "remedy_state": outcome.remedy.state,
                **({"via": via} if via else {}),
            },
        )
        if via:
            _note(None, ret, f"Return {ret.rma} was delivered back to the store ({via}).")
    return ret


def status_of(ret: ReturnRequest) -> str:
    """In words, for the returns page and the panel."""
    if ret.state == State.REQUESTED and ret.approved_at is None:
        return "Waiting for the store to approve it"
    if ret.state == State.RECEIVED and ret.remedy is not None and ret.remedy.state == "awaiting_approval":
        return "Received; the refund is awaiting approval"
    return str(State(ret.state).label)
